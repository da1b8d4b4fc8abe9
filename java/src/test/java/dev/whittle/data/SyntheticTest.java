package dev.whittle.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SyntheticTest {

    @Test
    void sameSeedGivesIdenticalDataAndOtherSeedDoesNot() {
        Dataset a = Synthetic.make(100, 4, 2, 5, 5, 42);
        Dataset b = Synthetic.make(100, 4, 2, 5, 5, 42);
        Dataset c = Synthetic.make(100, 4, 2, 5, 5, 43);
        assertArrayEquals(a.images(), b.images());
        assertArrayEquals(a.labels(), b.labels());
        assertFalse(Arrays.equals(a.images(), c.images()));
        assertFalse(Arrays.equals(a.labels(), c.labels()));
    }

    @Test
    void shapeMatchesTheRequest() {
        Dataset d = Synthetic.make(30, 3, 2, 4, 6, 1);
        assertEquals(30, d.size());
        assertEquals(3, d.classes());
        assertEquals(2 * 4 * 6, d.imageSize());
        assertEquals(30 * 48, d.images().length);
    }

    @Test
    void classesAreBalancedAndShuffled() {
        Dataset d = Synthetic.make(103, 10, 1, 3, 3, 7);
        for (int count : d.classCounts()) {
            assertTrue(count == 10 || count == 11, Arrays.toString(d.classCounts()));
        }
        int inOrder = 0;
        for (int i = 0; i < d.size(); i++) {
            inOrder += d.labels()[i] == i % 10 ? 1 : 0;
        }
        assertTrue(inOrder < 50, "labels look unshuffled: " + inOrder + " of 103 in i % classes order");
    }

    @Test
    void nearestClassMeanSeparatesHeldOutSamplesSoTheTaskIsLearnable() {
        int classes = 5;
        Dataset train = Synthetic.make(200, classes, 1, 6, 6, 11, 1);
        Dataset test = Synthetic.make(100, classes, 1, 6, 6, 11, 2);
        int size = train.imageSize();
        float[] means = new float[classes * size];
        int[] counts = train.classCounts();
        for (int n = 0; n < train.size(); n++) {
            int y = train.labels()[n];
            for (int k = 0; k < size; k++) {
                means[y * size + k] += train.images()[n * size + k] / counts[y];
            }
        }
        int correct = 0;
        for (int n = 0; n < test.size(); n++) {
            int best = -1;
            double bestDist = Double.MAX_VALUE;
            for (int c = 0; c < classes; c++) {
                double dist = 0;
                for (int k = 0; k < size; k++) {
                    double diff = test.images()[n * size + k] - means[c * size + k];
                    dist += diff * diff;
                }
                if (dist < bestDist) {
                    bestDist = dist;
                    best = c;
                }
            }
            correct += best == test.labels()[n] ? 1 : 0;
        }
        assertTrue(correct >= 95, "nearest-mean accuracy " + correct + "/100");
        assertFalse(Arrays.equals(Arrays.copyOf(train.images(), 36), Arrays.copyOf(test.images(), 36)));
    }

    @Test
    void invalidShapeIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Synthetic.make(10, 0, 1, 2, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> Synthetic.make(-1, 2, 1, 2, 2, 1));
    }
}
