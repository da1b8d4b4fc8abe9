package dev.whittle.train;

/** What one epoch did: mean training loss and accuracy, test accuracy, learning rate at its end, speed. */
public record EpochMetrics(
        int epoch,
        double trainLoss,
        double trainAccuracy,
        double testLoss,
        double testAccuracy,
        double lr,
        double seconds,
        double imagesPerSecond) {}
