package dev.whittle.nativebind.opencl;

/**
 * 2-D convolution on device buffers, the twin of {@code dev.whittle.kernels.Conv2dScalar}. Shapes: x (N,C,H,W),
 * w (K,C/G,R,S), b (K) or null, y (N,K,P,Q), NCHW float32. One group uses the local-memory tiled GEMM
 * ({@code conv2d_tiled.cl}); grouped convolutions use one work-item per output ({@code conv2d_direct.cl}),
 * which is also public as the slow twin.
 *
 * <p>Alive lists: {@code kAlive} (output filters) and {@code cAlive} (absolute input channel indices, which for
 * one group are the scalar masked variants' per-group indices), null meaning all. Only listed filters are
 * computed and only listed channels are read. As in the scalar masked variants: forward writes ZERO to the y
 * planes of unlisted filters (one buffer fill when the list is partial, no arithmetic); the backward passes
 * leave gradients of unlisted filters (dw rows, db entries) and of unlisted channels (dx planes, dw columns)
 * UNTOUCHED. That equals the dense reference on a model whose masked weights and biases are zero.
 */
public final class ClConv2d {
    /** Local size along the plane for the direct kernels: fixed (not per shape) so PoCL compiles each once. */
    private static final int DIRECT_WG = 64;

    private final ClLauncher l;
    private final ClKernel fwdTiled, bwdDataTiled, bwdWeightsTiled, bwdBias, fwdDirect, bwdDataDirect, bwdWeightsDirect;

    ClConv2d(ClLauncher launcher) {
        this.l = launcher;
        ClProgram tiled = l.program("conv2d_tiled"), direct = l.program("conv2d_direct");
        fwdTiled = tiled.kernel("conv2d_forward_tiled");
        bwdDataTiled = tiled.kernel("conv2d_backward_data_tiled");
        bwdWeightsTiled = tiled.kernel("conv2d_backward_weights_tiled");
        bwdBias = tiled.kernel("conv2d_backward_bias");
        fwdDirect = direct.kernel("conv2d_forward_direct");
        bwdDataDirect = direct.kernel("conv2d_backward_data_direct");
        bwdWeightsDirect = direct.kernel("conv2d_backward_weights_direct");
    }

    /** y = conv(x, w) + b for all N images over alive filters and channels; y overwritten (unlisted planes 0). */
    public void forward(ClConvShape g, ClBuffer x, ClBuffer w, ClBuffer b, ClBuffer y, ClAlive kAlive, ClAlive cAlive) {
        if (g.groups() == 1) forward(g, x, w, b, y, kAlive, cAlive, fwdTiled, true);
        else forwardDirect(g, x, w, b, y, kAlive, cAlive);
    }

    /** dx += conv_transpose(dy, w) for all N images; dy (N,K,P,Q), dx (N,C,H,W) accumulated (alive channels). */
    public void backwardData(ClConvShape g, ClBuffer dy, ClBuffer w, ClBuffer dx, ClAlive kAlive, ClAlive cAlive) {
        if (g.groups() == 1) backwardData(g, dy, w, dx, kAlive, cAlive, bwdDataTiled, true);
        else backwardDataDirect(g, dy, w, dx, kAlive, cAlive);
    }

    /** dw += Σ_n dy ⋆ x and db += Σ dy (db may be null) over all N images; dw (K,C/G,R,S), db (K) accumulated. */
    public void backwardWeights(
            ClConvShape g, ClBuffer x, ClBuffer dy, ClBuffer dw, ClBuffer db, ClAlive kAlive, ClAlive cAlive) {
        if (g.groups() == 1) backwardWeights(g, x, dy, dw, db, kAlive, cAlive, bwdWeightsTiled, true);
        else backwardWeightsDirect(g, x, dy, dw, db, kAlive, cAlive);
    }

    /** {@link #forward} with one work-item per output; any number of groups. */
    public void forwardDirect(
            ClConvShape g, ClBuffer x, ClBuffer w, ClBuffer b, ClBuffer y, ClAlive kAlive, ClAlive cAlive) {
        forward(g, x, w, b, y, kAlive, cAlive, fwdDirect, false);
    }

    /** {@link #backwardData} with one work-item per input element; any number of groups. */
    public void backwardDataDirect(
            ClConvShape g, ClBuffer dy, ClBuffer w, ClBuffer dx, ClAlive kAlive, ClAlive cAlive) {
        backwardData(g, dy, w, dx, kAlive, cAlive, bwdDataDirect, false);
    }

    /** {@link #backwardWeights} with one work-item per weight; any number of groups. */
    public void backwardWeightsDirect(
            ClConvShape g, ClBuffer x, ClBuffer dy, ClBuffer dw, ClBuffer db, ClAlive kAlive, ClAlive cAlive) {
        backwardWeights(g, x, dy, dw, db, kAlive, cAlive, bwdWeightsDirect, false);
    }

    private void forward(
            ClConvShape g,
            ClBuffer x,
            ClBuffer w,
            ClBuffer b,
            ClBuffer y,
            ClAlive kAlive,
            ClAlive cAlive,
            ClKernel k,
            boolean tiled) {
        int kc = ClLauncher.count(kAlive, g.k()), cc = ClLauncher.count(cAlive, g.c());
        if (g.n() == 0) return;
        if (kc < g.k()) y.fillZero(0, (long) g.n() * g.k() * g.p() * g.q());
        if (kc == 0) return;
        k.arg(0, x)
                .arg(1, w)
                .arg(2, b == null ? l.placeholder() : b)
                .arg(3, b == null ? 0 : 1)
                .arg(4, y);
        int next = shapeArgs(k, 5, g, kAlive, kc, cAlive, cc);
        long pq = (long) g.p() * g.q();
        if (tiled) {
            l.runTiled(k, kc, g.n() * pq);
        } else {
            k.arg(next, g.groups());
            l.run(k, new long[] {pq, kc, g.n()}, new long[] {DIRECT_WG, 1, 1});
        }
    }

    private void backwardData(
            ClConvShape g,
            ClBuffer dy,
            ClBuffer w,
            ClBuffer dx,
            ClAlive kAlive,
            ClAlive cAlive,
            ClKernel k,
            boolean tiled) {
        int kc = ClLauncher.count(kAlive, g.k()), cc = ClLauncher.count(cAlive, g.c());
        if (g.n() == 0 || kc == 0 || cc == 0) return;
        k.arg(0, dy).arg(1, w).arg(2, dx);
        int next = shapeArgs(k, 3, g, kAlive, kc, cAlive, cc);
        long hw = (long) g.h() * g.w();
        if (tiled) {
            l.runTiled(k, cc, g.n() * hw);
        } else {
            k.arg(next, g.groups());
            l.run(k, new long[] {hw, cc, g.n()}, new long[] {DIRECT_WG, 1, 1});
        }
    }

    private void backwardWeights(
            ClConvShape g,
            ClBuffer x,
            ClBuffer dy,
            ClBuffer dw,
            ClBuffer db,
            ClAlive kAlive,
            ClAlive cAlive,
            ClKernel k,
            boolean tiled) {
        int kc = ClLauncher.count(kAlive, g.k()), cc = ClLauncher.count(cAlive, g.c());
        if (g.n() == 0 || kc == 0) return;
        if (cc > 0) {
            k.arg(0, x).arg(1, dy).arg(2, dw);
            int next = shapeArgs(k, 3, g, kAlive, kc, cAlive, cc);
            long cols = (long) cc * g.r() * g.s();
            if (tiled) {
                l.runTiled(k, kc, cols);
            } else {
                k.arg(next, g.groups());
                l.run(k, new long[] {cols, kc}, new long[] {DIRECT_WG, 1});
            }
        }
        if (db != null) {
            bwdBias.arg(0, dy)
                    .arg(1, db)
                    .arg(2, l.indices(kAlive, g.k(), "alive filter"))
                    .arg(3, g.n())
                    .arg(4, g.k())
                    .arg(5, g.p() * g.q());
            l.run(bwdBias, new long[] {(long) kc * l.tuning.reduceWg()}, new long[] {l.tuning.reduceWg()});
        }
    }

    /** Binds (kAlive, kCount, cAlive, cCount, N, C, H, W, K, R, S, P, Q, sh, sw, ph, pw) from {@code at}. */
    private int shapeArgs(ClKernel k, int at, ClConvShape g, ClAlive kAlive, int kc, ClAlive cAlive, int cc) {
        k.arg(at, l.indices(kAlive, g.k(), "alive filter"))
                .arg(at + 1, kc)
                .arg(at + 2, l.indices(cAlive, g.c(), "alive channel"))
                .arg(at + 3, cc)
                .arg(at + 4, g.n())
                .arg(at + 5, g.c())
                .arg(at + 6, g.h())
                .arg(at + 7, g.w())
                .arg(at + 8, g.k())
                .arg(at + 9, g.r())
                .arg(at + 10, g.s())
                .arg(at + 11, g.p())
                .arg(at + 12, g.q())
                .arg(at + 13, g.strideH())
                .arg(at + 14, g.strideW())
                .arg(at + 15, g.padH())
                .arg(at + 16, g.padW());
        return at + 17;
    }
}
