package dev.whittle.data;

import java.util.SplittableRandom;

/**
 * Walks a data set in mini-batches, shuffled per epoch, copying into buffers the caller owns.
 *
 * <p>No allocation per batch: the training loop runs thousands of batches per epoch and garbage there shows up
 * as GC pauses in throughput numbers. The only array is the permutation, allocated once. The order of an epoch
 * depends only on (seed, epoch), never on earlier epochs, so a run resumed at epoch k sees the same batches as
 * an uninterrupted one.
 *
 * <p>Not thread-safe: one iterator per training loop.
 */
public final class BatchIterator {

    private final Dataset data;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final int imageSize;
    private final int[] order;
    private int position;

    /** Ready for epoch 0 right away; {@link #startEpoch} chooses another epoch or restarts one. */
    public BatchIterator(Dataset data, int batchSize, boolean shuffle, long seed) {
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize expected >= 1 but found " + batchSize);
        }
        this.imageSize = data.imageSize();
        if ((long) batchSize * imageSize > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "batchSize " + batchSize + " x imageSize " + imageSize + " floats does not fit in one array");
        }
        this.data = data;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.order = new int[data.size()];
        startEpoch(0);
    }

    /** Rewinds and fixes this epoch's order: identity without shuffle, else a permutation of (seed, epoch). */
    public void startEpoch(int epoch) {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (shuffle) {
            SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + epoch);
            for (int i = order.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        position = 0;
    }

    /**
     * Copies the next batch: images into {@code xOut} (N×C×H×W from index 0), labels into {@code yOut}.
     * Buffers must hold a full batch even when fewer samples remain, so one pair of buffers serves the whole
     * epoch; entries past the returned count are left as they were.
     *
     * @return samples written: {@link #batchSize()} except for a smaller last batch, 0 once the epoch is done
     */
    public int next(float[] xOut, int[] yOut) {
        if (xOut.length < batchSize * imageSize) {
            throw new IllegalArgumentException("xOut.length expected >= " + batchSize * imageSize + " (batchSize "
                    + batchSize + " x imageSize " + imageSize + ") but found " + xOut.length);
        }
        if (yOut.length < batchSize) {
            throw new IllegalArgumentException(
                    "yOut.length expected >= " + batchSize + " (batchSize) but found " + yOut.length);
        }
        int n = Math.min(batchSize, order.length - position);
        if (n <= 0) {
            return 0;
        }
        float[] images = data.images();
        int[] labels = data.labels();
        if (!shuffle) {
            System.arraycopy(images, position * imageSize, xOut, 0, n * imageSize);
            System.arraycopy(labels, position, yOut, 0, n);
        } else {
            for (int b = 0; b < n; b++) {
                int sample = order[position + b];
                System.arraycopy(images, sample * imageSize, xOut, b * imageSize, imageSize);
                yOut[b] = labels[sample];
            }
        }
        position += n;
        return n;
    }

    /** Batches in one epoch, counting a partial last batch. */
    public int batchesPerEpoch() {
        return (int) (((long) order.length + batchSize - 1) / batchSize);
    }

    public int batchSize() {
        return batchSize;
    }

    /** Floats per sample in {@code xOut}. */
    public int imageSize() {
        return imageSize;
    }

    public Dataset data() {
        return data;
    }
}
