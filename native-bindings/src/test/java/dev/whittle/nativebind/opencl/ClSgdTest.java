package dev.whittle.nativebind.opencl;

import static dev.whittle.nativebind.opencl.ClTestSupport.*;

import dev.whittle.kernels.SgdScalar;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Five SGD steps against {@link SgdScalar}; a handful of roundings per step (fma contraction may differ). */
class ClSgdTest {

    @ParameterizedTest(name = "n={0} momentum={1} wd={2} nesterov={3}")
    @CsvSource({"1,0,0,false", "17,0.9,0,false", "1000,0.9,5e-4,true", "4099,0.5,1e-2,false"})
    void matchesScalarReference(int n, float momentum, float wd, boolean nesterov) {
        ClKernels kernels = kernels();
        ClContext ctx = context();
        Random rnd = new Random(n);
        float[] w = uniform(rnd, n), v = uniform(rnd, n);
        try (ClBuffer bw = ctx.floats(w);
                ClBuffer bg = ctx.floats(n);
                ClBuffer bv = ctx.floats(v)) {
            for (int step = 0; step < 5; step++) {
                float[] g = uniform(rnd, n);
                float lr = 0.1f / (step + 1);
                SgdScalar.step(w, g, v, lr, momentum, wd, nesterov, 0, n);
                bg.write(g);
                kernels.sgd().step(n, bw, bg, bv, lr, momentum, wd, nesterov);
            }
            assertClose("weights", w, read(bw, n), 1e-5, 1e-6);
            assertClose("velocity", v, read(bv, n), 1e-5, 1e-6);
        }
    }
}
