package dev.whittle.bench;

import dev.whittle.graph.Executor;
import dev.whittle.graph.Graph;
import dev.whittle.kernels.SoftmaxCrossEntropyScalar;
import dev.whittle.model.Models;
import dev.whittle.prune.ChannelGroup;
import dev.whittle.prune.ChannelGroups;
import dev.whittle.prune.ChannelMasks;
import dev.whittle.prune.Compactor;
import dev.whittle.prune.MaskBinding;
import dev.whittle.prune.PruneTarget;
import dev.whittle.runtime.Parallel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Where a masked model's training step loses to its compact twin: both built from one reference model and one set
 * of masks, their steps alternating in one JVM (so the machine's drift slows both alike), each node's forward and
 * backward time the median over the steps. {@code layout=front} keeps the first channels of each group instead of
 * evenly spaced ones, which separates the cost of scattered alive planes from the cost of the masked code paths.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar dev.whittle.bench.MaskedVsCompact \
 *     model=vgg_small alive=0.5 layout=even|front batch=128 threads=2 steps=30 out=FILE.md
 * </pre>
 */
public final class MaskedVsCompact {
    private MaskedVsCompact() {}

    public static void main(String[] args) throws IOException {
        KeyValueArgs a = new KeyValueArgs(args, "model", "alive", "layout", "batch", "threads", "steps", "out");
        String model = a.get("model", "vgg_small"), layout = a.get("layout", "even"), out = a.get("out", null);
        double alive = a.getDouble("alive", 0.5);
        int batch = a.getInt("batch", 128), threads = a.getInt("threads", 2), steps = a.getInt("steps", 30);
        if (!layout.equals("even") && !layout.equals("front"))
            throw new IllegalArgumentException("layout expected even or front but found " + layout);
        Graph masked = Models.byName(model);
        masked.initialize(42);
        ChannelMasks masks = PruneTarget.evenlySpaced(masked, ChannelGroups.derive(masked), alive);
        if (layout.equals("front")) masks = front(masks);
        Graph compact = Compactor.compact(masked, masks);
        MaskBinding.apply(masked, masks);
        String title = String.format(
                "%s masked to %s alive (%s), batch %d, %d thread(s), medians of %d alternating steps; %s",
                model, alive, layout, batch, threads, steps, "CPU " + dev.whittle.runtime.MachineInfo.cpuModel());
        String table = run(new Graph[] {masked, compact}, batch, threads, steps, title);
        System.out.print(table);
        if (out != null) Files.writeString(Path.of(out), table);
    }

    /** The same alive count per group, as the group's first channels. */
    private static ChannelMasks front(ChannelMasks even) {
        ChannelMasks m = new ChannelMasks(even.groups());
        for (ChannelGroup g : even.groups()) {
            if (!g.prunable()) continue;
            boolean[] keep = new boolean[g.channels()];
            Arrays.fill(keep, 0, even.aliveIndices(g.id()).length, true);
            m.set(g.id(), keep);
        }
        return m;
    }

    private static String run(Graph[] graphs, int batch, int threads, int steps, String title) {
        int nodes = graphs[0].nodes().size(), classes = graphs[0].classes();
        SplittableRandom r = new SplittableRandom(1);
        float[] x = new float[batch * graphs[0].inputShape().size()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = r.nextInt(classes);
        float[] losses = new float[batch], dLogits = new float[batch * classes];
        long[][][] fwd = new long[2][nodes][steps], bwd = new long[2][nodes][steps];
        long[][] step = new long[2][steps];
        long[] f = new long[nodes], b = new long[nodes];
        try (Parallel parallel = new Parallel(threads)) {
            Executor[] ex = {
                new Executor(graphs[0], batch, true, parallel, LayerProfile.kernels("vector")),
                new Executor(graphs[1], batch, true, parallel, LayerProfile.kernels("vector"))
            };
            for (int s = -5; s < steps; s++) {
                for (int e = 0; e < 2; e++) {
                    Arrays.fill(f, 0);
                    Arrays.fill(b, 0);
                    ex[e].profileInto(f, b);
                    long t0 = System.nanoTime();
                    float[] logits = ex[e].forward(x, batch, true);
                    SoftmaxCrossEntropyScalar.forwardBackward(
                            classes, logits, labels, losses, dLogits, batch, 0, batch);
                    ex[e].backward(dLogits);
                    long t1 = System.nanoTime();
                    ex[e].profileInto(null, null);
                    if (s < 0) continue; // warm-up
                    step[e][s] = t1 - t0;
                    for (int n = 0; n < nodes; n++) {
                        fwd[e][n][s] = f[n];
                        bwd[e][n][s] = b[n];
                    }
                }
            }
        }
        StringBuilder sb = new StringBuilder("# Masked against compact training step\n\n")
                .append(title)
                .append("\n\n");
        sb.append(String.format(
                "Step: masked %.2f ms, compact %.2f ms (masked %.2fx the compact time)%n%n",
                ms(step[0]), ms(step[1]), ms(step[0]) / ms(step[1])));
        sb.append("| node | masked fwd ms | compact fwd ms | masked bwd ms | compact bwd ms | masked − compact ms |\n");
        sb.append("|---|---:|---:|---:|---:|---:|\n");
        for (int n = 0; n < nodes; n++) {
            double mf = ms(fwd[0][n]), cf = ms(fwd[1][n]), mb = ms(bwd[0][n]), cb = ms(bwd[1][n]);
            if (mf + cf + mb + cb < 0.01) continue;
            sb.append(String.format(
                    "| %s | %.3f | %.3f | %.3f | %.3f | %+.3f |%n",
                    graphs[0].nodes().get(n).name(), mf, cf, mb, cb, mf + mb - cf - cb));
        }
        return sb.toString();
    }

    /** Median of nanosecond samples, in ms. */
    private static double ms(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s[s.length / 2] / 1e6;
    }
}
