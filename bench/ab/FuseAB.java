import dev.whittle.graph.*;
import dev.whittle.model.Models;
import dev.whittle.runtime.Parallel;
import java.util.*;
/**
 * A fused and an unfused inference executor of one model in one JVM, blocks of calls alternating round by round:
 * what the inference fusions (conv chains, pools) are worth, free of the VM's drift between processes.
 * <pre>
 * javac -cp bench/target/benchmarks.jar -d /tmp/fab bench/ab/FuseAB.java
 * java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar:/tmp/fab FuseAB MODEL BATCH THREADS ROUNDS CALLS
 * </pre>
 * plain/fused > 1 means the fused executor is faster.
 */
public class FuseAB {
    public static void main(String[] a) {
        String model = a[0]; int batch = Integer.parseInt(a[1]), threads = Integer.parseInt(a[2]), rounds = Integer.parseInt(a[3]), calls = Integer.parseInt(a[4]);
        Graph g = Models.byName(model); g.initialize(1);
        float[] x = new float[batch * g.inputShape().size()];
        SplittableRandom r = new SplittableRandom(3); for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        try (Parallel p = new Parallel(threads)) {
            Executor fused = new Executor(g, batch, false, p), plain = new Executor(g, batch, false, p, dev.whittle.kernels.vector.VectorKernels.create(), false);
            for (int i = 0; i < 3000; i++) { fused.forward(x, batch, false); plain.forward(x, batch, false); }
            double[] ratio = new double[rounds]; double[] tf = new double[rounds], tp = new double[rounds];
            for (int k = 0; k < rounds; k++) {
                long t0 = System.nanoTime(); for (int i = 0; i < calls; i++) plain.forward(x, batch, false);
                long t1 = System.nanoTime(); for (int i = 0; i < calls; i++) fused.forward(x, batch, false);
                long t2 = System.nanoTime();
                tp[k] = (t1 - t0) / 1e6 / calls; tf[k] = (t2 - t1) / 1e6 / calls; ratio[k] = tp[k] / tf[k];
            }
            Arrays.sort(ratio); Arrays.sort(tf); Arrays.sort(tp);
            System.out.printf("%s b%d t%d: plain %.3f ms, fused %.3f ms, plain/fused median %.3f (quartiles %.3f-%.3f)%n", model, batch, threads, tp[rounds/2], tf[rounds/2], ratio[rounds/2], ratio[rounds/4], ratio[3*rounds/4]);
        }
    }
}
