package dev.whittle.nn;

import dev.whittle.kernels.AliveSubproblem;
import dev.whittle.kernels.Indices;
import dev.whittle.kernels.SparseKernels;
import dev.whittle.kernels.SparseRows;
import dev.whittle.runtime.Parallel;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/** Fully connected: weight (OUT, IN), bias (OUT). Input must be a feature vector (flatten first). */
public final class Linear implements Layer {
    public final int in, out;
    public final Param weight, bias;

    // Masks (pruning): alive output rows and alive input columns, increasing; null = all alive.
    private int[] aliveOut, aliveIn;

    // Fine-grained sparsity, inference only: a CSR snapshot of the weights and its kernels (null = dense).
    private SparseRows sparseWeight;
    private SparseKernels sparseKernels;

    public Linear(int in, int out) {
        this.in = in;
        this.out = out;
        weight = Param.trainable("weight", out, in);
        bias = Param.trainable("bias", out);
    }

    /** Restricts computation to alive rows and columns (null = all); dead rows output exactly zero. */
    public void setAlive(int[] outRows, int[] inColumns) {
        if (outRows != null) Indices.check(outRows, outRows.length, out, "linear alive rows");
        if (inColumns != null) Indices.check(inColumns, inColumns.length, in, "linear alive columns");
        aliveOut = outRows == null || outRows.length == out ? null : outRows.clone();
        aliveIn = inColumns == null || inColumns.length == in ? null : inColumns.clone();
    }

    public boolean masked() {
        return aliveOut != null || aliveIn != null;
    }

    // Whether a training executor hands this layer its alive input columns packed (Packed); set by mask binding.
    private volatile boolean packIn;

    public void setPacked(boolean in) {
        packIn = in;
    }

    /** Alive output rows, or null when all are alive; a new array after each {@link #setAlive}. Do not modify. */
    public int[] aliveOut() {
        return aliveOut;
    }

    /** Alive input columns, or null when all are alive; a new array after each {@link #setAlive}. Do not modify. */
    public int[] aliveIn() {
        return aliveIn;
    }

    /** Runs inference forward passes on these sparse weights (OUT rows of IN); null, null = dense again. */
    public void setSparse(SparseRows w, SparseKernels kernels) {
        if ((w == null) != (kernels == null)) throw new IllegalArgumentException("sparse weights need their kernels");
        if (w != null) w.check(out, in, "linear sparse weights");
        sparseWeight = w;
        sparseKernels = kernels;
    }

    public boolean sparse() {
        return sparseWeight != null;
    }

    private int[] rows() {
        return aliveOut == null ? Indices.all(out) : aliveOut;
    }

    private int rowCount() {
        return aliveOut == null ? out : aliveOut.length;
    }

    private int[] cols() {
        return aliveIn == null ? Indices.all(in) : aliveIn;
    }

    private int colCount() {
        return aliveIn == null ? in : aliveIn.length;
    }

    @Override
    public String op() {
        return "linear";
    }

    @Override
    public Map<String, Integer> attrs() {
        Map<String, Integer> a = new LinkedHashMap<>();
        a.put("in", in);
        a.put("out", out);
        return a;
    }

    @Override
    public Shape outputShape(Shape[] s) {
        if (s[0].size() != in || s[0].plane() != 1) {
            throw new IllegalArgumentException("linear expects " + in + " input features but found " + s[0]);
        }
        return Shape.features(out);
    }

    @Override
    public long macs(Shape[] s) {
        return (long) in * out;
    }

    @Override
    public List<Param> params() {
        return List.of(weight, bias);
    }

    /**
     * PyTorch's nn.Linear scale, std 1/√(3·fan_in) (drawn normal), bias zero. He gain √2 here made LeNet-5
     * overfit (train 96.4 %, test 90.25 % after 30 epochs) and, on the classifier, gave initial logits of
     * std ≈ 4 that let lr 0.05 collapse the network on some seeds; this scale reaches 91.1 % with fan-out He convs.
     */
    @Override
    public void initialize(RandomGenerator rng) {
        double std = 1.0 / Math.sqrt(3.0 * in);
        float[] w = weight.value();
        for (int i = 0; i < w.length; i++) w[i] = (float) (rng.nextGaussian() * std);
        Arrays.fill(bias.value(), 0f);
    }

    /**
     * With fewer images than threads (batch-1 latency), layers with at least this many weights split their outputs
     * across threads: VGG-small's fc1 (295k) does, LeNet-5's fc1 (48k), whose product takes a few microseconds —
     * about what waking a worker costs — does not.
     */
    static final long SPLIT_MACS = 1 << 16;

    @Override
    public BoundLayer bind(NodeContext ctx) {
        // Packed input (a training executor, after a flatten of packed planes): x holds the alive columns only, so
        // the weights' alive columns are gathered per forward into w' (OUT × m) and the layer is dense on m inputs
        // (alive rows, if any, through the gathered sub-problem); the weight gradient of w' goes back to its columns.
        boolean packs = Packed.executorPacks(ctx);
        // w' and its gradient, allocated on the first packed call (an unmasked model's executor carries no copy).
        float[][] small = new float[2][];
        int[] pm = new int[1]; // packed columns of the call in flight
        Parallel.RangeBody fwdPacked = (lo, hi) -> {
            int m = pm[0];
            if (aliveOut == null)
                ctx.kernels.linear().forward(m, out, ctx.in[0], small[0], bias.value(), ctx.out, lo, hi);
            else
                AliveSubproblem.linearForward(
                        ctx.kernels.linear(),
                        m,
                        out,
                        ctx.in[0],
                        small[0],
                        bias.value(),
                        ctx.out,
                        aliveOut,
                        aliveOut.length,
                        Indices.all(m),
                        m,
                        lo,
                        hi);
        };
        Parallel.RangeBody bwdDataPacked = (lo, hi) -> {
            int m = pm[0];
            if (aliveOut == null) ctx.kernels.linear().backwardData(m, out, ctx.dOut, small[0], ctx.dIn[0], lo, hi);
            else
                AliveSubproblem.linearBackwardData(
                        ctx.kernels.linear(),
                        m,
                        out,
                        ctx.dOut,
                        small[0],
                        ctx.dIn[0],
                        aliveOut,
                        aliveOut.length,
                        Indices.all(m),
                        m,
                        lo,
                        hi);
        };
        Parallel.RangeBody bwdWPacked = (lo, hi) -> {
            int m = pm[0];
            if (aliveOut == null)
                ctx.kernels
                        .linear()
                        .backwardWeights(ctx.batch, m, out, ctx.in[0], ctx.dOut, small[1], bias.grad(), lo, hi);
            else
                AliveSubproblem.linearBackwardWeights(
                        ctx.kernels.linear(),
                        ctx.batch,
                        m,
                        out,
                        ctx.in[0],
                        ctx.dOut,
                        small[1],
                        bias.grad(),
                        aliveOut,
                        Indices.all(m),
                        m,
                        lo,
                        hi);
        };
        // Masked: the backend's dense kernel runs on the gathered alive sub-problem.
        Parallel.RangeBody fwd = (lo, hi) -> {
            if (sparseWeight != null && !ctx.training && !masked())
                sparseKernels.linearForward(in, out, ctx.in[0], sparseWeight, bias.value(), ctx.out, lo, hi);
            else if (!masked())
                ctx.kernels.linear().forward(in, out, ctx.in[0], weight.value(), bias.value(), ctx.out, lo, hi);
            else
                AliveSubproblem.linearForward(
                        ctx.kernels.linear(),
                        in,
                        out,
                        ctx.in[0],
                        weight.value(),
                        bias.value(),
                        ctx.out,
                        rows(),
                        rowCount(),
                        cols(),
                        colCount(),
                        lo,
                        hi);
        };
        Parallel.RangeBody fwdOutputs = (lo, hi) -> ctx.kernels
                .linear()
                .forwardOutputs(in, out, ctx.in[0], weight.value(), bias.value(), ctx.out, 0, ctx.batch, lo, hi);
        Parallel.RangeBody bwdData = (lo, hi) -> {
            if (!masked()) ctx.kernels.linear().backwardData(in, out, ctx.dOut, weight.value(), ctx.dIn[0], lo, hi);
            else
                AliveSubproblem.linearBackwardData(
                        ctx.kernels.linear(),
                        in,
                        out,
                        ctx.dOut,
                        weight.value(),
                        ctx.dIn[0],
                        rows(),
                        rowCount(),
                        cols(),
                        colCount(),
                        lo,
                        hi);
        };
        Parallel.RangeBody bwdW = (lo, hi) -> {
            if (!masked())
                ctx.kernels
                        .linear()
                        .backwardWeights(ctx.batch, in, out, ctx.in[0], ctx.dOut, weight.grad(), bias.grad(), lo, hi);
            else
                AliveSubproblem.linearBackwardWeights(
                        ctx.kernels.linear(),
                        ctx.batch,
                        in,
                        out,
                        ctx.in[0],
                        ctx.dOut,
                        weight.grad(),
                        bias.grad(),
                        rows(),
                        cols(),
                        colCount(),
                        lo,
                        hi);
        };
        return new BoundLayer() {
            private int[] packedColumns() {
                int[] cols = aliveIn;
                return packs && packIn && cols != null ? cols : null;
            }

            @Override
            public void forward() {
                int[] cols = packedColumns();
                if (cols != null) {
                    int m = cols.length;
                    pm[0] = m;
                    if (small[0] == null) {
                        small[0] = new float[out * in];
                        small[1] = new float[out * in];
                    }
                    float[] wv = weight.value(), pw = small[0];
                    for (int o = 0; o < out; o++) {
                        for (int j = 0; j < m; j++) pw[o * m + j] = wv[o * in + cols[j]];
                    }
                    ctx.parallel.forRange(ctx.batch, fwdPacked);
                    return;
                }
                boolean dense = !masked() && (sparseWeight == null || ctx.training);
                // By outputs at batch 1, and whenever the layer has more outputs than the batch has rows: the GEMM
                // packs its share of w on each thread, so a split by images packed all of w twice (VGG-small's fc1
                // at batch 64: 1.2 MB per thread, and no gain from the second thread).
                boolean byOutputs = ctx.batch < ctx.parallel.threads() || out > ctx.batch;
                if (dense && byOutputs && (long) in * out >= SPLIT_MACS) {
                    ctx.parallel.forRange(out, fwdOutputs);
                } else {
                    ctx.parallel.forRange(ctx.batch, fwd);
                }
            }

            @Override
            public void backward() {
                int[] cols = packedColumns();
                if (cols != null) {
                    int m = cols.length;
                    pm[0] = m;
                    float[] pdw = small[1];
                    Arrays.fill(pdw, 0, out * m, 0f);
                    ctx.parallel.forRange(rowCount(), bwdWPacked);
                    float[] g = weight.grad();
                    for (int o = 0; o < out; o++) {
                        for (int j = 0; j < m; j++) g[o * in + cols[j]] += pdw[o * m + j];
                    }
                    if (ctx.dIn[0] != null) ctx.parallel.forRange(ctx.batch, bwdDataPacked);
                    return;
                }
                ctx.parallel.forRange(rowCount(), bwdW);
                if (ctx.dIn[0] != null) ctx.parallel.forRange(ctx.batch, bwdData);
            }
        };
    }
}
