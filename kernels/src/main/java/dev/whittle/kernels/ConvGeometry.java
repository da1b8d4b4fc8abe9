package dev.whittle.kernels;

/**
 * Shapes of one 2-D convolution: input x (N,C,H,W), weights w (K,C/groups,R,S), output y (N,K,P,Q).
 *
 * <p>Groups are part of the geometry from the start so that depthwise convolutions (groups == C == K)
 * need no new signature: output filter k reads input channels [g*C/G, (g+1)*C/G) with g = k / (K/G).
 */
public record ConvGeometry(
        int n, int c, int h, int w, int k, int r, int s, int strideH, int strideW, int padH, int padW, int groups) {

    public ConvGeometry {
        if (n < 0 || c <= 0 || h <= 0 || w <= 0 || k <= 0 || r <= 0 || s <= 0) {
            throw new IllegalArgumentException("convolution sizes must be positive: " + this);
        }
        if (strideH <= 0 || strideW <= 0 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("stride must be > 0 and padding >= 0: " + this);
        }
        if (groups <= 0 || c % groups != 0 || k % groups != 0) {
            throw new IllegalArgumentException("groups must divide C and K: " + this);
        }
        if (h + 2 * padH < r || w + 2 * padW < s) {
            throw new IllegalArgumentException("kernel larger than padded input: " + this);
        }
    }

    /** Square kernel, equal stride and padding, one group. */
    public static ConvGeometry square(int n, int c, int h, int w, int k, int kernel, int stride, int pad) {
        return new ConvGeometry(n, c, h, w, k, kernel, kernel, stride, stride, pad, pad, 1);
    }

    public ConvGeometry withBatch(int batch) {
        return new ConvGeometry(batch, c, h, w, k, r, s, strideH, strideW, padH, padW, groups);
    }

    public int p() {
        return (h + 2 * padH - r) / strideH + 1;
    }

    public int q() {
        return (w + 2 * padW - s) / strideW + 1;
    }

    /** Input channels per group, i.e. the weight tensor's second dimension. */
    public int cPerGroup() {
        return c / groups;
    }

    public int weightSize() {
        return k * cPerGroup() * r * s;
    }

    /** Multiply-adds per image. */
    public long macsPerImage() {
        return (long) k * p() * q() * cPerGroup() * r * s;
    }
}
