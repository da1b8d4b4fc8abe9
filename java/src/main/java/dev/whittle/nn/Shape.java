package dev.whittle.nn;

/** Per-sample shape of an activation: channels × height × width; a feature vector is (features, 1, 1). */
public record Shape(int c, int h, int w) {
    public static final long MAX_ELEMENTS = 1L << 24;

    public Shape {
        if (c <= 0 || h <= 0 || w <= 0)
            throw new IllegalArgumentException("shape dims must be positive: " + c + "x" + h + "x" + w);
        // One image's activation must fit a Java array many times over (a batch of them is one array).
        if ((long) c * h * w > MAX_ELEMENTS) {
            throw new IllegalArgumentException(
                    "shape " + c + "x" + h + "x" + w + " has more than " + MAX_ELEMENTS + " elements per image");
        }
    }

    public static Shape features(int n) {
        return new Shape(n, 1, 1);
    }

    public int size() {
        return c * h * w;
    }

    public int plane() {
        return h * w;
    }

    @Override
    public String toString() {
        return h == 1 && w == 1 ? Integer.toString(c) : c + "x" + h + "x" + w;
    }
}
