package dev.whittle.nn;

import dev.whittle.kernels.ConvEpilogue;
import dev.whittle.kernels.ConvGeometry;
import dev.whittle.runtime.Parallel;
import java.util.Arrays;

/**
 * Inference-only fusion of conv → batchnorm2d (→ relu): the batch norm, folded with its running statistics
 * into a per-filter scale and shift, and the ReLU are applied to each block of conv output right after the conv
 * writes it, while it is still in cache, inside the same parallel chunk. That saves the separate batch-norm and
 * ReLU passes over the whole activation (and their two parallel dispatches) per block. A conv → relu chain with no
 * batch norm (LeNet-5) runs the same way with an identity affine map.
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
    private final Parallel.RangeBody body, filterBody, rowBody;
    private final ConvEpilogue epilogue;
    private final int[][] blockLists;
    private ConvGeometry geom;
    private boolean fusedThisCall, residualThisCall;
    // A residual chain (conv → bn → add → relu): the add's context, which of its inputs is the shortcut, its bound
    // layer; null/−1 for a plain chain. The batch norm's own epilogue then has no ReLU (the ReLU follows the add).
    private final NodeContext addCtx;
    private final int shortcut;
    private final BoundLayer addBound;
    private ConvEpilogue residualEpilogue, current;
    // A 2×2 max pool reading the chain (null if none): when the chain fuses unmasked (pooledThisCall) its output is
    // written by the conv's epilogue over whole images, or by each thread of the batch-1 filter split for its own
    // planes; else the pool runs as its own node.
    private final MaxPool2d pool;
    private final BoundLayer poolBound;
    private final ConvEpilogue pooledEpilogue;
    private boolean pooledThisCall;

    /**
     * A chain conv → batchnorm2d (→ relu), conv → relu ({@code bn} and {@code bnBound} null: an identity affine map),
     * or the residual chain conv → batchnorm2d → add (→ relu): there the add's
     * other input (input {@code shortcut} of the add, computed before the conv runs) is added in the same epilogue, and the ReLU after the add applied there too,
     * when the conv is unmasked and not split by filters this call; otherwise the add and ReLU run in place on the
     * shared buffer after the fused conv and batch norm.
     *
     * @param ctx the conv node's context (its output buffer is shared by the batch norm, add and ReLU nodes)
     * @param addCtx the add node's context (its output shares the conv's buffer), or null for a plain chain
     * @param reluBound the ReLU after the add (or after the batch norm in a plain chain), or null
     */
    public FusedConvBatchNorm(
            Conv2d conv,
            BatchNorm2d bn,
            NodeContext ctx,
            BoundLayer convBound,
            BoundLayer bnBound,
            NodeContext addCtx,
            int shortcut,
            BoundLayer addBound,
            BoundLayer reluBound,
            MaxPool2d pool,
            NodeContext poolCtx,
            BoundLayer poolBound) {
        if (bn != null && bn.channels != conv.outChannels)
            throw new IllegalArgumentException(
                    "fused batchnorm2d expects " + conv.outChannels + " channels but found " + bn.channels);
        this.conv = conv;
        this.bn = bn;
        this.relu = reluBound != null && addCtx == null;
        this.addCtx = addCtx;
        this.shortcut = shortcut;
        this.addBound = addBound;
        this.ctx = ctx;
        this.convBound = convBound;
        this.bnBound = bnBound;
        this.reluBound = reluBound;
        this.scale = new float[conv.outChannels];
        this.shift = new float[conv.outChannels];
        this.blockLists = new int[conv.filterBlocks()][];
        this.geom = conv.geometry(ctx.inShapes[0], ctx.capacity);
        int k = conv.outChannels, pq = ctx.outShape.plane();
        epilogue = new ConvEpilogue(scale, shift, relu);
        current = epilogue;
        this.pool = pool;
        this.poolBound = poolBound;
        this.pooledEpilogue = pool == null ? null : epilogue.pooledInto(poolCtx.out);
        filterBody = (lo, hi) -> {
            int k0 = lo * Conv2d.FILTER_BLOCK, k1 = Math.min(k, hi * Conv2d.FILTER_BLOCK);
            float[] b = conv.bias == null ? null : conv.bias.value();
            ctx.kernels.conv().forwardFilters(geom, ctx.in[0], conv.weight.value(), b, ctx.out, 0, ctx.batch, k0, k1);
            ctx.kernels
                    .norm()
                    .affineInPlace(k, pq, ctx.out, scale, shift, relu, blockList(lo, k0, k1), k1 - k0, 0, ctx.batch);
            if (residualThisCall) {
                // The residual add and its ReLU over this thread's planes, in the order the kernel's epilogue uses
                // (affine, add, ReLU), so the split gives the same bits; as nodes of their own they were two more
                // parallel regions per block (5 % of ResNet-20's batch-1 time on two threads).
                float[] shortcutIn = addCtx.in[shortcut];
                for (int n = 0; n < ctx.batch; n++) {
                    int lo0 = (n * k + k0) * pq, hi0 = (n * k + k1) * pq;
                    ctx.kernels.elementwise().add(ctx.out, shortcutIn, ctx.out, lo0, hi0);
                    if (reluBound != null) ctx.kernels.elementwise().reluForward(ctx.out, ctx.out, lo0, hi0);
                }
            }
            if (pooledThisCall) {
                // This thread's planes pooled while in cache: a pool node of its own was another parallel region
                // and another pass (4 % of VGG-small's batch-1 time on two threads).
                for (int n = 0; n < ctx.batch; n++) {
                    ctx.kernels
                            .pool()
                            .maxForwardInference(
                                    geom.p(),
                                    geom.q(),
                                    2,
                                    2,
                                    0,
                                    ctx.out,
                                    pooledEpilogue.pooled(),
                                    n * k + k0,
                                    n * k + k1);
                }
            }
        };
        rowBody = (lo, hi) -> {
            float[] b = conv.bias == null ? null : conv.bias.value();
            int parts = ctx.parallel.threads();
            for (int part = lo; part < hi; part++) {
                boolean pooled = ctx.kernels
                        .conv()
                        .forwardRowsThen(
                                geom, ctx.in[0], conv.weight.value(), b, ctx.out, 0, ctx.batch, part, parts, current);
                if (current.pooled() != null && !pooled)
                    throw new IllegalStateException("a row split left the fused max pool unwritten: " + geom);
            }
        };
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
                            current);
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
                fusedThisCall = !ctx.training
                        && !conv.sparse()
                        && (bn == null || Arrays.equals(conv.aliveFilters(), bn.aliveChannels()));
                pooledThisCall = false;
                if (!fusedThisCall) {
                    convBound.forward();
                    return;
                }
                fold();
                if (geom.n() != ctx.batch) geom = geom.withBatch(ctx.batch);
                boolean byFilters = conv.splitsByFilters(ctx);
                // A layer whose kernel transforms its whole input per call (Winograd) splits by output rows
                // instead: split by filters, every thread would transform the whole input (VGG-small's conv2 at
                // batch 1 ran 1.3–1.5× faster on two threads where its direct-path neighbours ran 1.6–2×).
                boolean byRows = byFilters && ctx.kernels.conv().splitsRows(geom, ctx.batch);
                boolean inKernel = !byFilters || byRows;
                // The shortcut joins only an unmasked conv (a masked one writes only its alive planes): in the
                // kernel's epilogue, or after the batch-norm pass of each thread's filter block.
                residualThisCall = addCtx != null && conv.aliveFilters() == null;
                current = residualThisCall && inKernel ? residualEpilogue() : epilogue;
                pooledThisCall = pool != null && conv.aliveFilters() == null && pool.aliveChannels() == null;
                if (pooledThisCall && inKernel) current = pooledEpilogue;
                if (byRows) ctx.parallel.forRange(ctx.parallel.threads(), rowBody);
                else if (byFilters) ctx.parallel.forRange(conv.filterBlocks(), filterBody);
                else ctx.parallel.forRange(ctx.batch, body);
            }

            @Override
            public void backward() {
                convBound.backward();
            }
        };
    }

    /** Bound layer for the max-pool node: nothing when the conv node's epilogue pooled into its output. */
    public BoundLayer poolNode() {
        return new BoundLayer() {
            @Override
            public void forward() {
                if (!pooledThisCall) poolBound.forward();
            }

            @Override
            public void backward() {
                poolBound.backward();
            }
        };
    }

    /** Bound layer for the batch-norm node: nothing when the conv node fused it. */
    public BoundLayer bnNode() {
        return skippedWhenFused(bnBound, false);
    }

    /** Bound layer for the ReLU node: nothing when the conv node fused it. */
    public BoundLayer reluNode() {
        return addCtx == null ? skippedWhenFused(reluBound, false) : skippedWhenFused(reluBound, true);
    }

    /** Bound layer for the add node of a residual chain: nothing when the conv node added the shortcut. */
    public BoundLayer addNode() {
        return skippedWhenFused(addBound, true);
    }

    /** The residual epilogue over the add's shortcut input, made again only when that buffer changes. */
    private ConvEpilogue residualEpilogue() {
        float[] r = addCtx.in[shortcut];
        if (residualEpilogue == null || residualEpilogue.residual() != r)
            residualEpilogue = new ConvEpilogue(scale, shift, reluBound != null, r);
        return residualEpilogue;
    }

    private BoundLayer skippedWhenFused(BoundLayer original, boolean afterAdd) {
        return new BoundLayer() {
            @Override
            public void forward() {
                if (!(afterAdd ? fusedThisCall && residualThisCall : fusedThisCall)) original.forward();
            }

            @Override
            public void backward() {
                original.backward();
            }
        };
    }

    /** scale = γ/√(running var + ε), shift = β − running mean·scale: what batchnorm2d's inference forward uses. */
    private void fold() {
        if (bn == null) {
            Arrays.fill(scale, 1f); // conv → relu: y = max(1·(conv + b) + 0, 0), bit for bit the unfused ReLU's
            Arrays.fill(shift, 0f);
            return;
        }
        float[] g = bn.gamma.value(), be = bn.beta.value(), rm = bn.runningMean.value(), rv = bn.runningVar.value();
        for (int c = 0; c < scale.length; c++) {
            float is = (float) (1.0 / Math.sqrt(rv[c] + BatchNorm2d.EPS));
            scale[c] = g[c] * is;
            shift[c] = be[c] - rm[c] * scale[c];
        }
    }
}
