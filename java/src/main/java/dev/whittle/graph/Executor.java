package dev.whittle.graph;

import dev.whittle.kernels.KernelSet;
import dev.whittle.nn.Add;
import dev.whittle.nn.BatchNorm2d;
import dev.whittle.nn.BoundLayer;
import dev.whittle.nn.Conv2d;
import dev.whittle.nn.FusedAddRelu;
import dev.whittle.nn.FusedConvBatchNorm;
import dev.whittle.nn.MaxPool2d;
import dev.whittle.nn.NodeContext;
import dev.whittle.nn.Relu;
import dev.whittle.nn.Shape;
import dev.whittle.runtime.BackendInfo;
import dev.whittle.runtime.Parallel;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Runs a graph forward and backward on buffers sized once for a maximum batch, so steps allocate nothing.
 * One executor is one thread's working memory: the graph's parameters are shared, its activations are not.
 *
 * <p>Backward zeroes every activation gradient, then walks nodes in reverse; layers add into their input
 * gradients, so a tensor read by several nodes (a residual input) gathers all of its gradients.
 */
public final class Executor {
    private final Graph graph;
    private final int capacity;
    private final boolean withGradients;
    private final NodeContext[] ctx;
    private final BoundLayer[] bound;
    private final float[][] outs, grads;
    private final boolean[] ownsGrad;
    // Gradient buffers backward zeroes first: owned ones whose writers add (the others are overwritten, dInFresh).
    private final boolean[] zeroBeforeBackward;
    private final Parallel parallel;
    private float[] zeroing; // the buffer zeroRange clears
    private final Parallel.RangeBody zeroRange = (lo, hi) -> Arrays.fill(zeroing, lo, hi, 0f);
    /** Floats per zeroing chunk: one thread's share is worth waking a worker for. */
    private static final int ZERO_GRAIN = 1 << 15;

    private int batch;
    // Per-node nanosecond accumulators while profiling (profileInto), else null: one null check per node.
    private long[] profForward, profBackward;

    /**
     * @param withGradients false for inference-only executors: no gradient buffers are allocated
     */
    public Executor(Graph graph, int capacity, boolean withGradients, Parallel parallel) {
        this(graph, capacity, withGradients, parallel, BackendInfo.current().kernels());
    }

    /** With an explicit kernel set (differential tests run one graph on two sets). */
    public Executor(Graph graph, int capacity, boolean withGradients, Parallel parallel, KernelSet kernels) {
        this(graph, capacity, withGradients, parallel, kernels, withGradients ? FUSE_TRAINING : true);
    }

    /**
     * @param fuse inference executors: run conv → batchnorm2d (→ add) (→ relu) (→ max pool) chains as one fused op
     *     ({@link FusedConvBatchNorm}); training executors: let a batch norm or residual add do the work of the
     *     ReLU that is its only reader ({@link BatchNorm2d#bind(NodeContext, boolean)}, {@link FusedAddRelu}). The
     *     default for both; false runs every node on its own (differential tests, A/B runs)
     */
    public Executor(
            Graph graph, int capacity, boolean withGradients, Parallel parallel, KernelSet kernels, boolean fuse) {
        this(graph, capacity, withGradients, parallel, kernels, fuse, !withGradients && REUSE);
    }

    /**
     * @param reuseBuffers inference executors only: nodes whose outputs are never live at the same time share one
     *     array ({@link BufferPlan}); after a forward only the last node's {@link #output} is then sure to hold its
     *     own result. The default for inference; false keeps every node's output (tests that inspect them)
     */
    public Executor(
            Graph graph,
            int capacity,
            boolean withGradients,
            Parallel parallel,
            KernelSet kernels,
            boolean fuse,
            boolean reuseBuffers) {
        if (capacity <= 0) throw new IllegalArgumentException("batch capacity must be positive, found " + capacity);
        this.graph = graph;
        this.parallel = parallel;
        this.capacity = capacity;
        this.withGradients = withGradients;
        List<Node> nodes = graph.nodes();
        int count = nodes.size();
        ctx = new NodeContext[count];
        bound = new BoundLayer[count];
        outs = new float[count][];
        grads = new float[count][];
        ownsGrad = new boolean[count];
        int[] fusedBn = new int[count],
                fusedAdd = new int[count],
                fusedRelu = new int[count],
                fusedPool = new int[count];
        int[] sharesOutputOf = new int[count];
        Arrays.fill(fusedBn, -1);
        Arrays.fill(fusedAdd, -1);
        Arrays.fill(fusedRelu, -1);
        Arrays.fill(fusedPool, -1);
        Arrays.fill(sharesOutputOf, -1);
        if (fuse && withGradients) findTrainingReluPairs(nodes, fusedRelu, sharesOutputOf);
        else if (fuse) findFusableChains(nodes, fusedBn, fusedAdd, fusedRelu, fusedPool, sharesOutputOf);
        boolean share = !withGradients && reuseBuffers;
        // owner[i]: the node whose buffer node i writes (its own, a chain's conv, an alias's source).
        int[] owner = new int[count];
        for (int i = 0; i < count; i++) {
            Node n = nodes.get(i);
            boolean alias = n.layer().aliasesInput();
            int src = n.inputs()[0];
            if (sharesOutputOf[i] >= 0) {
                owner[i] = owner[sharesOutputOf[i]];
                outs[i] = outs[sharesOutputOf[i]];
                grads[i] = grads[sharesOutputOf[i]]; // training fusion: one gradient buffer too (null for inference)
            } else if (alias && src != Graph.INPUT) {
                owner[i] = owner[src];
                outs[i] = outs[src];
                grads[i] = grads[src];
            } else {
                owner[i] = i;
                if (share) continue; // arrays come from shareByLiveness
                outs[i] = new float[capacity * n.outShape().size()];
                grads[i] = withGradients ? new float[outs[i].length] : null;
                ownsGrad[i] = withGradients;
            }
        }
        boolean[] reused = new boolean[count];
        if (share) shareByLiveness(nodes, capacity, owner, fusedPool, reused);
        for (int i = 0; i < count; i++) {
            Node n = nodes.get(i);
            int k = n.inputs().length;
            float[][] in = new float[k][], dIn = new float[k][];
            for (int j = 0; j < k; j++) {
                int src = n.inputs()[j];
                in[j] = src == Graph.INPUT ? null : outs[src];
                dIn[j] = src == Graph.INPUT ? null : grads[src];
            }
            NodeContext c = new NodeContext(n.inShapes(), n.outShape(), in, dIn, capacity, parallel, kernels);
            c.out = outs[i];
            c.dOut = grads[i];
            ctx[i] = c;
            bound[i] = n.layer().bind(c);
        }
        for (int i = 0; i < count; i++) {
            if (sharesOutputOf[i] >= 0) ctx[i].outShared = ctx[sharesOutputOf[i]].outShared = true;
            if (reused[i]) ctx[i].outShared = true;
        }
        boolean[] noOp = new boolean[count]; // training nodes whose backward writes nothing
        for (int i = 0; withGradients && i < count; i++) {
            noOp[i] |= nodes.get(i).layer().aliasesInput();
            int relu = fusedRelu[i];
            if (relu < 0) continue;
            bound[i] = nodes.get(i).layer() instanceof BatchNorm2d bn
                    ? bn.bind(ctx[i], true)
                    : FusedAddRelu.addNode(ctx[i]);
            bound[relu] = FusedAddRelu.reluNode();
            noOp[relu] = true;
        }
        zeroBeforeBackward = withGradients ? markFreshGradients(nodes, noOp) : new boolean[count];
        for (int i = 0; !withGradients && i < count; i++) {
            int bn = fusedBn[i], relu = fusedRelu[i];
            if (bn == -1 && relu >= 0) { // an add → relu pair (see findFusableChains)
                bound[i] = FusedAddRelu.addNode(ctx[i]);
                bound[relu] = FusedAddRelu.reluNode();
                continue;
            }
            if (bn == -1) continue;
            int add = fusedAdd[i], pool = fusedPool[i];
            boolean withBn = bn != NO_BATCH_NORM;
            FusedConvBatchNorm f = new FusedConvBatchNorm(
                    (Conv2d) nodes.get(i).layer(),
                    withBn ? (BatchNorm2d) nodes.get(bn).layer() : null,
                    ctx[i],
                    bound[i],
                    withBn ? bound[bn] : null,
                    add < 0 ? null : ctx[add],
                    add < 0 ? -1 : (nodes.get(add).inputs()[0] == bn ? 1 : 0),
                    add < 0 ? null : bound[add],
                    relu < 0 ? null : bound[relu],
                    pool < 0 ? null : (MaxPool2d) nodes.get(pool).layer(),
                    pool < 0 ? null : ctx[pool],
                    pool < 0 ? null : bound[pool]);
            bound[i] = f.convNode();
            if (withBn) bound[bn] = f.bnNode();
            if (add >= 0) bound[add] = f.addNode();
            if (relu >= 0) bound[relu] = f.reluNode();
            if (pool >= 0) bound[pool] = f.poolNode();
        }
    }

    /**
     * Inference: gives every node the array of its buffer's owner, owners taking turns in arrays by liveness
     * ({@link BufferPlan}). An owner is live from the first node that writes its buffer (a pool fused into a conv
     * chain is written by the conv) to the last node that reads it or any node sharing it; the graph's output has an
     * array of its own. reused[i]: node i's array serves other owners too, so planes it leaves alone may change.
     */
    private void shareByLiveness(List<Node> nodes, int capacity, int[] owner, int[] fusedPool, boolean[] reused) {
        int count = nodes.size();
        int[] start = new int[count], end = new int[count], size = new int[count];
        Arrays.fill(start, -1);
        for (int i = 0; i < count; i++) {
            if (owner[i] != i) continue;
            start[i] = i;
            size[i] = capacity * nodes.get(i).outShape().size();
        }
        for (int conv = 0; conv < count; conv++) {
            int pool = fusedPool[conv];
            if (pool >= 0) start[owner[pool]] = Math.min(start[owner[pool]], conv);
        }
        for (int i = 0; i < count; i++) {
            for (int src : nodes.get(i).inputs()) {
                if (src != Graph.INPUT) end[owner[src]] = Math.max(end[owner[src]], i);
            }
        }
        // The graph's output keeps an array of its own, exactly its size: forward returns it, valid until the next
        // call.
        int last = owner[count - 1];
        start[last] = -1;
        float[] output = new float[size[last]];
        // Several threads split each layer by images (or, at batch 1, by filter planes), each writing its own part
        // of an array. Two owners of different sizes would put those parts at different offsets, and lines one
        // core wrote would move to the other's cache on the next layer: VGG-small at batch 64 ran 4–24 % slower on
        // two threads sharing freely. So only owners of one size per image share then.
        int[] kind = new int[count];
        if (parallel.threads() > 1) {
            for (int i = 0; i < count; i++) kind[i] = nodes.get(i).outShape().size();
        }
        BufferPlan plan = new BufferPlan(start, end, size, kind);
        float[][] arrays = new float[plan.sizes.length][];
        for (int p = 0; p < arrays.length; p++) arrays[p] = new float[plan.sizes[p]];
        for (int i = 0; i < count; i++) {
            int p = plan.physical[owner[i]];
            outs[i] = owner[i] == last ? output : arrays[p];
            reused[i] = owner[i] != last && plan.owners[p] > 1;
        }
    }

    /** readers[i] = how many node inputs read node i's output; lastReader[i] = the last of those nodes. */
    private static void countReaders(List<Node> nodes, int[] readers, int[] lastReader) {
        for (int i = 0; i < nodes.size(); i++) {
            for (int src : nodes.get(i).inputs()) {
                if (src == Graph.INPUT) continue;
                readers[src]++;
                lastReader[src] = i;
            }
        }
    }

    /**
     * Sets ctx.dInFresh where a layer that can overwrite an input gradient is that buffer's only writer; returns
     * which nodes' own gradient buffers backward must still zero (the others are overwritten by their writer).
     */
    private boolean[] markFreshGradients(List<Node> nodes, boolean[] noOp) {
        IdentityHashMap<float[], Integer> writers = new IdentityHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (noOp[i]) continue;
            for (float[] d : ctx[i].dIn) if (d != null) writers.merge(d, 1, Integer::sum);
        }
        Set<float[]> fresh = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < nodes.size(); i++) {
            if (noOp[i] || !nodes.get(i).layer().writesFreshGradient()) continue;
            for (int j = 0; j < ctx[i].dIn.length; j++) {
                float[] d = ctx[i].dIn[j];
                if (d == null || writers.get(d) != 1) continue;
                ctx[i].dInFresh[j] = true;
                fresh.add(d);
            }
        }
        boolean[] zero = new boolean[nodes.size()];
        for (int i = 0; i < nodes.size() - 1; i++) zero[i] = ownsGrad[i] && !fresh.contains(grads[i]);
        return zero;
    }

    /** {@code -Dwhittle.fuse.pool=false} leaves max pools after conv chains as nodes of their own (A/B runs). */
    static final boolean FUSE_POOL = !"false".equals(System.getProperty("whittle.fuse.pool"));

    /** {@code -Dwhittle.reuse=false}: inference executors keep one array per node (A/B runs). */
    static final boolean REUSE = !"false".equals(System.getProperty("whittle.reuse"));

    /** {@code -Dwhittle.fuse.training=false}: training executors run every ReLU as a node of its own (A/B runs). */
    static final boolean FUSE_TRAINING = !"false".equals(System.getProperty("whittle.fuse.training"));

    /**
     * Training fusion: a batch norm (one input) or residual add whose only reader is a ReLU does that ReLU's work
     * (fusedRelu[producer] = the ReLU; sharesOutputOf[ReLU] = the producer, whose output and gradient buffers the
     * ReLU then shares). Nothing reads the batch norm's or add's output before the ReLU, so it need not exist.
     */
    private static void findTrainingReluPairs(List<Node> nodes, int[] fusedRelu, int[] sharesOutputOf) {
        int count = nodes.size();
        int[] readers = new int[count], lastReader = new int[count];
        countReaders(nodes, readers, lastReader);
        for (int i = 0; i < count; i++) {
            Node n = nodes.get(i);
            boolean producer = (n.layer() instanceof BatchNorm2d && n.inputs().length == 1)
                    || (n.layer() instanceof Add && n.inputs().length == 2);
            if (!producer || readers[i] != 1) continue;
            int relu = lastReader[i];
            if (nodes.get(relu).layer() instanceof Relu && nodes.get(relu).inputs().length == 1) {
                fusedRelu[i] = relu;
                sharesOutputOf[relu] = i;
            }
        }
    }

    /**
     * Marks conv → batchnorm2d (→ relu) chains where each intermediate tensor has exactly one reader, so the
     * batch norm and ReLU can write into the conv's buffer: fusedBn/fusedRelu[conv] = their node indices, and
     * sharesOutputOf[bn or relu] = the conv's index. A batch norm read only by a residual add whose other input is
     * computed before the conv extends the chain to conv → bn → add (→ relu) (fusedAdd[conv], the add and ReLU
     * sharing the conv's buffer too): the shortcut is then added in the conv's epilogue. Also marks the remaining
     * add → relu pairs (fusedRelu[add], fusedBn[add] left at −1), whose ReLU writes into the add's buffer. A 2×2,
     * stride-2 max pool that is the only reader of a chain without an add is marked too (fusedPool[conv]). A conv
     * read only by a ReLU (no batch norm) is a chain too, fusedBn[conv] = {@link #NO_BATCH_NORM}.
     */
    private static void findFusableChains(
            List<Node> nodes, int[] fusedBn, int[] fusedAdd, int[] fusedRelu, int[] fusedPool, int[] sharesOutputOf) {
        int count = nodes.size();
        int[] readers = new int[count], lastReader = new int[count];
        countReaders(nodes, readers, lastReader);
        for (int i = 0; i < count; i++) {
            if (!(nodes.get(i).layer() instanceof Conv2d) || readers[i] != 1) continue;
            int bn = lastReader[i];
            Node bnNode = nodes.get(bn);
            if (bnNode.layer() instanceof Relu) {
                // conv → relu (→ pool) with no batch norm (LeNet-5): the same chain with an identity affine map.
                fusedBn[i] = NO_BATCH_NORM;
                fusedRelu[i] = bn;
                sharesOutputOf[bn] = i;
                markPool(nodes, readers, lastReader, fusedPool, i, bn);
                continue;
            }
            if (!(bnNode.layer() instanceof BatchNorm2d) || bnNode.inputs().length != 1) continue;
            fusedBn[i] = bn;
            sharesOutputOf[bn] = i;
            if (readers[bn] != 1) continue;
            int next = lastReader[bn];
            Node nextNode = nodes.get(next);
            if (nextNode.layer() instanceof Add && nextNode.inputs().length == 2) {
                int other = nextNode.inputs()[nextNode.inputs()[0] == bn ? 1 : 0];
                // The shortcut must exist before the conv runs, in a buffer of the executor's own: the graph input
                // changes with every call, and a new epilogue per call would allocate.
                if (other == Graph.INPUT || other == bn || other >= i) continue;
                fusedAdd[i] = next;
                sharesOutputOf[next] = i;
                if (readers[next] != 1) continue;
                next = lastReader[next];
            }
            if (nodes.get(next).layer() instanceof Relu) {
                fusedRelu[i] = next;
                sharesOutputOf[next] = i;
            }
            // Not after a residual add.
            if (fusedAdd[i] < 0)
                markPool(nodes, readers, lastReader, fusedPool, i, fusedRelu[i] >= 0 ? fusedRelu[i] : bn);
        }
        boolean[] inChain = new boolean[count];
        for (int i = 0; i < count; i++) if (fusedAdd[i] >= 0) inChain[fusedAdd[i]] = true;
        for (int i = 0; i < count; i++) {
            if (!(nodes.get(i).layer() instanceof Add) || readers[i] != 1 || inChain[i]) continue;
            int relu = lastReader[i];
            if (nodes.get(relu).layer() instanceof Relu) {
                fusedRelu[i] = relu;
                sharesOutputOf[relu] = i;
            }
        }
    }

    /** fusedBn[conv] of a conv → relu chain: no batch norm, the epilogue's affine map is the identity. */
    private static final int NO_BATCH_NORM = -2;

    /**
     * A 2×2, stride-2 max pool as the only reader of the chain ending at node {@code end} (VGG-small's conv2/4/6,
     * LeNet-5's convs): written by the conv's epilogue into the pool's own buffer (fusedPool[conv]).
     */
    private static void markPool(
            List<Node> nodes, int[] readers, int[] lastReader, int[] fusedPool, int conv, int end) {
        if (!FUSE_POOL || readers[end] != 1) return;
        int after = lastReader[end];
        if (nodes.get(after).layer() instanceof MaxPool2d mp && mp.kernel == 2 && mp.stride == 2 && mp.pad == 0)
            fusedPool[conv] = after;
    }

    public Graph graph() {
        return graph;
    }

    public int capacity() {
        return capacity;
    }

    /**
     * Forward pass over {@code batch} images of x (N × input size); returns the logits buffer (N × classes),
     * valid until the next call.
     */
    public float[] forward(float[] x, int batch, boolean training) {
        Shape in = graph.inputShape();
        if (batch <= 0 || batch > capacity) {
            throw new IllegalArgumentException("batch expected 1.." + capacity + " but found " + batch);
        }
        if (x.length < batch * in.size()) {
            throw new IllegalArgumentException(
                    "input expected " + batch + "x" + in + " = " + batch * in.size() + " floats but found " + x.length);
        }
        if (training && !withGradients)
            throw new IllegalStateException("inference executor cannot run a training forward");
        this.batch = batch;
        List<Node> nodes = graph.nodes();
        for (int i = 0; i < ctx.length; i++) {
            NodeContext c = ctx[i];
            int[] srcs = nodes.get(i).inputs();
            for (int j = 0; j < srcs.length; j++) if (srcs[j] == Graph.INPUT) c.in[j] = x;
            c.batch = batch;
            c.training = training;
            if (profForward == null) bound[i].forward();
            else {
                long t0 = System.nanoTime();
                bound[i].forward();
                profForward[i] += System.nanoTime() - t0;
            }
        }
        return ctx[ctx.length - 1].out;
    }

    /** Backward pass from dLogits (N × classes) of the last training forward; fills parameter gradients. */
    public void backward(float[] dLogits) {
        if (!withGradients) throw new IllegalStateException("inference executor has no gradients");
        int last = ctx.length - 1;
        for (int i = 0; i < ctx.length; i++) {
            if (!zeroBeforeBackward[i]) continue;
            zeroing = grads[i];
            parallel.forRange(batch * graph.nodes().get(i).outShape().size(), ZERO_GRAIN, zeroRange);
        }
        zeroing = null;
        System.arraycopy(dLogits, 0, grads[last], 0, batch * graph.outputShape().size());
        for (int i = last; i >= 0; i--) {
            if (profBackward == null) bound[i].backward();
            else {
                long t0 = System.nanoTime();
                bound[i].backward();
                profBackward[i] += System.nanoTime() - t0;
            }
        }
    }

    /**
     * Starts (or, with nulls, stops) per-layer timing: each later forward adds node i's wall time into
     * forwardNanos[i] and each backward into backwardNanos[i]. The arrays are the caller's, so profiling
     * allocates nothing and several runs can be summed; either may be null to time only one direction.
     *
     * @param forwardNanos one entry per graph node, or null
     * @param backwardNanos one entry per graph node, or null
     */
    public void profileInto(long[] forwardNanos, long[] backwardNanos) {
        int count = ctx.length;
        if (forwardNanos != null && forwardNanos.length != count)
            throw new IllegalArgumentException(
                    "forwardNanos expected " + count + " entries (one per node) but found " + forwardNanos.length);
        if (backwardNanos != null && backwardNanos.length != count)
            throw new IllegalArgumentException(
                    "backwardNanos expected " + count + " entries (one per node) but found " + backwardNanos.length);
        profForward = forwardNanos;
        profBackward = backwardNanos;
    }

    /**
     * The output buffer of node i (for tests and inspection). In a fused inference executor a fused batch norm or
     * ReLU node shares its conv's buffer, which after a forward holds the chain's final (post-ReLU) output, unless
     * a max pool after the chain was fused too: the pool's buffer then holds the result and the chain's is scratch.
     * An inference executor that shares buffers by liveness (the default) has overwritten most of them by the end of
     * a forward: only the last node's output is sure to be its own.
     */
    public float[] output(int node) {
        return outs[node];
    }
}
