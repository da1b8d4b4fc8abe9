package dev.whittle.train;

/** The loss became NaN or infinite: training stops before corrupting the model further. */
public final class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
