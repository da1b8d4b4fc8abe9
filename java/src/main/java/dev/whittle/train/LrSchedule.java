package dev.whittle.train;

/** Learning rate as a function of the iteration (0-based) out of a run's total. */
public sealed interface LrSchedule {
    float at(long iteration, long totalIterations);

    /** Constant rate. */
    record Constant(float lr) implements LrSchedule {
        public float at(long it, long total) {
            return lr;
        }
    }

    /** Cosine decay per iteration from lr to 0 (the reference recipe). */
    record Cosine(float lr) implements LrSchedule {
        public float at(long it, long total) {
            if (total <= 0) return lr;
            return (float) (0.5 * lr * (1 + Math.cos(Math.PI * Math.min(it, total) / total)));
        }
    }

    /** Multiply by gamma every {@code stepIterations} iterations. */
    record Step(float lr, long stepIterations, float gamma) implements LrSchedule {
        public Step {
            if (stepIterations <= 0)
                throw new IllegalArgumentException("step schedule needs stepIterations > 0, found " + stepIterations);
        }

        public float at(long it, long total) {
            return (float) (lr * Math.pow(gamma, it / stepIterations));
        }
    }

    /** Parses "cosine", "constant" or "step:EPOCHS:GAMMA" (step given in epochs). */
    static LrSchedule parse(String spec, float lr, long iterationsPerEpoch) {
        if (spec.equals("cosine")) return new Cosine(lr);
        if (spec.equals("constant")) return new Constant(lr);
        if (spec.startsWith("step:")) {
            String[] p = spec.split(":");
            if (p.length == 3) {
                try {
                    return new Step(lr, Long.parseLong(p[1]) * iterationsPerEpoch, Float.parseFloat(p[2]));
                } catch (NumberFormatException e) {
                    // fall through to the error below
                }
            }
        }
        throw new IllegalArgumentException(
                "--schedule expected cosine, constant or step:EPOCHS:GAMMA but found '" + spec + "'");
    }
}
