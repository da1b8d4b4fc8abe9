package dev.whittle.nativebind.opencl;

/** SGD on device buffers, the twin of {@code dev.whittle.kernels.SgdScalar} (PyTorch's formula). */
public final class ClSgd {
    private final ClLauncher l;
    private final ClKernel kernel;

    ClSgd(ClLauncher launcher) {
        this.l = launcher;
        kernel = l.program("sgd").kernel("sgd_step");
    }

    /** Updates w and velocity in place over the first n elements. */
    public void step(
            int n,
            ClBuffer w,
            ClBuffer grad,
            ClBuffer velocity,
            float lr,
            float momentum,
            float weightDecay,
            boolean nesterov) {
        kernel.arg(0, w)
                .arg(1, grad)
                .arg(2, velocity)
                .arg(3, lr)
                .arg(4, momentum)
                .arg(5, weightDecay)
                .arg(6, nesterov ? 1 : 0)
                .arg(7, n);
        l.run1d(kernel, n);
    }
}
