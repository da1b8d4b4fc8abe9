package dev.whittle.data;

import java.util.Objects;

/**
 * A labelled image data set held in memory, ready for training.
 *
 * <p>Images are one flat N×C×H×W float array, already normalised, because that is the layout the kernels
 * consume and a batch is then a contiguous copy. The arrays are shared, not copied: a data set is built once
 * and only read afterwards. Shapes and labels are validated here so nothing downstream has to.
 */
public record Dataset(
        String name, int size, int channels, int height, int width, int classes, float[] images, int[] labels) {

    public Dataset {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(labels, "labels");
        if (size < 0) {
            throw new IllegalArgumentException(name + ": size expected >= 0 but found " + size);
        }
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException(name + ": channels, height, width expected >= 1 but found " + channels
                    + ", " + height + ", " + width);
        }
        if (classes < 1) {
            throw new IllegalArgumentException(name + ": classes expected >= 1 but found " + classes);
        }
        long expected = (long) size * channels * height * width;
        if (images.length != expected) {
            throw new IllegalArgumentException(name + ": images.length expected " + expected + " (" + size + "x"
                    + channels + "x" + height + "x" + width + ") but found " + images.length);
        }
        if (labels.length != size) {
            throw new IllegalArgumentException(
                    name + ": labels.length expected " + size + " but found " + labels.length);
        }
        for (int i = 0; i < size; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(
                        name + ": labels[" + i + "] expected 0.." + (classes - 1) + " but found " + labels[i]);
            }
        }
    }

    /** Floats per image (C*H*W): the stride between consecutive images in {@link #images()}. */
    public int imageSize() {
        return channels * height * width;
    }

    /** How many samples carry each label; a quick check that a split is balanced. */
    public int[] classCounts() {
        int[] counts = new int[classes];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /** Name and shape only: printing a data set must not dump millions of floats. */
    @Override
    public String toString() {
        return "Dataset[" + name + ": " + size + " x " + channels + "x" + height + "x" + width + ", " + classes
                + " classes]";
    }
}
