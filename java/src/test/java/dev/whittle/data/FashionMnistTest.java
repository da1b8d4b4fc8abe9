package dev.whittle.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

    @TempDir
    Path dir;

    private Path images(String name, int count, int rows, int cols, byte[] pixels) {
        return IdxFiles.write(dir.resolve(name), IdxFiles.images(count, rows, cols, pixels), true);
    }

    private Path labels(String name, int... labels) {
        byte[] bytes = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            bytes[i] = (byte) labels[i];
        }
        return IdxFiles.write(dir.resolve(name), IdxFiles.labels(bytes), true);
    }

    @Test
    void loadRoundTripsLabelsAndNormalisesPixelsWithMeanAndStd() {
        byte[] pixels = IdxFiles.rampPixels(3 * 2 * 2);
        pixels[0] = 0;
        pixels[1] = (byte) 255;
        Dataset d = FashionMnist.load(images("i.gz", 3, 2, 2, pixels), labels("l.gz", 9, 0, 4), "tiny");

        assertEquals("tiny", d.name());
        assertEquals(3, d.size());
        assertEquals(1, d.channels());
        assertEquals(2, d.height());
        assertEquals(2, d.width());
        assertEquals(4, d.imageSize());
        assertEquals(FashionMnist.CLASSES, d.classes());
        assertArrayEquals(new int[] {9, 0, 4}, d.labels());
        assertEquals(-FashionMnist.MEAN / FashionMnist.STD, d.images()[0], 1e-6f);
        assertEquals((1 - FashionMnist.MEAN) / FashionMnist.STD, d.images()[1], 1e-6f);
        for (int i = 0; i < pixels.length; i++) {
            float expected = ((pixels[i] & 0xff) / 255f - FashionMnist.MEAN) / FashionMnist.STD;
            assertEquals(expected, d.images()[i], 1e-6f, "pixel " + i);
        }
    }

    @Test
    void trainAndTestReadTheStandardFileNamesFromTheDirectory() {
        images(FashionMnist.TRAIN_IMAGES, 2, 28, 28, new byte[2 * 784]);
        labels(FashionMnist.TRAIN_LABELS, 1, 2);
        images(FashionMnist.TEST_IMAGES, 1, 28, 28, new byte[784]);
        labels(FashionMnist.TEST_LABELS, 3);
        assertEquals(2, FashionMnist.train(dir).size());
        assertEquals("fashion-mnist-test", FashionMnist.test(dir).name());
    }

    @Test
    void imageAndLabelCountMismatchNamesBothFilesAndBothCounts() {
        Path img = images("i.gz", 3, 2, 2, new byte[12]);
        Path lab = labels("l.gz", 1, 2);
        DataFileException e = assertThrows(DataFileException.class, () -> FashionMnist.load(img, lab, "x"));
        String m = e.getMessage();
        assertTrue(m.startsWith(lab + ": "), m);
        assertTrue(m.contains("field 'count' expected 3 (from the image file " + img + ") but found 2"), m);
    }

    @Test
    void labelOutsideTheTenClassesNamesIndexRangeAndValue() {
        Path img = images("i.gz", 3, 2, 2, new byte[12]);
        Path lab = labels("l.gz", 1, 2, 12);
        DataFileException e = assertThrows(DataFileException.class, () -> FashionMnist.load(img, lab, "x"));
        assertTrue(e.getMessage().startsWith(lab + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("field 'label[2]' expected 0..9 but found 12"), e.getMessage());
    }

    @Test
    void missingFileNamesThePathAndTheAptCommand() {
        DataFileException e = assertThrows(DataFileException.class, () -> FashionMnist.train(dir));
        Path expected = dir.resolve(FashionMnist.TRAIN_IMAGES);
        assertTrue(e.getMessage().startsWith(expected.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install -y dataset-fashion-mnist"), e.getMessage());
        assertEquals(expected, e.file());
    }

    @Test
    void missingLabelFileIsReportedEvenWhenImagesExist() {
        images(FashionMnist.TEST_IMAGES, 1, 28, 28, new byte[784]);
        DataFileException e = assertThrows(DataFileException.class, () -> FashionMnist.test(dir));
        assertTrue(
                e.getMessage().startsWith(dir.resolve(FashionMnist.TEST_LABELS).toString()), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install -y dataset-fashion-mnist"), e.getMessage());
    }

    @Test
    void systemPropertyOverridesTheDefaultDirectory() {
        String old = System.getProperty("whittle.data");
        try {
            System.setProperty("whittle.data", dir.toString());
            assertEquals(dir, FashionMnist.defaultDir());
            System.clearProperty("whittle.data");
            String env = System.getenv("WHITTLE_DATA");
            Path fallback = env == null || env.isBlank() ? FashionMnist.DEFAULT_DIR : Path.of(env);
            assertEquals(fallback, FashionMnist.defaultDir());
        } finally {
            if (old == null) {
                System.clearProperty("whittle.data");
            } else {
                System.setProperty("whittle.data", old);
            }
        }
    }

    @Test
    void realTestSetHasTenThousandBalancedImagesWithNearZeroMean() {
        Assumptions.assumeTrue(
                Files.isDirectory(FashionMnist.DEFAULT_DIR),
                "Fashion-MNIST not installed (" + DataFileException.FASHION_MNIST_INSTALL + ")");
        Dataset d = FashionMnist.test(FashionMnist.DEFAULT_DIR);
        assertEquals(10000, d.size());
        assertEquals(28, d.height());
        assertEquals(28, d.width());
        assertArrayEquals(new int[] {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}, d.classCounts());
        double sum = 0;
        for (float v : d.images()) {
            sum += v;
        }
        double mean = sum / d.images().length;
        assertEquals(0.0, mean, 0.05, "mean of normalised pixels");
    }

    @Test
    void realTrainSetHasSixtyThousandBalancedImages() {
        Assumptions.assumeTrue(
                Files.isDirectory(FashionMnist.DEFAULT_DIR),
                "Fashion-MNIST not installed (" + DataFileException.FASHION_MNIST_INSTALL + ")");
        long start = System.nanoTime();
        Dataset d = FashionMnist.train(FashionMnist.DEFAULT_DIR);
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.println("loaded " + d + " in " + ms + " ms");
        assertEquals(60000, d.size());
        for (int c : d.classCounts()) {
            assertEquals(6000, c);
        }
    }
}
