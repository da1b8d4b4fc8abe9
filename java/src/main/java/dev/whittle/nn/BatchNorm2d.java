package dev.whittle.nn;

import dev.whittle.kernels.Indices;
import dev.whittle.runtime.Parallel;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/** Batch normalisation over channels (momentum 0.1, eps 1e-5, as PyTorch); works on (C,H,W) and (F) inputs. */
public final class BatchNorm2d implements Layer {
    public static final float MOMENTUM = 0.1f;
    public static final float EPS = 1e-5f;

    public final int channels;
    public final Param gamma, beta, runningMean, runningVar;

    // Alive channels (pruning), increasing; null = all. Dead channels output exactly zero.
    private int[] alive;
    // Whether a training executor stores this layer's channels packed (Packed): alive planes only, contiguous.
    private boolean packed;

    public BatchNorm2d(int channels) {
        this.channels = channels;
        gamma = Param.trainable("gamma", channels);
        beta = Param.trainable("beta", channels);
        runningMean = Param.buffer("running_mean", channels);
        runningVar = Param.buffer("running_var", channels);
        initialize(null);
    }

    public void setAlive(int[] channelsAlive) {
        if (channelsAlive != null)
            Indices.check(channelsAlive, channelsAlive.length, channels, "batchnorm2d alive channels");
        alive = channelsAlive == null || channelsAlive.length == channels ? null : channelsAlive.clone();
    }

    /** Whether training executors store the alive channels packed ({@link Packed}); set by mask binding. */
    public void setPacked(boolean packed) {
        this.packed = packed;
    }

    /** Alive channels (increasing), or null when all are alive. The layer's own list: do not modify it. */
    public int[] aliveChannels() {
        return alive;
    }

    @Override
    public String op() {
        return "batchnorm2d";
    }

    @Override
    public Map<String, Integer> attrs() {
        Map<String, Integer> a = new LinkedHashMap<>();
        a.put("channels", channels);
        return a;
    }

    @Override
    public Shape outputShape(Shape[] in) {
        if (in[0].c() != channels) {
            throw new IllegalArgumentException("batchnorm2d expects " + channels + " channels but found " + in[0].c());
        }
        return in[0];
    }

    @Override
    public List<Param> params() {
        return List.of(gamma, beta, runningMean, runningVar);
    }

    @Override
    public void initialize(RandomGenerator rng) {
        Arrays.fill(gamma.value(), 1f);
        Arrays.fill(beta.value(), 0f);
        Arrays.fill(runningMean.value(), 0f);
        Arrays.fill(runningVar.value(), 1f);
    }

    @Override
    public BoundLayer bind(NodeContext ctx) {
        return bind(ctx, false);
    }

    @Override
    public boolean writesFreshGradient() {
        return true;
    }

    /**
     * With {@code relu}, the layer also does the work of the ReLU that is its only reader (the executor's training
     * fusion, which hands that ReLU this layer's buffers and a no-op): the output is max(bn(x), 0), and backward
     * takes ctx.dOut as the ReLU's output gradient, counting it only where the output is positive. A training step
     * then makes one pass fewer over the activation forward and one fewer backward.
     */
    public BoundLayer bind(NodeContext ctx, boolean relu) {
        int hw = ctx.inShapes[0].plane();
        float[] mean = new float[channels], invStd = new float[channels];
        Parallel.RangeBody train = (lo, hi) -> ctx.kernels
                .norm()
                .forwardTrain(
                        ctx.batch,
                        channels,
                        hw,
                        ctx.in[0],
                        gamma.value(),
                        beta.value(),
                        ctx.out,
                        mean,
                        invStd,
                        runningMean.value(),
                        runningVar.value(),
                        MOMENTUM,
                        EPS,
                        relu,
                        lo,
                        hi);
        Parallel.RangeBody eval = (lo, hi) -> ctx.kernels
                .norm()
                .forwardEval(
                        ctx.batch,
                        channels,
                        hw,
                        ctx.in[0],
                        gamma.value(),
                        beta.value(),
                        runningMean.value(),
                        runningVar.value(),
                        EPS,
                        ctx.out,
                        lo,
                        hi);
        Parallel.RangeBody back = (lo, hi) -> ctx.kernels
                .norm()
                .backward(
                        ctx.batch,
                        channels,
                        hw,
                        ctx.in[0],
                        ctx.dOut,
                        relu ? ctx.out : null,
                        gamma.value(),
                        mean,
                        invStd,
                        ctx.dIn[0],
                        gamma.grad(),
                        beta.grad(),
                        !ctx.dInFresh[0],
                        lo,
                        hi);
        // Packed: the kernels run on the m alive planes of each image with the alive channels' parameters gathered
        // (written back after: running statistics, parameter gradients).
        int[] pm = new int[1];
        float[] pGamma = new float[channels], pBeta = new float[channels], pRunMean = new float[channels];
        float[] pRunVar = new float[channels], pMean = new float[channels], pInvStd = new float[channels];
        float[] pdGamma = new float[channels], pdBeta = new float[channels];
        Parallel.RangeBody trainPacked = (lo, hi) -> ctx.kernels
                .norm()
                .forwardTrain(
                        ctx.batch, pm[0], hw, ctx.in[0], pGamma, pBeta, ctx.out, pMean, pInvStd, pRunMean, pRunVar,
                        MOMENTUM, EPS, relu, lo, hi);
        Parallel.RangeBody evalPacked = (lo, hi) -> ctx.kernels
                .norm()
                .forwardEval(ctx.batch, pm[0], hw, ctx.in[0], pGamma, pBeta, pRunMean, pRunVar, EPS, ctx.out, lo, hi);
        Parallel.RangeBody backPacked = (lo, hi) -> ctx.kernels
                .norm()
                .backward(
                        ctx.batch,
                        pm[0],
                        hw,
                        ctx.in[0],
                        ctx.dOut,
                        relu ? ctx.out : null,
                        pGamma,
                        pMean,
                        pInvStd,
                        ctx.dIn[0],
                        pdGamma,
                        pdBeta,
                        !ctx.dInFresh[0],
                        lo,
                        hi);
        // Masked: the range runs over positions in the alive list; each alive channel is a one-channel call.
        Parallel.RangeBody maskedFwd = (lo, hi) -> {
            for (int i = lo; i < hi; i++) (ctx.training ? train : eval).run(alive[i], alive[i] + 1);
        };
        Parallel.RangeBody maskedBack = (lo, hi) -> {
            for (int i = lo; i < hi; i++) back.run(alive[i], alive[i] + 1);
        };
        int size = channels * hw;
        Parallel.RangeBody reluInPlace = (lo, hi) -> ctx.kernels.elementwise().reluForward(ctx.out, ctx.out, lo, hi);
        return new BoundLayer() {
            private int[] cleared; // the alive list whose dead planes the output last had cleared
            private int[] gradCleared; // the same for a fresh input gradient's dead planes

            @Override
            public void forward() {
                forwardNorm();
                // Evaluation passes of a training executor: the fused ReLU as its own pass (dead planes stay 0).
                if (relu && !ctx.training) ctx.parallel.forRange(ctx.batch * size, Parallel.grainFor(1), reluInPlace);
            }

            private boolean packedNow() {
                return Packed.now(packed, alive, ctx);
            }

            private void forwardNorm() {
                if (packedNow()) {
                    int[] a = alive;
                    pm[0] = a.length;
                    Packed.gather(gamma.value(), a, pGamma);
                    Packed.gather(beta.value(), a, pBeta);
                    Packed.gather(runningMean.value(), a, pRunMean);
                    Packed.gather(runningVar.value(), a, pRunVar);
                    int grain = Parallel.grainFor(ctx.batch * hw);
                    ctx.parallel.forRange(a.length, grain, ctx.training ? trainPacked : evalPacked);
                    if (ctx.training) {
                        Packed.scatter(pRunMean, a, runningMean.value());
                        Packed.scatter(pRunVar, a, runningVar.value());
                    }
                    return;
                }
                if (alive == null) {
                    ctx.parallel.forRange(channels, Parallel.grainFor(ctx.batch * hw), ctx.training ? train : eval);
                    return;
                }
                // Dead planes read 0 (a residual add reads every plane). When this layer owns its output, clearing
                // them when the alive list changes is enough: clearing on every call wrote three quarters of the
                // activation per step at a quarter alive. In place on a conv's buffer (inference chains whose masks
                // differ), the conv rewrites those planes every call, so they are cleared every call; so are those of
                // an array other nodes take turns in (an inference executor's shared buffers).
                if (ctx.out == ctx.in[0] || ctx.outShared) zeroDeadChannels();
                else if (cleared != alive) {
                    Arrays.fill(ctx.out, 0f);
                    cleared = alive;
                }
                ctx.parallel.forRange(alive.length, Parallel.grainFor(ctx.batch * hw), maskedFwd);
            }

            private void zeroDeadChannels() {
                int a = 0;
                for (int c = 0; c < channels; c++) {
                    if (a < alive.length && alive[a] == c) {
                        a++;
                        continue;
                    }
                    for (int n = 0; n < ctx.batch; n++)
                        Arrays.fill(ctx.out, (n * channels + c) * hw, (n * channels + c + 1) * hw, 0f);
                }
            }

            @Override
            public void backward() {
                if (!ctx.training)
                    throw new IllegalStateException("batchnorm2d backward needs a training-mode forward");
                if (packedNow()) {
                    int[] a = alive;
                    Arrays.fill(pdGamma, 0f);
                    Arrays.fill(pdBeta, 0f);
                    ctx.parallel.forRange(a.length, Parallel.grainFor(ctx.batch * hw), backPacked);
                    Packed.scatterAdd(pdGamma, a, gamma.grad());
                    Packed.scatterAdd(pdBeta, a, beta.grad());
                    return;
                }
                if (alive == null) ctx.parallel.forRange(channels, Parallel.grainFor(ctx.batch * hw), back);
                else {
                    // A fresh gradient's dead planes must read 0 too. This layer is that buffer's only writer and
                    // writes alive planes only, so clearing it when the alive list changes is enough: a serial
                    // clear of the whole gradient on every step took 5-10 % of a masked VGG-small training step.
                    if (ctx.dInFresh[0] && gradCleared != alive) {
                        Arrays.fill(ctx.dIn[0], 0f);
                        gradCleared = alive;
                    }
                    ctx.parallel.forRange(alive.length, Parallel.grainFor(ctx.batch * hw), maskedBack);
                }
            }
        };
    }
}
