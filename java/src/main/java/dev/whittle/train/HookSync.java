package dev.whittle.train;

/**
 * Runs pruning hooks for an engine whose parameters live off the host: around each hook point the hooks
 * override, parameters and gradients are pulled into the graph's arrays, the hook runs on them, and the result
 * is pushed back. A hook point that only has the interface's empty default costs nothing, so plain training
 * (Hooks.NONE) never copies, and regularization methods (which read weights and add penalty gradients after
 * backward) see exactly what the CPU engine would show them.
 */
public final class HookSync {

    /** Moves values and gradients between the device and the graph's arrays. */
    public interface Transfer {
        void pull();

        void push();
    }

    private final Transfer transfer;
    private Trainer.Hooks seen;
    private boolean before, afterBackward, afterStep;

    public HookSync(Transfer transfer) {
        this.transfer = transfer;
    }

    public void beforeForward(Trainer.Hooks h, long iteration) {
        inspect(h);
        if (!before) return;
        transfer.pull();
        h.beforeForward(iteration);
        transfer.push();
    }

    public void afterBackward(Trainer.Hooks h, long iteration) {
        inspect(h);
        if (!afterBackward) return;
        transfer.pull();
        h.afterBackward(iteration);
        transfer.push();
    }

    public void afterStep(Trainer.Hooks h, long iteration) {
        inspect(h);
        if (!afterStep) return;
        transfer.pull();
        h.afterStep(iteration);
        transfer.push();
    }

    /** Whether {@code h} has its own implementation of hook point {@code name} (not the interface's default). */
    public static boolean overrides(Trainer.Hooks h, String name) {
        try {
            return h.getClass().getMethod(name, long.class).getDeclaringClass() != Trainer.Hooks.class;
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("Trainer.Hooks lost its method " + name, e);
        }
    }

    private void inspect(Trainer.Hooks h) {
        if (h == seen) return;
        seen = h;
        before = overrides(h, "beforeForward");
        afterBackward = overrides(h, "afterBackward");
        afterStep = overrides(h, "afterStep");
    }
}
