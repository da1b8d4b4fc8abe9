package dev.whittle.kernels;

/**
 * SGD with momentum, weight decay and optional Nesterov, in PyTorch's formulation over a flat range:
 * g' = g + wd·w; v = μ·v + g'; step = nesterov ? g' + μ·v : v; w −= lr·step.
 */
public final class SgdScalar {
    private SgdScalar() {}

    /** w, grad, velocity share one layout; elements [i0, i1) are updated. */
    public static void step(
            float[] w,
            float[] grad,
            float[] velocity,
            float lr,
            float momentum,
            float weightDecay,
            boolean nesterov,
            int i0,
            int i1) {
        for (int i = i0; i < i1; i++) {
            float g = grad[i] + weightDecay * w[i];
            float v = momentum * velocity[i] + g;
            velocity[i] = v;
            w[i] -= lr * (nesterov ? g + momentum * v : v);
        }
    }
}
