package dev.whittle.nn;

import dev.whittle.kernels.ConvGeometry;
import dev.whittle.kernels.ConvKernels;
import dev.whittle.kernels.Indices;
import java.util.Arrays;

/**
 * One training executor's calls of a masked conv whose input or output is packed ({@link Packed}): the conv as the
 * compact model computes it. Per call the alive filters' rows over the alive (or, unpacked, all) input channels are
 * gathered into a small weight array, the kernels run on the packed planes (an unpacked masked side keeps its alive
 * list), and the weight and bias gradients computed in the small layout are added back into the full ones.
 */
final class PackedConv {
    private final Conv2d conv;
    private final NodeContext ctx;
    private final int rs, h, w;
    // The small layout's weights, bias and their gradients: allocated on the first packed call, so a training
    // executor of an unmasked model carries no copy of the weights.
    private float[] pw, pdw, pb, pdb;
    private ConvGeometry g;
    private int[] rows, cols; // full indices of the small layout's filters and channels (null: all)
    private int[] outList, inList; // alive lists of an unpacked masked side, in the small layout (null: none)
    private int kP, cP;
    /** Whether the current call runs packed (set by {@link #prepare}). */
    boolean active;

    PackedConv(Conv2d conv, NodeContext ctx) {
        this.conv = conv;
        this.ctx = ctx;
        this.rs = conv.kernel * conv.kernel;
        this.h = ctx.inShapes[0].h();
        this.w = ctx.inShapes[0].w();
    }

    /**
     * Decides whether this call runs packed and, if so, sets the small geometry and gathers the weights (forward) or
     * zeroes the small gradients (backward). Returns {@link #active}.
     */
    boolean prepare(boolean forward) {
        int[] out = conv.aliveFilters(), in = conv.aliveInputs();
        boolean packOut = conv.packsOutput() && out != null, packIn = conv.packsInput() && in != null;
        active = packOut || packIn;
        if (!active) return false;
        if (pw == null) {
            int weights = conv.outChannels * conv.inChannels * rs;
            pw = new float[weights];
            pdw = new float[weights];
            pb = conv.bias == null ? null : new float[conv.outChannels];
            pdb = conv.bias == null ? null : new float[conv.outChannels];
        }
        rows = packOut ? out : null;
        cols = packIn ? in : null;
        kP = packOut ? out.length : conv.outChannels;
        cP = packIn ? in.length : conv.inChannels;
        outList = packOut ? null : out;
        inList = packIn ? null : in;
        if (g == null || g.n() != ctx.batch || g.k() != kP || g.c() != cP) {
            g = new ConvGeometry(
                    ctx.batch, cP, h, w, kP, conv.kernel, conv.kernel, conv.stride, conv.stride, conv.pad, conv.pad, 1);
        }
        if (forward) {
            gatherWeights(conv.weight.value(), pw);
            if (pb != null) for (int i = 0; i < kP; i++) pb[i] = conv.bias.value()[row(i)];
        } else {
            Arrays.fill(pdw, 0, kP * cP * rs, 0f);
            if (pdb != null) Arrays.fill(pdb, 0, kP, 0f);
        }
        return true;
    }

    private int row(int i) {
        return rows == null ? i : rows[i];
    }

    private int col(int j) {
        return cols == null ? j : cols[j];
    }

    private void gatherWeights(float[] full, float[] small) {
        for (int i = 0; i < kP; i++) {
            for (int j = 0; j < cP; j++) {
                System.arraycopy(full, (row(i) * conv.inChannels + col(j)) * rs, small, (i * cP + j) * rs, rs);
            }
        }
    }

    /** Images [lo, hi). */
    void forward(int lo, int hi) {
        ConvKernels k = ctx.kernels.conv();
        float[] b = pb;
        if (outList == null && inList == null) k.forward(g, ctx.in[0], pw, b, ctx.out, lo, hi);
        else k.forwardAlive(g, ctx.in[0], pw, b, ctx.out, outs(), outCount(), ins(), inCount(), lo, hi, ctx.outShared);
    }

    /** Filters [lo, hi) of the small layout (positions in an unpacked output's alive list). */
    void backwardWeights(int lo, int hi) {
        ConvKernels k = ctx.kernels.conv();
        if (outList == null && inList == null) k.backwardWeights(g, ctx.in[0], ctx.dOut, pdw, pdb, lo, hi);
        else k.backwardWeightsAlive(g, ctx.in[0], ctx.dOut, pdw, pdb, outs(), outCount(), ins(), inCount(), lo, hi);
    }

    /** Images [lo, hi); a fresh input gradient is written whole (packed) or zeroed first (an unpacked masked side). */
    void backwardData(int lo, int hi) {
        ConvKernels k = ctx.kernels.conv();
        boolean fresh = ctx.dInFresh[0];
        if (fresh && outList == null && inList == null) {
            k.backwardDataInto(g, ctx.dOut, pw, ctx.dIn[0], lo, hi);
            return;
        }
        int perImage = cP * h * w;
        if (fresh) Arrays.fill(ctx.dIn[0], lo * perImage, hi * perImage, 0f);
        if (outList == null && inList == null) k.backwardData(g, ctx.dOut, pw, ctx.dIn[0], lo, hi);
        else k.backwardDataAlive(g, ctx.dOut, pw, ctx.dIn[0], outs(), outCount(), ins(), inCount(), lo, hi);
    }

    /** Adds the small layout's weight and bias gradients into the layer's (after the backward's parallel region). */
    void scatterGradients() {
        float[] dw = conv.weight.grad();
        for (int i = 0; i < kP; i++) {
            for (int j = 0; j < cP; j++) {
                int from = (i * cP + j) * rs, to = (row(i) * conv.inChannels + col(j)) * rs;
                for (int t = 0; t < rs; t++) dw[to + t] += pdw[from + t];
            }
        }
        if (pdb != null) {
            float[] db = conv.bias.grad();
            for (int i = 0; i < kP; i++) db[row(i)] += pdb[i];
        }
    }

    private int[] outs() {
        return outList == null ? Indices.all(kP) : outList;
    }

    private int outCount() {
        return outList == null ? kP : outList.length;
    }

    private int[] ins() {
        return inList == null ? Indices.all(cP) : inList;
    }

    private int inCount() {
        return inList == null ? cP : inList.length;
    }
}
