package dev.whittle.kernels;

/** Scalar reference element-wise ops over flat ranges [i0, i1) of equally shaped tensors. */
public final class ElementwiseScalar {
    private ElementwiseScalar() {}

    /** y = max(x, 0). */
    public static void reluForward(float[] x, float[] y, int i0, int i1) {
        for (int i = i0; i < i1; i++) y[i] = Math.max(x[i], 0f);
    }

    /** dx += dy where the forward output y was positive (y > 0 ⇔ x > 0). */
    public static void reluBackward(float[] y, float[] dy, float[] dx, int i0, int i1) {
        for (int i = i0; i < i1; i++) dx[i] += y[i] > 0f ? dy[i] : 0f;
    }

    /** dx = dy where the forward output y was positive, else 0 (reluBackward into zeros, without reading dx). */
    public static void reluMask(float[] y, float[] dy, float[] dx, int i0, int i1) {
        for (int i = i0; i < i1; i++) dx[i] = y[i] > 0f ? dy[i] : 0f;
    }

    /** y = a + b (residual add). */
    public static void add(float[] a, float[] b, float[] y, int i0, int i1) {
        for (int i = i0; i < i1; i++) y[i] = a[i] + b[i];
    }

    /** dst += src (gradient of an add or a copy flows unchanged to each input). */
    public static void accumulate(float[] src, float[] dst, int i0, int i1) {
        for (int i = i0; i < i1; i++) dst[i] += src[i];
    }
}
