package dev.whittle.data;

import java.util.SplittableRandom;

/**
 * A small, learnable data set made up on the spot, so training tests need neither files nor minutes.
 *
 * <p>Each class has a fixed random prototype image; a sample is its class prototype plus gaussian noise of
 * standard deviation {@value #NOISE}. Prototypes are independent N(0, 1) patterns, so classes are far apart
 * relative to the noise and a working network should reach near-perfect accuracy quickly; a broken one will
 * not. Labels are balanced (counts differ by at most one) and shuffled. Everything is derived from the seeds,
 * so a failing test reproduces exactly.
 */
public final class Synthetic {

    /** Standard deviation of the per-pixel noise added to a prototype. */
    public static final double NOISE = 0.5;

    private Synthetic() {}

    /** Prototypes and samples both from {@code seed}. */
    public static Dataset make(int size, int classes, int channels, int height, int width, long seed) {
        return make(size, classes, channels, height, width, seed, seed);
    }

    /**
     * Separate seeds so a train and a test split can share prototypes (same task) yet have different samples:
     * {@code make(512, ..., 7, 1)} and {@code make(128, ..., 7, 2)}. Two calls with different
     * {@code prototypeSeed}s are different tasks, and a model trained on one cannot score on the other.
     */
    public static Dataset make(
            int size, int classes, int channels, int height, int width, long prototypeSeed, long sampleSeed) {
        if (size < 0 || classes < 1 || channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("expected size >= 0 and classes, channels, height, width >= 1 but found "
                    + size + ", " + classes + ", " + channels + ", " + height + ", " + width);
        }
        long imageSize = (long) channels * height * width;
        if ((long) size * imageSize > Integer.MAX_VALUE - 8 || (long) classes * imageSize > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("too large: " + size + " (or " + classes + " prototypes) x " + imageSize
                    + " floats does not fit in one array");
        }
        int stride = (int) imageSize;

        SplittableRandom protoRng = new SplittableRandom(prototypeSeed);
        float[] prototypes = new float[classes * stride];
        for (int i = 0; i < prototypes.length; i++) {
            prototypes[i] = (float) protoRng.nextGaussian();
        }

        // Mixed so that equal seeds still give a sample stream unrelated to the prototype stream.
        SplittableRandom rng = new SplittableRandom(sampleSeed ^ 0x5DEECE66DL);
        int[] labels = new int[size];
        for (int i = 0; i < size; i++) {
            labels[i] = i % classes;
        }
        for (int i = size - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = labels[i];
            labels[i] = labels[j];
            labels[j] = t;
        }

        float[] images = new float[size * stride];
        for (int n = 0; n < size; n++) {
            int proto = labels[n] * stride;
            int base = n * stride;
            for (int k = 0; k < stride; k++) {
                images[base + k] = prototypes[proto + k] + (float) (NOISE * rng.nextGaussian());
            }
        }
        String name = "synthetic-" + classes + "x" + channels + "x" + height + "x" + width;
        return new Dataset(name, size, channels, height, width, classes, images, labels);
    }
}
