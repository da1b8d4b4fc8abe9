package dev.whittle.nn;

import dev.whittle.kernels.ConvEpilogue;
import dev.whittle.kernels.ConvGeometry;
import dev.whittle.runtime.Parallel;
import java.util.Arrays;

/**
 * Inference-only fusion of conv → batchnorm2d (→ relu): the batch norm, folded with its running statistics
 * into a per-filter scale and shift, and the ReLU are applied to each block of conv output right after the conv
 * writes it, while it is still in cache, inside the same parallel chunk. That saves the separate batch-norm and
 * ReLU passes over the whole activation (and their two parallel dispatches) per block.
 *
 * <p>Why fold per call rather than once: the scale and shift are recomputed from γ, β and the running
 * statistics on every forward (K scalars, negligible next to the conv), so an inference executor sees training
 * updates to the shared parameters without being rebuilt. Weights are not rewritten: the affine map is applied
 * to the conv output, so the conv kernel and its bias are unchanged.
 *
 * <p>The executor aliases the batch norm's and the ReLU's output buffers to the conv's, so all three nodes
 * share one buffer and the fused result is what later nodes read. Masks: when the conv's alive filters equal
 * the batch norm's alive channels (both null included) the fused path runs on the alive sub-problem; dead
 * filters stay exactly zero, as they do unfused. When they differ (masks being changed, or a mismatch a
 * pruning method left), the three original layers run one after another in place on the shared buffer, which
 * is what the unfused executor computes.
 */
public final class FusedConvBatchNorm {
    private final Conv2d conv;
    private final BatchNorm2d bn;
    private final boolean relu;
    private final NodeContext ctx;
    private final BoundLayer convBound, bnBound, reluBound;
    private final float[] scale, shift;
    private final Parallel.RangeBody body, filterBody;
    private final ConvEpilogue epilogue;
    private final int[][] blockLists;
    private ConvGeometry geom;
    private boolean fusedThisCall;

    /**
     * @param ctx the conv node's context (its output buffer is shared by the batch norm and ReLU nodes)
     * @param reluBound null when no ReLU follows the batch norm
     */
    public FusedConvBatchNorm(
            Conv2d conv,
            BatchNorm2d bn,
            NodeContext ctx,
            BoundLayer convBound,
            BoundLayer bnBound,
            BoundLayer reluBound) {
        if (bn.channels != conv.outChannels)
            throw new IllegalArgumentException(
                    "fused batchnorm2d expects " + conv.outChannels + " channels but found " + bn.channels);
        this.conv = conv;
        this.bn = bn;
        this.relu = reluBound != null;
        this.ctx = ctx;
        this.convBound = convBound;
        this.bnBound = bnBound;
        this.reluBound = reluBound;
        this.scale = new float[conv.outChannels];
        this.shift = new float[conv.outChannels];
        this.blockLists = new int[conv.filterBlocks()][];
        this.geom = conv.geometry(ctx.inShapes[0], ctx.capacity);
        int k = conv.outChannels, pq = ctx.outShape.plane();
        filterBody = (lo, hi) -> {
            int k0 = lo * Conv2d.FILTER_BLOCK, k1 = Math.min(k, hi * Conv2d.FILTER_BLOCK);
            float[] b = conv.bias == null ? null : conv.bias.value();
            ctx.kernels.conv().forwardFilters(geom, ctx.in[0], conv.weight.value(), b, ctx.out, 0, ctx.batch, k0, k1);
            ctx.kernels
                    .norm()
                    .affineInPlace(k, pq, ctx.out, scale, shift, relu, blockList(lo, k0, k1), k1 - k0, 0, ctx.batch);
        };
        epilogue = new ConvEpilogue(scale, shift, relu);
        body = (lo, hi) -> {
            int[] out = conv.aliveFilters(), in = conv.aliveInputs();
            float[] b = conv.bias == null ? null : conv.bias.value();
            // One kernel call for the whole range: the direct convolution packs the weights once per call (and the
            // masked path gathers them once per call), so the earlier blocks of ~256 output columns (one image at
            // 28×28) repacked 128 × 1152 weights per image at 7×7, as much copying as the image's arithmetic. The
            // batch norm and ReLU go with it (forwardThen): on the direct path they are applied as each output row
            // is written, which saves a pass over the output (0.2–0.6 ms a layer at batch 64).
            ctx.kernels
                    .conv()
                    .forwardThen(
                            geom,
                            ctx.in[0],
                            conv.weight.value(),
                            b,
                            ctx.out,
                            out,
                            out == null ? k : out.length,
                            in,
                            in == null ? conv.inChannels : in.length,
                            lo,
                            hi,
                            epilogue);
        };
    }

    /**
     * Channels [k0, k1) as a list for the affine kernel, made once per filter block and kept: the split of
     * blocks over threads is the same on every call, so steady-state calls allocate nothing. Each entry is written
     * and read by the thread that owns that block.
     */
    private int[] blockList(int block, int k0, int k1) {
        int[] list = blockLists[block];
        if (list == null || list.length != k1 - k0 || list[0] != k0) {
            list = new int[k1 - k0];
            for (int i = 0; i < list.length; i++) list[i] = k0 + i;
            blockLists[block] = list;
        }
        return list;
    }

    /** Bound layer for the conv node: the fused forward, or the conv alone when masks differ. */
    public BoundLayer convNode() {
        return new BoundLayer() {
            @Override
            public void forward() {
                // A conv running on a sparse-weight snapshot takes its own (sparse) kernel path unfused: the
                // fused body calls the dense conv kernel.
                fusedThisCall =
                        !ctx.training && !conv.sparse() && Arrays.equals(conv.aliveFilters(), bn.aliveChannels());
                if (!fusedThisCall) {
                    convBound.forward();
                    return;
                }
                fold();
                if (geom.n() != ctx.batch) geom = geom.withBatch(ctx.batch);
                if (conv.splitsByFilters(ctx)) ctx.parallel.forRange(conv.filterBlocks(), filterBody);
                else ctx.parallel.forRange(ctx.batch, body);
            }

            @Override
            public void backward() {
                convBound.backward();
            }
        };
    }

    /** Bound layer for the batch-norm node: nothing when the conv node fused it. */
    public BoundLayer bnNode() {
        return skippedWhenFused(bnBound);
    }

    /** Bound layer for the ReLU node: nothing when the conv node fused it. */
    public BoundLayer reluNode() {
        return skippedWhenFused(reluBound);
    }

    private BoundLayer skippedWhenFused(BoundLayer original) {
        return new BoundLayer() {
            @Override
            public void forward() {
                if (!fusedThisCall) original.forward();
            }

            @Override
            public void backward() {
                original.backward();
            }
        };
    }

    /** scale = γ/√(running var + ε), shift = β − running mean·scale: what batchnorm2d's inference forward uses. */
    private void fold() {
        float[] g = bn.gamma.value(), be = bn.beta.value(), rm = bn.runningMean.value(), rv = bn.runningVar.value();
        for (int c = 0; c < scale.length; c++) {
            float is = (float) (1.0 / Math.sqrt(rv[c] + BatchNorm2d.EPS));
            scale[c] = g[c] * is;
            shift[c] = be[c] - rm[c] * scale[c];
        }
    }
}
