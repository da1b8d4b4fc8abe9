import dev.whittle.graph.Executor;
import dev.whittle.graph.Graph;
import dev.whittle.kernels.SoftmaxCrossEntropyScalar;
import dev.whittle.kernels.vector.VectorKernels;
import dev.whittle.runtime.Parallel;
import java.util.SplittableRandom;

/**
 * One training step (forward, loss, backward; no optimizer step, so every step does the same arithmetic) of a
 * reference model on the vector kernels, built against whichever Whittle jar loaded this class (JarAB).
 */
public class TrainingStep implements Runnable {
    private final Executor e;
    private final float[] x, losses, dLogits;
    private final int[] labels;
    private final int batch, classes;

    public TrainingStep(String model, int batch, int threads) {
        Graph g = InferenceStep.graph(model); // widths or masks: see there
        if (model.indexOf('%') < 0) g.initialize(42);
        e = new Executor(g, batch, true, new Parallel(threads), VectorKernels.create());
        this.batch = batch;
        classes = g.classes();
        x = new float[batch * g.inputShape().size()];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = r.nextInt(classes);
        losses = new float[batch];
        dLogits = new float[batch * classes];
    }

    @Override
    public void run() {
        float[] logits = e.forward(x, batch, true);
        SoftmaxCrossEntropyScalar.forwardBackward(classes, logits, labels, losses, dLogits, batch, 0, batch);
        e.backward(dLogits);
    }
}
