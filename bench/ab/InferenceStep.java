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
        Graph g = Models.byName(model);
        g.initialize(42);
        e = new Executor(g, batch, false, new Parallel(threads), VectorKernels.create());
        this.batch = batch;
        x = new float[batch * g.inputShape().size()];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
    }

    @Override
    public void run() {
        e.forward(x, batch, false);
    }
}
