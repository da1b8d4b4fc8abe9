import java.util.Arrays;

/**
 * Two Whittle jars in one process, one class loader each, their steps (training steps, or inference forwards)
 * alternated: each round times the best of max(2, 128 / batch) steps of A, then of B. The VM's drift between runs
 * (±25 %) is as large as most changes; within one process it slows both alike, so the per-round ratio is what to
 * read. See run.sh.
 *
 * <p>Arguments: stepClass model batch threads rounds jarA jarB stepClassesDir.
 */
public class JarAB {
    public static void main(String[] a) throws Exception {
        String stepClass = a[0], model = a[1];
        int batch = Integer.parseInt(a[2]), threads = Integer.parseInt(a[3]), rounds = Integer.parseInt(a[4]);
        int reps = Math.max(2, 128 / batch);
        Runnable[] step = {
            Jars.step(stepClass, a[5], a[7], model, batch, threads), Jars.step(stepClass, a[6], a[7], model, batch, threads)
        };
        double[][] t = new double[2][rounds];
        for (int r = -10; r < rounds; r++) { // ten rounds of warm-up for the JIT
            for (int j = 0; j < 2; j++) {
                long best = Long.MAX_VALUE;
                for (int s = 0; s < reps; s++) {
                    long t0 = System.nanoTime();
                    step[j].run();
                    best = Math.min(best, System.nanoTime() - t0);
                }
                if (r >= 0) t[j][r] = best / 1e6;
            }
        }
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) ratio[r] = t[0][r] / t[1][r];
        Arrays.sort(ratio);
        Arrays.sort(t[0]);
        Arrays.sort(t[1]);
        System.out.printf(
                "%s b%d t%d: A median %.1f ms, B median %.1f ms, per-round A/B median %.3f (quartiles %.3f–%.3f)%n",
                model, batch, threads, t[0][rounds / 2], t[1][rounds / 2], ratio[rounds / 2], ratio[rounds / 4],
                ratio[3 * rounds / 4]);
    }
}
