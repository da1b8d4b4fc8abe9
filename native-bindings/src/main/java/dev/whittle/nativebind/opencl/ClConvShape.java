package dev.whittle.nativebind.opencl;

/**
 * Shapes of one 2-D convolution, mirroring {@code dev.whittle.kernels.ConvGeometry} (this module does not depend
 * on the kernels module): x (N,C,H,W), w (K,C/groups,R,S), y (N,K,P,Q).
 */
public record ClConvShape(
        int n, int c, int h, int w, int k, int r, int s, int strideH, int strideW, int padH, int padW, int groups) {

    public ClConvShape {
        if (n < 0
                || c <= 0
                || h <= 0
                || w <= 0
                || k <= 0
                || r <= 0
                || s <= 0
                || strideH <= 0
                || strideW <= 0
                || padH < 0
                || padW < 0
                || groups <= 0
                || c % groups != 0
                || k % groups != 0
                || h + 2 * padH < r
                || w + 2 * padW < s) {
            throw new IllegalArgumentException("invalid convolution shape: " + this);
        }
        long biggest = Math.max(
                (long) n * c * h * w,
                Math.max(
                        (long) n * k * p(h, r, strideH, padH) * p(w, s, strideW, padW),
                        (long) k * (c / groups) * r * s));
        if (biggest > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor over 2^31 elements: " + this);
    }

    public static ClConvShape square(int n, int c, int h, int w, int k, int kernel, int stride, int pad) {
        return new ClConvShape(n, c, h, w, k, kernel, kernel, stride, stride, pad, pad, 1);
    }

    public int p() {
        return p(h, r, strideH, padH);
    }

    public int q() {
        return p(w, s, strideW, padW);
    }

    public int cPerGroup() {
        return c / groups;
    }

    private static int p(int in, int kernel, int stride, int pad) {
        return (in + 2 * pad - kernel) / stride + 1;
    }
}
