package dev.whittle.kernels;

/**
 * One implementation of 2-D convolution (scalar reference, Vector API, …). Every implementation computes
 * exactly what {@link Conv2dScalar} computes, to within float rounding, with the same range semantics.
 */
public interface ConvKernels {
    /** y = conv(x, w) + b for images [n0, n1). x (N,C,H,W), w (K,C/G,R,S), b (K) or null, y (N,K,P,Q) overwritten. */
    void forward(ConvGeometry g, float[] x, float[] w, float[] b, float[] y, int n0, int n1);

    /**
     * y = conv(x, w) + b for images [n0, n1) and filters [k0, k1) only; other filters' planes are not touched, so
     * threads can split a batch-1 layer by filters. Shapes as {@link #forward}.
     */
    void forwardFilters(ConvGeometry g, float[] x, float[] w, float[] b, float[] y, int n0, int n1, int k0, int k1);

    /** dx += conv_transpose(dy, w) for images [n0, n1). dy (N,K,P,Q), w (K,C/G,R,S), dx (N,C,H,W) accumulated. */
    void backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx, int n0, int n1);

    /**
     * dx = conv_transpose(dy, w) for images [n0, n1): {@link #backwardData} into a gradient nobody else writes, whose
     * earlier contents are overwritten. The default zeroes the range and accumulates; kernels that write their
     * output rows whole do it without either pass.
     */
    default void backwardDataInto(ConvGeometry g, float[] dy, float[] w, float[] dx, int n0, int n1) {
        java.util.Arrays.fill(dx, n0 * g.c() * g.h() * g.w(), n1 * g.c() * g.h() * g.w(), 0f);
        backwardData(g, dy, w, dx, n0, n1);
    }

    /** dw += Σ_n dy ⋆ x, db += Σ dy over all N images, for filters [k0, k1). dw (K,C/G,R,S), db (K) or null. */
    void backwardWeights(ConvGeometry g, float[] x, float[] dy, float[] dw, float[] db, int k0, int k1);

    // Masked layers: alive filters out[0..m) and alive input channels in[0..ci), both strictly increasing; the
    // activations and weights are the full tensors. The defaults gather a compact sub-problem, run the dense
    // kernel on it and scatter back (AliveSubproblem); a kernel set may read and write the alive planes in place.

    /**
     * y's alive planes = conv + b over the alive channels for images [n0, n1); dead planes set to 0 when
     * {@code zeroDead}, else not touched (a layer that owns its output clears them once per alive set).
     */
    default void forwardAlive(
            ConvGeometry g,
            float[] x,
            float[] w,
            float[] b,
            float[] y,
            int[] out,
            int m,
            int[] in,
            int ci,
            int n0,
            int n1,
            boolean zeroDead) {
        AliveSubproblem.convForward(this, g, x, w, b, y, out, m, in, ci, n0, n1, zeroDead);
    }

    /**
     * y's planes of filters out[0..m) = e(conv + b) over input channels in[0..ci) for images [n0, n1): a convolution
     * and its inference batch norm (and ReLU) in one call, so that a kernel set can apply the epilogue as it writes
     * each output row. Null lists mean every filter or channel; with a list, dead planes are set to 0. Shapes as
     * {@link #forward}. The default runs the convolution and then the epilogue as a second pass (and the max pool
     * of {@link ConvEpilogue#pooled} as a third, over planes [n0·K, n1·K)).
     */
    default void forwardThen(
            ConvGeometry g,
            float[] x,
            float[] w,
            float[] b,
            float[] y,
            int[] out,
            int m,
            int[] in,
            int ci,
            int n0,
            int n1,
            ConvEpilogue e) {
        if (out == null && in == null) forward(g, x, w, b, y, n0, n1);
        else
            forwardAlive(
                    g,
                    x,
                    w,
                    b,
                    y,
                    out == null ? Indices.all(g.k()) : out,
                    m,
                    in == null ? Indices.all(g.c()) : in,
                    ci,
                    n0,
                    n1,
                    true);
        e.applyInPlace(y, g.k(), g.p() * g.q(), out == null ? Indices.all(g.k()) : out, m, n0, n1);
        if (e.pooled() != null)
            PoolScalar.maxForwardInference(g.p(), g.q(), 2, 2, 0, y, e.pooled(), n0 * g.k(), n1 * g.k());
    }

    /**
     * Whether this kernel set splits {@link #forwardThen} of an unmasked layer over {@code images} images by output
     * rows ({@link #forwardRowsThen}) better than by filters: true where its kernel transforms the whole input on
     * every call (Winograd), which a split by filters would do once per thread.
     */
    default boolean splitsRows(ConvGeometry g, int images) {
        return false;
    }

    /**
     * Part {@code part} of {@code parts} of {@code forwardThen(g, x, w, b, y, null, K, null, C, n0, n1, e)}, split by
     * output rows; the parts together write what the whole call writes, bit for bit. Only where {@link #splitsRows}.
     *
     * @return whether the epilogue's max pool ({@link ConvEpilogue#pooled}) was written for this part's rows; the
     *     caller pools otherwise
     */
    default boolean forwardRowsThen(
            ConvGeometry g,
            float[] x,
            float[] w,
            float[] b,
            float[] y,
            int n0,
            int n1,
            int part,
            int parts,
            ConvEpilogue e) {
        throw new UnsupportedOperationException("this kernel set does not split convolutions by rows");
    }

    /** dx's alive channels += the alive filters' contributions for images [n0, n1); dead channels untouched. */
    default void backwardDataAlive(
            ConvGeometry g, float[] dy, float[] w, float[] dx, int[] out, int m, int[] in, int ci, int n0, int n1) {
        AliveSubproblem.convBackwardData(this, g, dy, w, dx, out, m, in, ci, n0, n1);
    }

    /** dw, db += gradients of alive filters at positions [k0, k1) of out, alive channels only, over all N images. */
    default void backwardWeightsAlive(
            ConvGeometry g,
            float[] x,
            float[] dy,
            float[] dw,
            float[] db,
            int[] out,
            int m,
            int[] in,
            int ci,
            int k0,
            int k1) {
        AliveSubproblem.convBackwardWeights(this, g, x, dy, dw, db, out, m, in, ci, k0, k1);
    }
}
