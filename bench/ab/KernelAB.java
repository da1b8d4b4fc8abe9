import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * JarAB for one convolution shape: two builds of the kernels (jars or class directories) in one process, a class
 * loader each, their forward calls alternated; each round takes the best of {@code reps} calls of A, then of B.
 *
 * <p>Arguments: batch channels filters mapSize rounds reps kernelsA kernelsB callClassesDir.
 */
public class KernelAB {
    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[0]), c = Integer.parseInt(a[1]), k = Integer.parseInt(a[2]);
        int hw = Integer.parseInt(a[3]), rounds = Integer.parseInt(a[4]), reps = Integer.parseInt(a[5]);
        Runnable[] call = new Runnable[2];
        for (int j = 0; j < 2; j++) {
            URL[] urls = {Path.of(a[6 + j]).toUri().toURL(), Path.of(a[8]).toUri().toURL()};
            ClassLoader cl = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
            call[j] = (Runnable) cl.loadClass("ConvCall")
                    .getConstructor(int.class, int.class, int.class, int.class)
                    .newInstance(n, c, k, hw);
        }
        double[][] t = new double[2][rounds];
        for (int q = -10; q < rounds; q++) { // ten rounds of warm-up for the JIT
            for (int j = 0; j < 2; j++) {
                long best = Long.MAX_VALUE;
                for (int s = 0; s < reps; s++) {
                    long t0 = System.nanoTime();
                    call[j].run();
                    best = Math.min(best, System.nanoTime() - t0);
                }
                if (q >= 0) t[j][q] = best / 1e3;
            }
        }
        double[] ratio = new double[rounds];
        for (int q = 0; q < rounds; q++) ratio[q] = t[0][q] / t[1][q];
        Arrays.sort(ratio);
        Arrays.sort(t[0]);
        Arrays.sort(t[1]);
        System.out.printf(
                "b%d %d->%d @%dx%d: A %.1f us, B %.1f us, A/B median %.3f (quartiles %.3f-%.3f)%n",
                n, c, k, hw, hw, t[0][rounds / 2], t[1][rounds / 2], ratio[rounds / 2], ratio[rounds / 4],
                ratio[3 * rounds / 4]);
    }
}
