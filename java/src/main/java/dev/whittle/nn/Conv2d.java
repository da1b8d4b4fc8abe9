package dev.whittle.nn;

import dev.whittle.kernels.ConvGeometry;
import dev.whittle.kernels.Indices;
import dev.whittle.kernels.SparseKernels;
import dev.whittle.kernels.SparseRows;
import dev.whittle.runtime.Parallel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/** 2-D convolution: weight (K, C/groups, R, S), optional bias (K). Square kernels, equal stride/padding. */
public final class Conv2d implements Layer {
    public final int inChannels, outChannels, kernel, stride, pad, groups;
    public final Param weight;
    public final Param bias; // null when the conv has no bias (followed by BN)

    // Channel masks (pruning): alive filters and alive input channels, increasing; null = all alive.
    private int[] aliveOut, aliveIn;
    private volatile boolean packOut, packIn;

    // Fine-grained sparsity, inference only: a CSR snapshot of the weights and the kernels that run it (null =
    // dense). Set by prune/SparseInference only where the layer's density is below the measured break-even.
    private SparseRows sparseWeight;
    private SparseKernels sparseKernels;

    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int pad, boolean bias, int groups) {
        if (groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException(
                    "conv2d groups " + groups + " must divide in " + inChannels + " and out " + outChannels);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.pad = pad;
        this.groups = groups;
        this.weight = Param.trainable("weight", outChannels, inChannels / groups, kernel, kernel);
        this.bias = bias ? Param.trainable("bias", outChannels) : null;
    }

    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int pad, boolean bias) {
        this(inChannels, outChannels, kernel, stride, pad, bias, 1);
    }

    @Override
    public boolean writesFreshGradient() {
        return true;
    }

    @Override
    public String op() {
        return "conv2d";
    }

    @Override
    public Map<String, Integer> attrs() {
        Map<String, Integer> a = new LinkedHashMap<>();
        a.put("in", inChannels);
        a.put("out", outChannels);
        a.put("kernel", kernel);
        a.put("stride", stride);
        a.put("pad", pad);
        a.put("bias", bias == null ? 0 : 1);
        a.put("groups", groups);
        return a;
    }

    /**
     * Restricts computation to alive filters and alive input channels (null = all). Dead filters' outputs are
     * exactly zero and cost no arithmetic, in forward and backward.
     */
    public void setAlive(int[] out, int[] in) {
        if (out != null) Indices.check(out, out.length, outChannels, "conv2d alive filters");
        if (in != null) Indices.check(in, in.length, inChannels, "conv2d alive input channels");
        if ((out != null || in != null) && groups != 1)
            throw new IllegalArgumentException("grouped conv2d cannot be masked");
        aliveOut = out == null || out.length == outChannels ? null : out.clone();
        aliveIn = in == null || in.length == inChannels ? null : in.clone();
    }

    /**
     * Whether training executors store this conv's output (its alive filters' planes) and read its input (the alive
     * channels' planes) packed ({@link Packed}); set by mask binding.
     */
    public void setPacked(boolean out, boolean in) {
        packOut = out;
        packIn = in;
    }

    boolean packsOutput() {
        return packOut;
    }

    boolean packsInput() {
        return packIn;
    }

    /** Alive filters (increasing), or null when all are alive. The layer's own list: do not modify it. */
    public int[] aliveFilters() {
        return aliveOut;
    }

    /** Alive input channels (increasing), or null when all are alive. The layer's own list: do not modify it. */
    public int[] aliveInputs() {
        return aliveIn;
    }

    /**
     * Threads split a layer by blocks of this many filters when the batch is smaller than the thread count
     * (batch-1 latency): 8 is the vector kernels' register-tile height, so a block is whole tiles.
     */
    static final int FILTER_BLOCK = 8;

    /** Number of {@link #FILTER_BLOCK}-filter blocks. */
    int filterBlocks() {
        return (outChannels + FILTER_BLOCK - 1) / FILTER_BLOCK;
    }

    /**
     * Whether a forward over {@code ctx}'s batch should split by filters instead of images: fewer images than
     * threads (splitting by images would leave threads idle), an unmasked layer, and at least one block per thread.
     */
    boolean splitsByFilters(NodeContext ctx) {
        return ctx.batch < ctx.parallel.threads() && !masked() && filterBlocks() >= ctx.parallel.threads();
    }

    public boolean masked() {
        return aliveOut != null || aliveIn != null;
    }

    /**
     * Runs inference forward passes on these sparse weights (K rows of C/G·R·S) with these kernels; null, null
     * returns to the dense kernels. Training passes always use the dense weights.
     */
    public void setSparse(SparseRows w, SparseKernels kernels) {
        if ((w == null) != (kernels == null)) throw new IllegalArgumentException("sparse weights need their kernels");
        if (w != null) w.check(outChannels, weight.size() / outChannels, "conv2d sparse weights");
        sparseWeight = w;
        sparseKernels = kernels;
    }

    public boolean sparse() {
        return sparseWeight != null;
    }

    public ConvGeometry geometry(Shape in, int batch) {
        if (in.c() != inChannels) {
            throw new IllegalArgumentException("conv2d expects " + inChannels + " input channels but found " + in.c());
        }
        return new ConvGeometry(
                batch, inChannels, in.h(), in.w(), outChannels, kernel, kernel, stride, stride, pad, pad, groups);
    }

    @Override
    public Shape outputShape(Shape[] in) {
        ConvGeometry g = geometry(in[0], 1);
        return new Shape(outChannels, g.p(), g.q());
    }

    @Override
    public long macs(Shape[] in) {
        return geometry(in[0], 1).macsPerImage();
    }

    @Override
    public List<Param> params() {
        List<Param> p = new ArrayList<>();
        p.add(weight);
        if (bias != null) p.add(bias);
        return p;
    }

    /**
     * He (Kaiming) normal in fan-out mode, gain √2, as torchvision initialises convs: std = √(2/(K·R·S)).
     * Measured on LeNet-5 with the reference recipe (30 epochs, seed 42): fan-out 91.10 % test accuracy,
     * fan-in 90.76 % — the PyTorch reference runs reached 91.05–91.26 %.
     */
    @Override
    public void initialize(RandomGenerator rng) {
        double std = Math.sqrt(2.0 / (outChannels * kernel * kernel));
        float[] w = weight.value();
        for (int i = 0; i < w.length; i++) w[i] = (float) (rng.nextGaussian() * std);
        if (bias != null) java.util.Arrays.fill(bias.value(), 0f);
    }

    private static final int[] NONE = new int[0];

    private int[] out() {
        return aliveOut == null ? Indices.all(outChannels) : aliveOut;
    }

    private int outCount() {
        return aliveOut == null ? outChannels : aliveOut.length;
    }

    private int[] in() {
        return aliveIn == null ? Indices.all(inChannels) : aliveIn;
    }

    private int inCount() {
        return aliveIn == null ? inChannels : aliveIn.length;
    }

    @Override
    public BoundLayer bind(NodeContext ctx) {
        return new Bound(ctx);
    }

    private final class Bound implements BoundLayer {
        private final NodeContext ctx;
        private ConvGeometry geom;
        private int[] cleared = NONE; // the alive filter list whose dead planes the owned output last had cleared
        private final Parallel.RangeBody fwd, fwdFilters, bwdData, bwdWeights, sideBySide;
        // Two-thread backward balance: the weight-gradient thread also takes data-gradient images [0, lent); the
        // times of the last call's two parts (smoothed) set the next call's lent. Written by one thread each.
        private int lent;
        // -Dwhittle.conv.lend=N fixes the lent images (0: never lend) for A/B runs and tests; read at bind time.
        private final int fixedLend = lendProperty();
        private long weightNanos, dataNanos;
        private double weightEstimate, dataPerImageEstimate;
        private final PackedConv packed;

        Bound(NodeContext ctx) {
            this.ctx = ctx;
            this.geom = geometry(ctx.inShapes[0], ctx.capacity);
            this.packed = Packed.executorPacks(ctx) ? new PackedConv(Conv2d.this, ctx) : null;
            float[] b = bias == null ? null : bias.value();
            float[] db = bias == null ? null : bias.grad();
            // Masked: the backend's alive-list kernels (by default, its dense kernel on the gathered alive
            // sub-problem), so dead channels cost nothing. Dead output planes read 0: an output this node owns has
            // them cleared once per alive set (forward()), a shared one every call.
            fwd = (lo, hi) -> {
                if (packed != null && packed.active) packed.forward(lo, hi);
                else if (sparseWeight != null && !ctx.training && !masked())
                    sparseKernels.convForward(geom, ctx.in[0], sparseWeight, b, ctx.out, lo, hi);
                else if (!masked()) ctx.kernels.conv().forward(geom, ctx.in[0], weight.value(), b, ctx.out, lo, hi);
                else
                    ctx.kernels
                            .conv()
                            .forwardAlive(
                                    geom,
                                    ctx.in[0],
                                    weight.value(),
                                    b,
                                    ctx.out,
                                    out(),
                                    outCount(),
                                    in(),
                                    inCount(),
                                    lo,
                                    hi,
                                    ctx.outShared);
            };
            fwdFilters = (lo, hi) -> ctx.kernels
                    .conv()
                    .forwardFilters(
                            geom,
                            ctx.in[0],
                            weight.value(),
                            b,
                            ctx.out,
                            0,
                            ctx.batch,
                            lo * FILTER_BLOCK,
                            Math.min(outChannels, hi * FILTER_BLOCK));
            int inSize = ctx.inShapes[0].size();
            bwdData = (lo, hi) -> {
                if (packed != null && packed.active) {
                    packed.backwardData(lo, hi);
                    return;
                }
                // A fresh input gradient (this conv its only writer) is zeroed here, image range by image range on
                // the thread that then accumulates into it, instead of by the executor in a serial pass.
                if (ctx.dInFresh[0] && !masked()) {
                    ctx.kernels.conv().backwardDataInto(geom, ctx.dOut, weight.value(), ctx.dIn[0], lo, hi);
                    return;
                }
                if (ctx.dInFresh[0]) java.util.Arrays.fill(ctx.dIn[0], lo * inSize, hi * inSize, 0f);
                if (!masked()) ctx.kernels.conv().backwardData(geom, ctx.dOut, weight.value(), ctx.dIn[0], lo, hi);
                else
                    ctx.kernels
                            .conv()
                            .backwardDataAlive(
                                    geom,
                                    ctx.dOut,
                                    weight.value(),
                                    ctx.dIn[0],
                                    out(),
                                    outCount(),
                                    in(),
                                    inCount(),
                                    lo,
                                    hi);
            };
            bwdWeights = (lo, hi) -> {
                if (packed != null && packed.active) packed.backwardWeights(lo, hi);
                else if (!masked())
                    ctx.kernels.conv().backwardWeights(geom, ctx.in[0], ctx.dOut, weight.grad(), db, lo, hi);
                else
                    ctx.kernels
                            .conv()
                            .backwardWeightsAlive(
                                    geom,
                                    ctx.in[0],
                                    ctx.dOut,
                                    weight.grad(),
                                    db,
                                    out(),
                                    outCount(),
                                    in(),
                                    inCount(),
                                    lo,
                                    hi);
            };
            // Index 0 = all weight gradients and the data gradient of images [0, lent), index 1 = the data gradient
            // of the others (see backward()).
            sideBySide = (lo, hi) -> {
                for (int i = lo; i < hi; i++) {
                    long t0 = System.nanoTime();
                    if (i == 0) {
                        bwdWeights.run(0, outCount());
                        weightNanos = System.nanoTime() - t0;
                        if (lent > 0) bwdData.run(0, lent);
                    } else {
                        bwdData.run(lent, ctx.batch);
                        dataNanos = System.nanoTime() - t0;
                    }
                }
            };
        }

        private void sync() {
            if (geom.n() != ctx.batch) geom = geom.withBatch(ctx.batch);
        }

        /**
         * Sets the next two-thread backward's lent images so both threads finish together: with W the weight
         * gradient's time and d the data gradient's per image, thread 0 does W + lent·d and thread 1 (N − lent)·d,
         * equal at lent = (N·d − W) / 2d. ResNet-20's stride-2 layers had one thread idle a third of their backward
         * (data gradient 8.6 ms on im2col against 4.1 ms of weights, 16→32 at 28×28, batch 128). Which thread
         * computes an image's dx does not change its value, so results stay independent of the split.
         */
        private void balance() {
            if (fixedLend >= 0) return;
            int others = ctx.batch - lent;
            if (others <= 0 || dataNanos <= 0) return;
            double perImage = dataNanos / (double) others;
            // Smoothed over calls: one noisy step (a descheduled thread) should not swing the split.
            weightEstimate = weightEstimate == 0 ? weightNanos : 0.7 * weightEstimate + 0.3 * weightNanos;
            dataPerImageEstimate = dataPerImageEstimate == 0 ? perImage : 0.7 * dataPerImageEstimate + 0.3 * perImage;
            // Only a clear imbalance is worth a second data-gradient call, which repeats its per-call setup (the
            // transposed weights, and for Winograd their transform): lending on VGG-small, whose two parts are
            // within a third of each other, measured 0.97–0.99× against 1.04–1.05× on ResNet-20.
            double data = ctx.batch * dataPerImageEstimate;
            if (data < 1.5 * weightEstimate) {
                lent = 0;
                return;
            }
            double target = (data - weightEstimate) / (2 * dataPerImageEstimate);
            lent = (int) Math.max(0, Math.min(ctx.batch / 2, Math.round(target)));
        }

        @Override
        public void forward() {
            sync();
            if (packed != null) packed.prepare(true);
            int[] a = aliveOut;
            if (masked() && !ctx.outShared && a != cleared) {
                java.util.Arrays.fill(ctx.out, 0f);
                cleared = a;
            }
            if (splitsByFilters(ctx) && (sparseWeight == null || ctx.training)) {
                ctx.parallel.forRange(filterBlocks(), fwdFilters);
            } else {
                ctx.parallel.forRange(ctx.batch, fwd);
            }
        }

        @Override
        public void backward() {
            sync();
            if (packed != null && packed.prepare(false)) {
                backwardSplit();
                packed.scatterGradients();
                return;
            }
            backwardSplit();
        }

        private void backwardSplit() {
            // On two threads, one computes every weight gradient while the other computes every data gradient:
            // the two GEMMs are the same size, and splitting the weight gradient by filter instead would make
            // both threads im2col all N images and run half-width GEMMs. Each output is still written by one
            // thread in one fixed order, so results do not depend on the thread count.
            if (ctx.dIn[0] != null && ctx.parallel.threads() == 2) {
                // A fixed share, or the last call's, never more than half of this call's (perhaps smaller) batch.
                lent = Math.min(fixedLend >= 0 ? fixedLend : lent, ctx.batch / 2);
                ctx.parallel.forRange(2, 1, sideBySide);
                balance();
                return;
            }
            ctx.parallel.forRange(outCount(), bwdWeights);
            if (ctx.dIn[0] != null) ctx.parallel.forRange(ctx.batch, bwdData);
        }
    }

    private static int lendProperty() {
        String v = System.getProperty("whittle.conv.lend", "auto");
        if (v.equals("auto")) return -1;
        try {
            int n = Integer.parseInt(v);
            if (n >= 0) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("whittle.conv.lend expected auto or a count of images >= 0 but found " + v);
    }
}
