package dev.whittle.prune;

import dev.whittle.data.Dataset;
import dev.whittle.graph.Executor;
import dev.whittle.graph.Graph;
import dev.whittle.io.ModelFile;
import dev.whittle.io.SavedModel;
import dev.whittle.kernels.KernelSet;
import dev.whittle.kernels.SparseKernels;
import dev.whittle.measure.SpeedComparison;
import dev.whittle.measure.SpeedMeter;
import dev.whittle.model.Models;
import dev.whittle.prune.method.MethodConfig;
import dev.whittle.prune.method.PruningMethods;
import dev.whittle.runtime.BackendInfo;
import dev.whittle.runtime.Parallel;
import dev.whittle.train.BnRecalibration;
import dev.whittle.train.CpuStepEngine;
import dev.whittle.train.EpochMetrics;
import dev.whittle.train.Evaluator;
import dev.whittle.train.StepEngine;
import dev.whittle.train.TrainConfig;
import dev.whittle.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The whole pruning story for one model and method: dense model (trained or loaded) → regularization phase
 * with the method's hooks → final masks → removal (compaction, or weight masks) → BN re-estimation →
 * fine-tuning → measured speed of dense and pruned in the same run. Accuracy is recorded at every stage
 * (pruning-methods.md §1g′). Every input is checked before any training starts.
 */
public final class PrunePipeline {

    /** What to do. Exactly one of targetMacs / ratio is used for filter methods (NaN = unset). */
    public record Options(
            String model,
            String method,
            double targetMacs,
            double ratio,
            double sparsity,
            int roundTo,
            boolean residual,
            Path from,
            int denseEpochs,
            int regEpochs,
            float regLr,
            int fineTuneEpochs,
            float fineTuneLr,
            int batch,
            long seed,
            boolean measureSpeed,
            int latencyRuns,
            MethodConfig methodConfig) {}

    /** Test accuracy after one stage. */
    public record Stage(String name, double testAccuracy) {}

    public record Outcome(
            Graph dense,
            Graph pruned,
            PruneResult result,
            List<Stage> stages,
            List<Map<String, Object>> methodLog,
            SpeedComparison speed,
            double weightSparsity,
            Map<String, Object> keepPerGroup,
            Graph masked, // filter methods' model at removal, masks zeroed, not compacted (else null)
            List<SparseInference.Decision> sparseLayers, // weight-level: per-layer kernel choice for batch-64 timing
            List<SparseInference.Decision> sparseLayersBatch1) {} // … and for batch-1 latency

    private final Options o;
    private final Parallel parallel;
    private final IntFunction<Trainer.Listener> listeners; // epochs → progress listener
    private final StepEngine.Factory engines; // where training steps run (CPU, or an OpenCL device)
    private Graph validated; // the dense graph once the inputs were checked (and --from read) — read it once

    public PrunePipeline(Options options, Parallel parallel, IntFunction<Trainer.Listener> listeners) {
        this(options, parallel, listeners, CpuStepEngine.factory(parallel));
    }

    /** Training phases run on {@code engines}; evaluation, BN re-estimation and speed stay on the CPU. */
    public PrunePipeline(
            Options options, Parallel parallel, IntFunction<Trainer.Listener> listeners, StepEngine.Factory engines) {
        this.o = options;
        this.parallel = parallel;
        this.listeners = listeners;
        this.engines = engines;
    }

    /** Checks names, targets and granularity and loads --from; throws before any training. */
    public Graph validate() {
        if (validated != null) return validated;
        boolean filter = PruningMethods.FILTER_LEVEL.contains(o.method());
        boolean weight = PruningMethods.WEIGHT_LEVEL.contains(o.method());
        if (!filter && !weight)
            throw new IllegalArgumentException(
                    "unknown pruning method '" + o.method() + "', expected one of " + PruningMethods.NAMES);
        if (filter) {
            if (Double.isNaN(o.targetMacs()) == Double.isNaN(o.ratio())) {
                throw new IllegalArgumentException(
                        "method '" + o.method() + "' prunes filters: give exactly one of --target-macs or --ratio");
            }
            if (!Double.isNaN(o.sparsity())) {
                throw new IllegalArgumentException(
                        "--sparsity is for weight-level methods " + PruningMethods.WEIGHT_LEVEL + "; '" + o.method()
                                + "' prunes whole filters (use --target-macs)");
            }
        } else {
            if (!Double.isNaN(o.targetMacs()) || !Double.isNaN(o.ratio())) {
                throw new IllegalArgumentException(
                        "method '" + o.method()
                                + "' prunes individual weights and cannot reach a MACs target with dense kernels; use --sparsity");
            }
            if (!(o.sparsity() > 0 && o.sparsity() < 1))
                throw new IllegalArgumentException("--sparsity must be in (0, 1), found " + o.sparsity());
        }
        if (o.regEpochs() < 0 || o.fineTuneEpochs() < 0 || o.denseEpochs() < 0)
            throw new IllegalArgumentException("epoch counts must be >= 0");
        Graph g = o.from() != null ? ModelFile.load(o.from()).graph() : Models.byName(o.model());
        if (o.from() != null && !o.model().equals(g.name())) {
            throw new IllegalArgumentException(
                    o.from() + ": holds model '" + g.name() + "' but --model is '" + o.model() + "'");
        }
        if (filter) keepCounts(g, ChannelGroups.derive(g)); // throws on an unreachable or invalid target
        validated = g;
        return g;
    }

    private int[] keepCounts(Graph g, List<ChannelGroup> groups) {
        if (!Double.isNaN(o.targetMacs()))
            return PruneTarget.forMacs(g, groups, o.targetMacs(), o.roundTo(), o.residual());
        if (!Double.isNaN(o.ratio())) return PruneTarget.uniform(g, groups, o.ratio(), o.roundTo(), o.residual());
        int[] all = new int[groups.size()];
        for (ChannelGroup grp : groups) all[grp.id()] = grp.channels();
        return all;
    }

    public Outcome run(Dataset train, Dataset test) {
        Graph dense = validate();
        boolean filter = PruningMethods.FILTER_LEVEL.contains(o.method());
        List<Stage> stages = new ArrayList<>();
        if (o.from() == null) {
            dense.initialize(o.seed());
            if (o.denseEpochs() > 0)
                fit(dense, TrainConfig.recipe(o.denseEpochs()).withSeed(o.seed()), train, test, Trainer.Hooks.NONE);
        }
        stages.add(new Stage("dense", accuracy(dense, test)));
        Graph work = copy(dense);

        List<ChannelGroup> groups = ChannelGroups.derive(work);
        int[] keep = keepCounts(work, groups);
        long perEpoch = (train.size() + o.batch() - 1) / o.batch();
        PruneContext ctx = new PruneContext(
                work,
                groups,
                keep,
                perEpoch,
                o.regEpochs(),
                filter ? PruneContext.Granularity.FILTER : PruneContext.Granularity.WEIGHT,
                filter ? 0 : o.sparsity(),
                o.seed());
        PruningMethod method = PruningMethods.create(o.method(), o.methodConfig());
        method.init(ctx);
        if (o.regEpochs() > 0 && !method.isDone(-1)) {
            TrainConfig reg =
                    new TrainConfig(o.regEpochs(), o.batch(), o.regLr(), "constant", 0.9f, 5e-4f, false, o.seed() + 1);
            fit(work, reg, train, test, method);
            stages.add(new Stage("after regularization (dense weights)", accuracy(work, test)));
        }
        PruneResult result = method.finish();

        Graph pruned, masked = null;
        Map<String, Object> keepPerGroup = new LinkedHashMap<>();
        if (filter) {
            ChannelMasks masks = result.channels();
            for (ChannelGroup grp : groups) {
                if (!masks.isFull(grp.id()))
                    keepPerGroup.put(grp.name(), masks.aliveIndices(grp.id()).length + "/" + grp.channels());
            }
            MaskZeroing.apply(work, masks);
            masked = work;
            pruned = Compactor.compact(work, masks);
            stages.add(new Stage("removed", accuracy(pruned, test)));
            BnRecalibration.run(pruned, train, o.batch(), 100, o.seed() + 2, parallel);
            stages.add(new Stage("removed + BN re-estimated", accuracy(pruned, test)));
            if (o.fineTuneEpochs() > 0) {
                List<EpochMetrics> ft = fit(pruned, fineTune(), train, test, Trainer.Hooks.NONE);
                for (EpochMetrics m : ft) stages.add(new Stage("fine-tune epoch " + m.epoch(), m.testAccuracy()));
            }
        } else {
            Map<String, boolean[]> wm = result.weights();
            WeightMasks.apply(work, wm);
            pruned = work;
            stages.add(new Stage("removed", accuracy(pruned, test)));
            if (o.fineTuneEpochs() > 0) {
                Trainer.Hooks rezero = new Trainer.Hooks() {
                    @Override
                    public void afterStep(long iteration) {
                        WeightMasks.apply(pruned, wm);
                    }
                };
                List<EpochMetrics> ft = fit(pruned, fineTune(), train, test, rezero);
                for (EpochMetrics m : ft) stages.add(new Stage("fine-tune epoch " + m.epoch(), m.testAccuracy()));
            }
        }
        SpeedComparison speed = null;
        List<SparseInference.Decision> sparseLayers = List.of(), sparseLayersBatch1 = List.of();
        Graph latencyModel = pruned;
        if (o.measureSpeed() && !filter) {
            // Weight-level pruning keeps every channel; its speed comes from skipping zero weights, so the pruned
            // model is timed with the sparse kernels wherever they beat dense at the batch being timed. The
            // break-even density depends on the batch (sparse wins more often at batch 1), so batch-1 latency runs
            // on a copy decided for one image and batch-64 throughput on the model decided for its per-thread batch.
            KernelSet k = BackendInfo.current().kernels();
            SparseKernels sk = SparseInference.kernelsFor(k);
            SparseInference.Thresholds th = SparseInference.measured(k, sk, SparseBreakEven.Timing.quick());
            int perThread = (64 + parallel.threads() - 1) / parallel.threads();
            latencyModel = copy(pruned);
            sparseLayersBatch1 = SparseInference.apply(latencyModel, 1, th, sk);
            sparseLayers = SparseInference.apply(pruned, perThread, th, sk);
        }
        if (o.measureSpeed()) {
            speed = SpeedComparison.measure(
                    dense,
                    latencyModel,
                    pruned,
                    PrunePipeline::copy,
                    parallel,
                    new SpeedMeter(2.0, 5, 1.0),
                    o.latencyRuns(),
                    64,
                    128);
            SparseInference.clear(pruned); // the returned model is a plain one again
        }
        return new Outcome(
                dense,
                pruned,
                result,
                stages,
                method.log(),
                speed,
                WeightMasks.sparsity(pruned),
                keepPerGroup,
                masked,
                sparseLayers,
                sparseLayersBatch1);
    }

    private TrainConfig fineTune() {
        return new TrainConfig(
                o.fineTuneEpochs(), o.batch(), o.fineTuneLr(), "cosine", 0.9f, 5e-4f, false, o.seed() + 3);
    }

    private List<EpochMetrics> fit(Graph g, TrainConfig cfg, Dataset train, Dataset test, Trainer.Hooks hooks) {
        return new Trainer(g, cfg, engines).fit(train, test, listeners.apply(cfg.epochs()), hooks);
    }

    private double accuracy(Graph g, Dataset test) {
        return Evaluator.evaluate(new Executor(g, 256, false, parallel), test).accuracy();
    }

    /** A deep copy through the model-file encoding: the same bytes a user would save and load. */
    public static Graph copy(Graph g) {
        return ModelFile.decode(ModelFile.encode(SavedModel.dense(g, "{}"))).graph();
    }
}
