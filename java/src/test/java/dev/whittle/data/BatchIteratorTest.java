package dev.whittle.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchIteratorTest {

    /** Sample i has label i and every pixel equal to i, so a batch shows exactly which samples it holds. */
    private static Dataset indexed(int size, int imageSize) {
        float[] images = new float[size * imageSize];
        int[] labels = new int[size];
        for (int i = 0; i < size; i++) {
            labels[i] = i;
            for (int k = 0; k < imageSize; k++) {
                images[i * imageSize + k] = i;
            }
        }
        return new Dataset("indexed", size, 1, 1, imageSize, size, images, labels);
    }

    /** The sample order of one epoch, checking along the way that images travel with their labels. */
    private static List<Integer> epoch(BatchIterator it, int epoch) {
        it.startEpoch(epoch);
        float[] x = new float[it.batchSize() * it.imageSize()];
        int[] y = new int[it.batchSize()];
        List<Integer> order = new ArrayList<>();
        int n;
        while ((n = it.next(x, y)) > 0) {
            for (int b = 0; b < n; b++) {
                for (int k = 0; k < it.imageSize(); k++) {
                    assertEquals(y[b], x[b * it.imageSize() + k], "image must match its label");
                }
                order.add(y[b]);
            }
        }
        return order;
    }

    @Test
    void everySampleAppearsExactlyOncePerEpoch() {
        BatchIterator it = new BatchIterator(indexed(103, 3), 10, true, 5);
        for (int e = 0; e < 3; e++) {
            List<Integer> order = epoch(it, e);
            assertEquals(103, order.size());
            assertEquals(103, order.stream().distinct().count());
        }
    }

    @Test
    void shuffledOrderDiffersBetweenEpochs() {
        BatchIterator it = new BatchIterator(indexed(100, 2), 8, true, 5);
        assertFalse(epoch(it, 0).equals(epoch(it, 1)));
    }

    @Test
    void sameSeedAndEpochGiveTheSameOrderRegardlessOfHistory() {
        Dataset d = indexed(64, 2);
        BatchIterator a = new BatchIterator(d, 7, true, 99);
        BatchIterator b = new BatchIterator(d, 7, true, 99);
        epoch(a, 0);
        epoch(a, 1);
        assertEquals(epoch(a, 2), epoch(b, 2));
        assertFalse(epoch(a, 2).equals(epoch(new BatchIterator(d, 7, true, 100), 2)));
    }

    @Test
    void withoutShuffleSamplesComeInOrder() {
        List<Integer> order = epoch(new BatchIterator(indexed(25, 4), 6, false, 1), 3);
        for (int i = 0; i < 25; i++) {
            assertEquals(i, order.get(i));
        }
    }

    @Test
    void lastBatchIsPartialThenNextReturnsZero() {
        BatchIterator it = new BatchIterator(indexed(23, 2), 10, true, 3);
        assertEquals(3, it.batchesPerEpoch());
        assertEquals(10, it.batchSize());
        float[] x = new float[20];
        int[] y = new int[10];
        assertEquals(10, it.next(x, y));
        assertEquals(10, it.next(x, y));
        assertEquals(3, it.next(x, y));
        assertEquals(0, it.next(x, y));
        assertEquals(0, it.next(x, y));
        it.startEpoch(1);
        assertEquals(10, it.next(x, y));
    }

    @Test
    void usableWithoutCallingStartEpochAndMatchesEpochZero() {
        Dataset d = indexed(12, 1);
        BatchIterator fresh = new BatchIterator(d, 12, true, 4);
        float[] x = new float[12];
        int[] y = new int[12];
        assertEquals(12, fresh.next(x, y));
        List<Integer> expected = epoch(new BatchIterator(d, 12, true, 4), 0);
        for (int i = 0; i < 12; i++) {
            assertEquals(expected.get(i), y[i]);
        }
    }

    @Test
    void exactMultipleHasNoPartialBatch() {
        BatchIterator it = new BatchIterator(indexed(20, 1), 5, false, 0);
        assertEquals(4, it.batchesPerEpoch());
        assertEquals(20, epoch(it, 0).size());
    }

    @Test
    void emptyDataSetHasNoBatches() {
        BatchIterator it = new BatchIterator(Synthetic.make(0, 2, 1, 2, 2, 1), 4, true, 1);
        assertEquals(0, it.batchesPerEpoch());
        assertEquals(0, it.next(new float[16], new int[4]));
    }

    @Test
    void buffersSmallerThanABatchAreRejectedNamingTheSizes() {
        BatchIterator it = new BatchIterator(indexed(10, 3), 4, false, 0);
        var e = assertThrows(IllegalArgumentException.class, () -> it.next(new float[11], new int[4]));
        assertTrue(e.getMessage().contains("expected >= 12"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> it.next(new float[12], new int[3]));
        assertThrows(IllegalArgumentException.class, () -> new BatchIterator(indexed(3, 1), 0, false, 0));
    }

    @Test
    void nextDoesNotAllocate() {
        Dataset d = Synthetic.make(4096, 10, 1, 8, 8, 1);
        BatchIterator it = new BatchIterator(d, 64, true, 1);
        float[] x = new float[64 * 64];
        int[] y = new int[64];
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int warm = 0; warm < 50; warm++) {
            it.startEpoch(warm);
            while (it.next(x, y) > 0) {
                // warm up so the JIT is not allocating on our behalf
            }
        }
        long before = mx.getCurrentThreadAllocatedBytes();
        it.startEpoch(1000);
        int batches = 0;
        while (it.next(x, y) > 0) {
            batches++;
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertEquals(64, batches);
        assertTrue(allocated < 64 * 16, "allocated " + allocated + " bytes in one epoch");
    }

    @Test
    void labelsAndImagesStayTogetherUnderShuffle() {
        Dataset d = Synthetic.make(50, 5, 1, 2, 2, 9);
        BatchIterator it = new BatchIterator(d, 16, true, 2);
        float[] x = new float[16 * 4];
        int[] y = new int[16];
        int seen = 0;
        int n;
        while ((n = it.next(x, y)) > 0) {
            for (int b = 0; b < n; b++) {
                float[] sample = Arrays.copyOfRange(x, b * 4, b * 4 + 4);
                boolean found = false;
                for (int i = 0; i < d.size() && !found; i++) {
                    found = d.labels()[i] == y[b]
                            && Arrays.equals(sample, Arrays.copyOfRange(d.images(), i * 4, i * 4 + 4));
                }
                assertTrue(found, "batch sample " + b + " is not a data set sample with that label");
                seen++;
            }
        }
        assertEquals(50, seen);
        assertArrayEquals(new int[] {10, 10, 10, 10, 10}, d.classCounts());
    }
}
