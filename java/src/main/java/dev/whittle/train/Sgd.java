package dev.whittle.train;

import dev.whittle.kernels.SgdScalar;
import dev.whittle.nn.Param;
import dev.whittle.runtime.Parallel;
import java.util.List;

/** SGD with momentum, weight decay on every parameter and optional Nesterov; one velocity per parameter. */
public final class Sgd {
    private final List<Param> params;
    private final float[][] velocity;
    private final float momentum, weightDecay;
    private final boolean nesterov;
    private final Parallel parallel;
    private float lr;
    private Param current;
    private float[] currentVelocity;
    private final Parallel.RangeBody update;

    public Sgd(List<Param> params, float momentum, float weightDecay, boolean nesterov, Parallel parallel) {
        this.params = params;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
        this.parallel = parallel;
        velocity = new float[params.size()][];
        for (int i = 0; i < params.size(); i++)
            velocity[i] = new float[params.get(i).size()];
        update = (lo, hi) -> SgdScalar.step(
                current.value(), current.grad(), currentVelocity, lr, momentum, weightDecay, nesterov, lo, hi);
    }

    public void zeroGrad() {
        for (Param p : params) p.zeroGrad();
    }

    public void step(float learningRate) {
        lr = learningRate;
        for (int i = 0; i < params.size(); i++) {
            current = params.get(i);
            currentVelocity = velocity[i];
            parallel.forRange(current.size(), update);
        }
    }
}
