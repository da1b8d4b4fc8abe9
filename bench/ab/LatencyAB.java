import java.util.Arrays;

/**
 * Batch-1 latency of two Whittle jars in one process (one class loader each): blocks of calls alternate between
 * them, every call is timed, and each jar's p50 / p90 / p99 / max over all its calls is printed, so both see the
 * same noise. Arguments: model threads blocks callsPerBlock jarA jarB stepClassesDir (InferenceStep).
 */
public class LatencyAB {
    public static void main(String[] a) throws Exception {
        String model = a[0];
        int threads = Integer.parseInt(a[1]), blocks = Integer.parseInt(a[2]), calls = Integer.parseInt(a[3]);
        Runnable[] step = {
            Jars.step("InferenceStep", a[4], a[6], model, 1, threads), Jars.step("InferenceStep", a[5], a[6], model, 1, threads)
        };
        for (int w = 0; w < 3000; w++) for (Runnable s : step) s.run(); // warm-up for the JIT
        double[][] t = new double[2][blocks * calls];
        for (int b = 0; b < blocks; b++) {
            for (int j = 0; j < 2; j++) {
                for (int c = 0; c < calls; c++) {
                    long t0 = System.nanoTime();
                    step[j].run();
                    t[j][b * calls + c] = (System.nanoTime() - t0) / 1e6;
                }
            }
        }
        for (int j = 0; j < 2; j++) {
            double[] s = t[j].clone();
            Arrays.sort(s);
            int n = s.length;
            System.out.printf("%s %s b1 t%d: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f ms (%d calls)%n",
                    j == 0 ? "A" : "B", model, threads, s[n / 2], s[n * 9 / 10], s[n * 99 / 100], s[n * 999 / 1000],
                    s[n - 1], n);
        }
    }
}
