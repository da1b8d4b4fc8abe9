package dev.whittle.train;

/** Hyper-parameters of one training run; defaults are the reference recipe of models.md. */
public record TrainConfig(
        int epochs,
        int batch,
        float lr,
        String schedule,
        float momentum,
        float weightDecay,
        boolean nesterov,
        long seed) {

    public static TrainConfig recipe(int epochs) {
        return new TrainConfig(epochs, 128, 0.05f, "cosine", 0.9f, 5e-4f, false, 42);
    }

    public TrainConfig withSeed(long newSeed) {
        return new TrainConfig(epochs, batch, lr, schedule, momentum, weightDecay, nesterov, newSeed);
    }

    public TrainConfig {
        if (epochs < 0) throw new IllegalArgumentException("--epochs must be >= 0, found " + epochs);
        if (batch <= 0) throw new IllegalArgumentException("--batch must be > 0, found " + batch);
        if (!(lr > 0) || !Float.isFinite(lr))
            throw new IllegalArgumentException("--lr must be a positive number, found " + lr);
        if (momentum < 0 || momentum >= 1)
            throw new IllegalArgumentException("--momentum must be in [0, 1), found " + momentum);
        if (weightDecay < 0) throw new IllegalArgumentException("--weight-decay must be >= 0, found " + weightDecay);
    }
}
