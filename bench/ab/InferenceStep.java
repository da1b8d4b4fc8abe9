import dev.whittle.graph.Executor;
import dev.whittle.graph.Graph;
import dev.whittle.kernels.vector.VectorKernels;
import dev.whittle.model.Models;
import dev.whittle.runtime.Parallel;
import java.util.SplittableRandom;

/**
 * One inference forward of a reference model on the vector kernels (fused conv chains, as `whittle bench` runs it),
 * built against whichever Whittle jar loaded this class (JarAB with MODE=inference).
 */
public class InferenceStep implements Runnable {
    private final Executor e;
    private final float[] x;
    private final int batch;

    public InferenceStep(String model, int batch, int threads) {
        Graph g = graph(model);
        if (model.indexOf('%') < 0) g.initialize(42);
        e = new Executor(g, batch, false, new Parallel(threads), VectorKernels.create());
        this.batch = batch;
        x = new float[batch * g.inputShape().size()];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
    }

    /**
     * A reference model by name; vgg_small / resnet20 at other conv widths ("vgg_small@16,16,31,31,63,63"); or
     * masked, every prunable group keeping a fraction of its channels evenly spaced ("vgg_small%0.5", bench-alive's
     * masks).
     */
    static Graph graph(String model) {
        int at = model.indexOf('@'), pct = model.indexOf('%');
        if (pct >= 0) {
            Graph g = graph(model.substring(0, pct));
            g.initialize(42);
            var groups = dev.whittle.prune.ChannelGroups.derive(g);
            double alive = Double.parseDouble(model.substring(pct + 1));
            dev.whittle.prune.MaskBinding.apply(g, dev.whittle.prune.PruneTarget.evenlySpaced(g, groups, alive));
            return g;
        }
        if (at < 0) return Models.byName(model);
        int[] w = java.util.Arrays.stream(model.substring(at + 1).split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
        return switch (model.substring(0, at)) {
            case "vgg_small" -> Models.vggSmall(w, 10);
            case "resnet20" -> Models.resnet20(w, null, new dev.whittle.nn.Shape(1, 28, 28), 10);
            default -> throw new IllegalArgumentException("widths apply to vgg_small and resnet20, not " + model);
        };
    }

    @Override
    public void run() {
        e.forward(x, batch, false);
    }
}
