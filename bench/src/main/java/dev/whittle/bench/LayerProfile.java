package dev.whittle.bench;

import dev.whittle.graph.Executor;
import dev.whittle.graph.Graph;
import dev.whittle.graph.Node;
import dev.whittle.kernels.KernelSet;
import dev.whittle.kernels.SoftmaxCrossEntropyScalar;
import dev.whittle.kernels.vector.Conv2dVector;
import dev.whittle.kernels.vector.LinearVector;
import dev.whittle.model.Models;
import dev.whittle.runtime.MachineInfo;
import dev.whittle.runtime.Parallel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Per-layer time breakdown of one model's inference or training step ({@link Executor#profileInto}), for one or
 * more kernel sets measured in the same process with their runs interleaved, so a busy machine slows every
 * backend alike and the comparison stays fair even when the absolute times do not.
 *
 * <p>Usage ({@code key=value} arguments, all optional):
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar dev.whittle.bench.LayerProfile \
 *     model=vgg_small mode=inference batch=64 threads=1 backends=scalar,vector warmup=5 iters=20 out=FILE.md
 * </pre>
 * Prints a Markdown table (mean milliseconds per step for each node, forward and backward, and its share of the
 * step) and writes it to {@code out} when given. Weights stay fixed (no optimizer step), so every step does the
 * same arithmetic.
 */
public final class LayerProfile {
    private LayerProfile() {}

    public static void main(String[] args) throws IOException {
        KeyValueArgs a = new KeyValueArgs(
                args, "model", "widths", "alive", "mode", "batch", "threads", "backends", "warmup", "iters", "out");
        String model = a.get("model", "vgg_small"), mode = a.get("mode", "inference");
        String backends = a.get("backends", "scalar,vector"), out = a.get("out", null), widths = a.get("widths", null);
        double alive = a.getDouble("alive", 1);
        int batch = a.getInt("batch", 64), threads = a.getInt("threads", 1);
        int warmup = a.getInt("warmup", 5), iters = a.getInt("iters", 20);
        if (!mode.equals("inference") && !mode.equals("training"))
            throw new IllegalArgumentException("mode expected inference or training but found " + mode);
        Graph graph = widths == null ? Models.byName(model) : withWidths(model, widths);
        String name = widths == null ? model : model + " widths " + widths;
        graph.initialize(42);
        if (alive < 1) {
            // Masked, not compacted: every prunable group keeps this fraction of its channels (bench-alive's masks).
            var groups = dev.whittle.prune.ChannelGroups.derive(graph);
            dev.whittle.prune.MaskBinding.apply(
                    graph, dev.whittle.prune.PruneTarget.evenlySpaced(graph, groups, alive));
            name += " masked to " + alive + " alive";
        }
        String table = run(graph, name, mode.equals("training"), batch, threads, backends.split(","), warmup, iters);
        System.out.print(table);
        if (out != null) Files.writeString(Path.of(out), table);
    }

    /**
     * A reference model with other conv widths, e.g. a compact model's kept filters ({@code widths=16,16,31,31,63,63}
     * for VGG-small): the same graph a compaction produces, so its profile is the compact model's.
     */
    static Graph withWidths(String model, String widths) {
        int[] w = java.util.Arrays.stream(widths.split("[,x]"))
                .mapToInt(Integer::parseInt)
                .toArray();
        return switch (model) {
            case "vgg_small" -> Models.vggSmall(w, 10);
            case "resnet20" -> Models.resnet20(w, null, new dev.whittle.nn.Shape(1, 28, 28), 10);
            default -> throw new IllegalArgumentException("widths= applies to vgg_small and resnet20, not " + model);
        };
    }

    /** Runs the profile of an initialized graph and returns the Markdown report. */
    public static String run(
            Graph graph,
            String model,
            boolean training,
            int batch,
            int threads,
            String[] backends,
            int warmup,
            int iters) {
        graph.initialize(42);
        int nodes = graph.nodes().size(), classes = graph.classes();
        SplittableRandom r = new SplittableRandom(7);
        float[] x = new float[batch * graph.inputShape().size()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = r.nextInt(classes);
        float[] losses = new float[batch], dLogits = new float[batch * classes];
        try (Parallel parallel = new Parallel(threads)) {
            List<Executor> execs = new ArrayList<>();
            for (String b : backends) execs.add(new Executor(graph, batch, training, parallel, kernels(b)));
            long[][] fwd = new long[execs.size()][nodes], bwd = new long[execs.size()][nodes];
            for (int it = 0; it < warmup + iters; it++) {
                for (int e = 0; e < execs.size(); e++) {
                    Executor ex = execs.get(e);
                    ex.profileInto(it >= warmup ? fwd[e] : null, it >= warmup && training ? bwd[e] : null);
                    float[] logits = ex.forward(x, batch, training);
                    if (training) {
                        SoftmaxCrossEntropyScalar.forwardBackward(
                                classes, logits, labels, losses, dLogits, batch, 0, batch);
                        ex.backward(dLogits);
                    }
                    ex.profileInto(null, null);
                }
            }
            return report(graph, model, training, batch, threads, backends, iters, fwd, bwd);
        }
    }

    private static String report(
            Graph graph,
            String model,
            boolean training,
            int batch,
            int threads,
            String[] backends,
            int iters,
            long[][] fwd,
            long[][] bwd) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "Per-layer profile: %s, %s, batch %d, %d thread(s), mean of %d steps; CPU %s%n%n",
                model,
                training ? "training (forward + backward)" : "inference",
                batch,
                threads,
                iters,
                MachineInfo.cpuModel()));
        sb.append("Load average when the profile finished (other processes share the cores if it exceeds the thread "
                        + "count): ")
                .append(loadAverage())
                .append("\n\n");
        sb.append("| node | op | output |");
        for (String b : backends) sb.append(" ").append(b).append(" fwd ms |");
        if (training) for (String b : backends) sb.append(" ").append(b).append(" bwd ms |");
        for (String b : backends) sb.append(" ").append(b).append(" share |");
        sb.append("\n|---|---|---|");
        int cols = backends.length * (training ? 3 : 2);
        sb.append("---:|".repeat(cols)).append("\n");
        double[] total = new double[backends.length];
        for (int e = 0; e < backends.length; e++) {
            for (int i = 0; i < fwd[e].length; i++) total[e] += fwd[e][i] + bwd[e][i];
        }
        List<Node> nodes = graph.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            sb.append("| ")
                    .append(n.name())
                    .append(" | ")
                    .append(n.layer().op())
                    .append(" | ");
            sb.append(n.outShape()).append(" |");
            for (int e = 0; e < backends.length; e++)
                sb.append(ms(fwd[e][i], iters)).append(" |");
            if (training)
                for (int e = 0; e < backends.length; e++)
                    sb.append(ms(bwd[e][i], iters)).append(" |");
            for (int e = 0; e < backends.length; e++) {
                double share = total[e] == 0 ? 0 : 100.0 * (fwd[e][i] + bwd[e][i]) / total[e];
                sb.append(String.format(Locale.ROOT, " %.1f %% |", share));
            }
            sb.append("\n");
        }
        sb.append("| **total** | | |");
        for (int e = 0; e < backends.length; e++)
            sb.append(ms(sum(fwd[e]), iters)).append(" |");
        if (training)
            for (int e = 0; e < backends.length; e++)
                sb.append(ms(sum(bwd[e]), iters)).append(" |");
        sb.append(" |".repeat(backends.length)).append("\n");
        sb.append("\nImages per second (batch / total step time):");
        for (int e = 0; e < backends.length; e++) {
            double sec = total[e] / iters / 1e9;
            sb.append(String.format(Locale.ROOT, " %s %.0f;", backends[e], batch / sec));
        }
        sb.append("\n");
        return sb.toString();
    }

    /**
     * scalar, vector, or vector-gemm-only: the vector conv and linear kernels with scalar batch norm, element-wise
     * and pooling (the backend as it was before those had vector versions), for A/B comparisons.
     */
    static KernelSet kernels(String backend) {
        if (backend.equals("vector-gemm-only")) return new KernelSet(backend, new Conv2dVector(), new LinearVector());
        return ConvLayerBenchmark.kernels(backend);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException | RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static long sum(long[] a) {
        long s = 0;
        for (long v : a) s += v;
        return s;
    }

    private static String ms(long nanos, int iters) {
        return String.format(Locale.ROOT, " %.3f", nanos / 1e6 / iters);
    }
}
