package dev.whittle.cli;

import dev.whittle.train.EpochMetrics;
import dev.whittle.train.Trainer;
import java.io.PrintStream;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows training progress: a live bar (loss, img/s, ETA) on a terminal; off a terminal (CI, a log file) the
 * same bar as a plain line every few seconds, so logs stay readable. One summary line per epoch either way.
 */
final class ProgressReporter implements Trainer.Listener {
    private final PrintStream out;
    private final int epochs;
    private final boolean terminal;
    private ProgressBar bar;
    private long lastMessage;

    ProgressReporter(PrintStream out, int epochs) {
        this.out = out;
        this.epochs = epochs;
        this.terminal = isInteractive();
    }

    /**
     * The launcher knows best ({@code [ -t 1 ]}) and passes -Dwhittle.tty; without it, fall back to the JDK's
     * console check, and treat CI as never interactive.
     */
    static boolean isInteractive() {
        String tty = System.getProperty("whittle.tty");
        if (tty != null) return tty.equals("1") || tty.equals("true");
        if (System.getenv("CI") != null) return false;
        var console = System.console();
        return console != null && console.isTerminal();
    }

    @Override
    public void epochStarted(int epoch, int batches) {
        ProgressBarBuilder b = new ProgressBarBuilder()
                .setTaskName(String.format("epoch %d/%d", epoch, epochs))
                .setInitialMax(batches)
                .setUnit(" batches", 1);

        if (terminal) {
            b.setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUpdateIntervalMillis(250);
        } else {
            b.setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new DelegatingProgressBarConsumer(out::println, 100))
                    .setUpdateIntervalMillis(10_000);
        }
        bar = b.build();
    }

    @Override
    public void batchDone(int epoch, int batch, double loss, double imagesPerSecond) {
        bar.stepTo(batch);
        long now = System.nanoTime();
        if (now - lastMessage > 200_000_000L) { // formatting every batch would allocate in the training loop
            lastMessage = now;
            bar.setExtraMessage(String.format("loss %.4f  %,.0f img/s", loss, imagesPerSecond));
        }
    }

    @Override
    public void epochDone(EpochMetrics m) {
        bar.close();
        out.printf(
                "epoch %d/%d  train loss %.4f  train acc %.2f%%  test acc %.2f%%  lr %.5f  %.1f s  %,.0f img/s%n",
                m.epoch(),
                epochs,
                m.trainLoss(),
                100 * m.trainAccuracy(),
                100 * m.testAccuracy(),
                m.lr(),
                m.seconds(),
                m.imagesPerSecond());
    }
}
