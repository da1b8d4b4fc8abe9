package dev.whittle.nativebind.opencl;

/** Element-wise ops over the first n elements, the twin of {@code dev.whittle.kernels.ElementwiseScalar}. */
public final class ClElementwise {
    private final ClLauncher l;
    private final ClKernel reluFwd, reluBwd, add, accumulate;

    ClElementwise(ClLauncher launcher) {
        this.l = launcher;
        ClProgram p = l.program("elementwise");
        reluFwd = p.kernel("relu_forward");
        reluBwd = p.kernel("relu_backward");
        add = p.kernel("add");
        accumulate = p.kernel("accumulate");
    }

    /** y = max(x, 0). */
    public void reluForward(int n, ClBuffer x, ClBuffer y) {
        l.run1d(reluFwd.arg(0, x).arg(1, y).arg(2, n), n);
    }

    /** dx += dy where the forward output y was positive. */
    public void reluBackward(int n, ClBuffer y, ClBuffer dy, ClBuffer dx) {
        l.run1d(reluBwd.arg(0, y).arg(1, dy).arg(2, dx).arg(3, n), n);
    }

    /** y = a + b. */
    public void add(int n, ClBuffer a, ClBuffer b, ClBuffer y) {
        l.run1d(add.arg(0, a).arg(1, b).arg(2, y).arg(3, n), n);
    }

    /** dst += src. */
    public void accumulate(int n, ClBuffer src, ClBuffer dst) {
        l.run1d(accumulate.arg(0, src).arg(1, dst).arg(2, n), n);
    }
}
