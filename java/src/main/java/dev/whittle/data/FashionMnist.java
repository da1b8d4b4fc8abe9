package dev.whittle.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fashion-MNIST (28x28 grey clothing images, 10 classes) from the Debian package {@code dataset-fashion-mnist}.
 *
 * <p>The data is not bundled or downloaded: the package puts it in {@link #DEFAULT_DIR}, and a missing file
 * says which command installs it. Pixels are normalised with the training set's mean and standard deviation so
 * inputs are roughly zero-mean, unit-variance, which keeps the first layers' activations in a sane range.
 */
public final class FashionMnist {

    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    /** Mean of the training pixels scaled to [0, 1]. */
    public static final float MEAN = 0.2860f;
    /** Standard deviation of the training pixels scaled to [0, 1]. */
    public static final float STD = 0.3530f;

    public static final int CLASSES = 10;
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";
    /** Class names in label order, for reports and confusion matrices. */
    public static final List<String> CLASS_NAMES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private static final Logger LOG = LoggerFactory.getLogger(FashionMnist.class);

    private FashionMnist() {}

    /**
     * Where to look: system property {@code whittle.data}, else environment {@code WHITTLE_DATA}, else
     * {@link #DEFAULT_DIR}. The property wins so a test or a single run can override a machine-wide setting.
     */
    public static Path defaultDir() {
        String prop = System.getProperty("whittle.data");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String env = System.getenv("WHITTLE_DATA");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return DEFAULT_DIR;
    }

    /** The 60000 training samples. */
    public static Dataset train(Path dir) {
        return load(dir.resolve(TRAIN_IMAGES), dir.resolve(TRAIN_LABELS), "fashion-mnist-train");
    }

    /** The 10000 test samples. */
    public static Dataset test(Path dir) {
        return load(dir.resolve(TEST_IMAGES), dir.resolve(TEST_LABELS), "fashion-mnist-test");
    }

    /**
     * Reads a pair of IDX files into a one-channel, normalised data set, checking that they belong together
     * (same count) and that every label is one of the {@value #CLASSES} classes.
     */
    public static Dataset load(Path imagesFile, Path labelsFile, String name) {
        long start = System.nanoTime();
        requirePresent(imagesFile);
        requirePresent(labelsFile);
        IdxImages idx = IdxReader.readImages(imagesFile);
        byte[] rawLabels = IdxReader.readLabels(labelsFile);
        if (rawLabels.length != idx.count()) {
            throw DataFileException.field(
                    labelsFile,
                    "count",
                    idx.count() + " (from the image file " + imagesFile + ")",
                    Integer.toString(rawLabels.length));
        }
        int[] labels = new int[rawLabels.length];
        for (int i = 0; i < labels.length; i++) {
            int label = rawLabels[i] & 0xff;
            if (label >= CLASSES) {
                throw DataFileException.field(
                        labelsFile, "label[" + i + "]", "0.." + (CLASSES - 1), Integer.toString(label));
            }
            labels[i] = label;
        }
        float[] images = normalise(idx.pixels());
        Dataset data = new Dataset(name, idx.count(), 1, idx.rows(), idx.cols(), CLASSES, images, labels);
        LOG.debug("loaded {} from {} in {} ms", data, imagesFile, (System.nanoTime() - start) / 1_000_000);
        return data;
    }

    /** Normalised value of one raw pixel: {@code (p/255 - MEAN) / STD}. */
    public static float normalise(int pixel) {
        return (pixel / 255f - MEAN) / STD;
    }

    /** A 256-entry table turns the per-pixel arithmetic into one lookup. */
    private static float[] normalise(byte[] pixels) {
        float[] table = new float[256];
        for (int p = 0; p < 256; p++) {
            table[p] = normalise(p);
        }
        float[] out = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            out[i] = table[pixels[i] & 0xff];
        }
        return out;
    }

    private static void requirePresent(Path file) {
        if (!Files.exists(file)) {
            throw DataFileException.missingFashionMnist(file);
        }
    }
}
