package dev.whittle.nativebind.opencl;

/**
 * Fully connected layer on device buffers, the twin of {@code dev.whittle.kernels.LinearScalar}:
 * x (N,IN), w (OUT,IN), b (OUT) or null, y (N,OUT), row-major float32, tiled GEMM in {@code linear.cl}.
 *
 * <p>Alive lists: {@code oAlive} (output features) and {@code iAlive} (input features), null meaning all.
 * As in the scalar masked variants: forward writes ZERO to the y columns of unlisted outputs (one buffer fill
 * when the list is partial); the backward passes leave dw rows/columns, db entries and dx columns of unlisted
 * features UNTOUCHED. That equals the dense reference on a model whose masked weights and biases are zero.
 */
public final class ClLinear {
    private final ClLauncher l;
    private final ClKernel fwd, bwdData, bwdWeights, bwdBias;

    ClLinear(ClLauncher launcher) {
        this.l = launcher;
        ClProgram p = l.program("linear");
        fwd = p.kernel("linear_forward");
        bwdData = p.kernel("linear_backward_data");
        bwdWeights = p.kernel("linear_backward_weights");
        bwdBias = p.kernel("linear_backward_bias");
    }

    /** y = x·wᵀ + b for rows [0, batch); y overwritten (unlisted columns 0). */
    public void forward(
            int batch,
            int in,
            int out,
            ClBuffer x,
            ClBuffer w,
            ClBuffer b,
            ClBuffer y,
            ClAlive oAlive,
            ClAlive iAlive) {
        int oc = ClLauncher.count(oAlive, out), ic = ClLauncher.count(iAlive, in);
        if (batch == 0) return;
        ClLauncher.checkSize((long) batch * Math.max(in, out), "linear activations");
        if (oc < out) y.fillZero(0, (long) batch * out);
        if (oc == 0) return;
        fwd.arg(0, x)
                .arg(1, w)
                .arg(2, b == null ? l.placeholder() : b)
                .arg(3, b == null ? 0 : 1)
                .arg(4, y);
        bindLists(fwd, 5, in, out, oAlive, oc, iAlive, ic, batch);
        l.runTiled(fwd, oc, batch);
    }

    /** dx += dy·w for rows [0, batch); dy (N,OUT), dx (N,IN) accumulated (alive input columns). */
    public void backwardData(
            int batch, int in, int out, ClBuffer dy, ClBuffer w, ClBuffer dx, ClAlive oAlive, ClAlive iAlive) {
        int oc = ClLauncher.count(oAlive, out), ic = ClLauncher.count(iAlive, in);
        if (batch == 0 || oc == 0 || ic == 0) return;
        bwdData.arg(0, dy).arg(1, w).arg(2, dx);
        bindLists(bwdData, 3, in, out, oAlive, oc, iAlive, ic, batch);
        l.runTiled(bwdData, ic, batch);
    }

    /** dw += dyᵀ·x and db += Σ_n dy (db may be null) over rows [0, batch); dw (OUT,IN), db (OUT) accumulated. */
    public void backwardWeights(
            int batch,
            int in,
            int out,
            ClBuffer x,
            ClBuffer dy,
            ClBuffer dw,
            ClBuffer db,
            ClAlive oAlive,
            ClAlive iAlive) {
        int oc = ClLauncher.count(oAlive, out), ic = ClLauncher.count(iAlive, in);
        if (batch == 0 || oc == 0) return;
        if (ic > 0) {
            bwdWeights.arg(0, x).arg(1, dy).arg(2, dw);
            bindLists(bwdWeights, 3, in, out, oAlive, oc, iAlive, ic, batch);
            l.runTiled(bwdWeights, oc, ic);
        }
        if (db != null) {
            bwdBias.arg(0, dy)
                    .arg(1, db)
                    .arg(2, l.indices(oAlive, out, "alive output"))
                    .arg(3, oc)
                    .arg(4, batch)
                    .arg(5, out);
            l.run1d(bwdBias, oc);
        }
    }

    private void bindLists(
            ClKernel k, int at, int in, int out, ClAlive oAlive, int oc, ClAlive iAlive, int ic, int batch) {
        k.arg(at, l.indices(oAlive, out, "alive output"))
                .arg(at + 1, oc)
                .arg(at + 2, l.indices(iAlive, in, "alive input"))
                .arg(at + 3, ic)
                .arg(at + 4, batch)
                .arg(at + 5, in)
                .arg(at + 6, out);
    }
}
