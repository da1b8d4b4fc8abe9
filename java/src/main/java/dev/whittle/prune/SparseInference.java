package dev.whittle.prune;

import dev.whittle.graph.Graph;
import dev.whittle.graph.Node;
import dev.whittle.kernels.ConvGeometry;
import dev.whittle.kernels.KernelSet;
import dev.whittle.kernels.SparseKernels;
import dev.whittle.kernels.SparseRows;
import dev.whittle.kernels.vector.SparseVectorKernels;
import dev.whittle.nn.Conv2d;
import dev.whittle.nn.Linear;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Switches individual conv and linear layers of a graph to the sparse-weight kernels for inference, each only
 * where its weight density is below the break-even density of its shape ({@link SparseBreakEven}), so the
 * sparse path is used only where it beats the dense kernel. Layers keep their dense weights (training and
 * backward are unchanged); the sparse copy is a snapshot, so call {@link #apply} again after weights change.
 * Layers with channel masks stay dense: compaction is the structured path.
 */
public final class SparseInference {
    private SparseInference() {}

    /** What was decided for one layer: its density, the threshold it was compared with, and the memory. */
    public record Decision(
            String node,
            String op,
            double density,
            double threshold,
            boolean sparse,
            long denseBytes,
            long sparseBytes) {}

    /** Break-even density for a layer shape (conv geometry at the per-thread batch, or a linear shape). */
    public interface Thresholds {
        double conv(ConvGeometry g);

        double linear(int in, int out, int batch);
    }

    /** Fixed thresholds (tests, or a user who measured once). */
    public static Thresholds fixed(double conv, double linear) {
        return new Thresholds() {
            public double conv(ConvGeometry g) {
                return conv;
            }

            public double linear(int in, int out, int batch) {
                return linear;
            }
        };
    }

    /**
     * Thresholds looked up by shape name ({@link SparseBreakEven#describeConv}, {@link SparseBreakEven#describeLinear}),
     * e.g. the break-evens a benchmark just measured; a shape missing from the table stays dense (threshold 0).
     */
    public static Thresholds table(Map<String, Double> breakEvenByShape) {
        Map<String, Double> t = Map.copyOf(breakEvenByShape);
        return new Thresholds() {
            public double conv(ConvGeometry g) {
                return t.getOrDefault(SparseBreakEven.describeConv(g), 0.0);
            }

            public double linear(int in, int out, int batch) {
                return t.getOrDefault(SparseBreakEven.describeLinear(in, out, batch), 0.0);
            }
        };
    }

    /**
     * Thresholds measured on this machine for each shape (cached), or the {@code -Dwhittle.sparse.conv/linear}
     * overrides when set.
     */
    public static Thresholds measured(KernelSet dense, SparseKernels sparse, SparseBreakEven.Timing timing) {
        double[] grid = {0.02, 0.1, 0.25, 0.5, 0.75};
        Map<String, Double> cache = new HashMap<>();
        return new Thresholds() {
            public double conv(ConvGeometry g) {
                double o = SparseBreakEven.override("conv");
                if (!Double.isNaN(o)) return o;
                return cache.computeIfAbsent(
                        g.toString(), k -> SparseBreakEven.measure(SparseBreakEven.conv(g, dense, sparse), grid, timing)
                                .breakEven());
            }

            public double linear(int in, int out, int batch) {
                double o = SparseBreakEven.override("linear");
                if (!Double.isNaN(o)) return o;
                return cache.computeIfAbsent("linear " + in + " " + out + " " + batch, k -> SparseBreakEven.measure(
                                SparseBreakEven.linear(in, out, batch, dense, sparse), grid, timing)
                        .breakEven());
            }
        };
    }

    /** The sparse kernels matching a dense backend: Vector API beside the vector set, else the scalar ones. */
    public static SparseKernels kernelsFor(KernelSet dense) {
        return "vector".equals(dense.name()) ? new SparseVectorKernels() : SparseKernels.scalar();
    }

    /**
     * Decides every conv and linear layer of g for inference at {@code batchPerThread} images per kernel call,
     * and installs the sparse weights where density &lt; threshold (and clears them elsewhere). Layers with
     * no zero weights are not measured. {@code -Dwhittle.sparse=off} clears every layer.
     */
    public static List<Decision> apply(Graph g, int batchPerThread, Thresholds th, SparseKernels kernels) {
        List<Decision> out = new ArrayList<>();
        boolean off = SparseBreakEven.disabled();
        for (Node n : g.nodes()) {
            if (n.layer() instanceof Conv2d c) {
                float[] w = c.weight.value();
                double d = density(w);
                ConvGeometry geo = c.geometry(n.inShapes()[0], batchPerThread);
                double t = off || c.masked() || d >= 1 ? Double.NaN : th.conv(geo);
                boolean sparse = !Double.isNaN(t) && d < t;
                SparseRows rows = sparse ? SparseRows.fromDense(w, c.outChannels, w.length / c.outChannels) : null;
                c.setSparse(rows, sparse ? kernels : null);
                out.add(new Decision(n.name(), "conv2d", d, t, sparse, 4L * w.length, sparseBytes(w, c.outChannels)));
            } else if (n.layer() instanceof Linear l) {
                float[] w = l.weight.value();
                double d = density(w);
                double t = off || l.masked() || d >= 1 ? Double.NaN : th.linear(l.in, l.out, batchPerThread);
                boolean sparse = !Double.isNaN(t) && d < t;
                l.setSparse(sparse ? SparseRows.fromDense(w, l.out, l.in) : null, sparse ? kernels : null);
                out.add(new Decision(n.name(), "linear", d, t, sparse, 4L * w.length, sparseBytes(w, l.out)));
            }
        }
        return out;
    }

    /** Removes every sparse snapshot: all layers run dense again. */
    public static void clear(Graph g) {
        for (Node n : g.nodes()) {
            if (n.layer() instanceof Conv2d c) c.setSparse(null, null);
            else if (n.layer() instanceof Linear l) l.setSparse(null, null);
        }
    }

    /**
     * MACs per image that multiply a nonzero weight: each conv and linear layer's MACs scaled by its weight density,
     * every other layer as counted. For fine-grained pruning this, not the unchanged dense MACs, is the work a
     * zero-skipping kernel has to do, so it is what a speedup should be divided by.
     */
    public static double nonzeroMacs(Graph g) {
        double m = 0;
        for (Node n : g.nodes()) {
            long macs = n.layer().macs(n.inShapes());
            if (n.layer() instanceof Conv2d c) m += macs * density(c.weight.value());
            else if (n.layer() instanceof Linear l) m += macs * density(l.weight.value());
            else m += macs;
        }
        return m;
    }

    /** Fraction of nonzero entries. */
    public static double density(float[] w) {
        long nz = 0;
        for (float v : w) if (v != 0f) nz++;
        return w.length == 0 ? 0 : (double) nz / w.length;
    }

    /** Bytes of the CSR form of w with {@code rows} rows (see {@link SparseRows#bytes}). */
    public static long sparseBytes(float[] w, int rows) {
        long nz = 0;
        for (float v : w) if (v != 0f) nz++;
        return 4L * (rows + 1) + 8L * nz;
    }
}
