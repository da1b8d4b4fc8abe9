package dev.whittle.nativebind.opencl;

import static dev.whittle.nativebind.opencl.ClTestSupport.*;

import dev.whittle.kernels.BatchNormScalar;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Differential tests of batch normalisation (training forward with running statistics, eval forward, backward)
 * against {@link BatchNormScalar}. Inputs carry a per-channel offset so the mean subtraction matters.
 */
class ClBatchNormTest {

    @ParameterizedTest(name = "batch={0} channels={1} hw={2}")
    @CsvSource({"1,1,25", "2,3,49", "3,5,81", "1,17,169", "3,3,1", "1,2,1", "2,5,300"})
    void matchesScalarReference(int batch, int channels, int hw) {
        ClKernels kernels = kernels();
        ClContext ctx = context();
        Random rnd = new Random(batch * 1000L + channels * 10L + hw);
        int size = batch * channels * hw, count = batch * hw;
        float[] x = uniform(rnd, size);
        for (int i = 0; i < size; i++) x[i] += (i / hw) % channels - 2f;
        float[] gamma = uniform(rnd, channels), beta = uniform(rnd, channels), dy = uniform(rnd, size);
        float[] runMean = uniform(rnd, channels), runVar = new float[channels];
        for (int c = 0; c < channels; c++) runVar[c] = 0.5f + rnd.nextFloat();
        float momentum = 0.1f, eps = 1e-5f;

        float[] y = new float[size], mean = new float[channels], invStd = new float[channels];
        float[] rm = runMean.clone(), rv = runVar.clone();
        BatchNormScalar.forwardTrain(
                batch, channels, hw, x, gamma, beta, y, mean, invStd, rm, rv, momentum, eps, 0, channels);
        float[] yEval = new float[size];
        BatchNormScalar.forwardEval(batch, channels, hw, x, gamma, beta, rm, rv, eps, yEval, 0, channels);
        float[] dx0 = uniform(rnd, size), dg0 = uniform(rnd, channels), db0 = uniform(rnd, channels);
        float[] dx = dx0.clone(), dg = dg0.clone(), db = db0.clone();
        BatchNormScalar.backward(batch, channels, hw, x, dy, gamma, mean, invStd, dx, dg, db, 0, channels);

        try (ClBuffer bx = ctx.floats(x);
                ClBuffer bg = ctx.floats(gamma);
                ClBuffer bb = ctx.floats(beta);
                ClBuffer by = ctx.floats(size);
                ClBuffer bm = ctx.floats(channels);
                ClBuffer bis = ctx.floats(channels);
                ClBuffer brm = ctx.floats(runMean);
                ClBuffer brv = ctx.floats(runVar);
                ClBuffer bye = ctx.floats(size);
                ClBuffer bdy = ctx.floats(dy);
                ClBuffer bdx = ctx.floats(dx0);
                ClBuffer bdg = ctx.floats(dg0);
                ClBuffer bdb = ctx.floats(db0)) {
            ClBatchNorm bn = kernels.batchNorm();
            bn.forwardTrain(batch, channels, hw, bx, bg, bb, by, bm, bis, brm, brv, momentum, eps);
            bn.forwardEval(batch, channels, hw, bx, bg, bb, brm, brv, eps, bye);
            bn.backward(batch, channels, hw, bx, bdy, bg, bm, bis, bdx, bdg, bdb);
            String tag = batch + "x" + channels + "x" + hw;
            assertClose("train y " + tag, y, read(by, size), count);
            assertClose("batch mean " + tag, mean, read(bm, channels), count);
            assertClose("invStd " + tag, invStd, read(bis, channels), count);
            assertClose("running mean " + tag, rm, read(brm, channels), count);
            assertClose("running var " + tag, rv, read(brv, channels), count);
            assertClose("eval y " + tag, yEval, read(bye, size), count);
            assertClose("dx " + tag, dx, read(bdx, size), count);
            assertClose("dGamma " + tag, dg, read(bdg, channels), count);
            assertClose("dBeta " + tag, db, read(bdb, channels), count);
        }
    }

    /** Only listed channels are computed; unlisted y planes are zero and their statistics and gradients untouched. */
    @ParameterizedTest(name = "batch={0} channels={1} hw={2} alive={3}")
    @CsvSource({"2,5,49,0 3", "3,7,9,6", "1,4,1,1 2 3", "2,3,25,''"})
    void aliveListComputesOnlyListedChannels(int batch, int channels, int hw, String aliveList) {
        ClKernels kernels = kernels();
        ClContext ctx = context();
        int[] alive = aliveList.isBlank()
                ? new int[0]
                : java.util.Arrays.stream(aliveList.trim().split(" "))
                        .mapToInt(Integer::parseInt)
                        .toArray();
        Random rnd = new Random(batch * 31L + channels * 7L + hw + alive.length);
        int size = batch * channels * hw, count = batch * hw;
        float[] x = uniform(rnd, size), dy = uniform(rnd, size);
        float[] gamma = uniform(rnd, channels), beta = uniform(rnd, channels);
        float[] runMean = uniform(rnd, channels), runVar = new float[channels];
        for (int c = 0; c < channels; c++) runVar[c] = 0.5f + rnd.nextFloat();
        float momentum = 0.1f, eps = 1e-5f;
        float[] mean0 = uniform(rnd, channels), invStd0 = uniform(rnd, channels);
        float[] y = new float[size], yEval = new float[size], mean = mean0.clone(), invStd = invStd0.clone();
        float[] rm = runMean.clone(), rv = runVar.clone();
        float[] dx0 = uniform(rnd, size), dg0 = uniform(rnd, channels), db0 = uniform(rnd, channels);
        float[] dx = dx0.clone(), dg = dg0.clone(), db = db0.clone();
        for (int c : alive) {
            BatchNormScalar.forwardTrain(
                    batch, channels, hw, x, gamma, beta, y, mean, invStd, rm, rv, momentum, eps, c, c + 1);
        }
        for (int c : alive)
            BatchNormScalar.forwardEval(batch, channels, hw, x, gamma, beta, rm, rv, eps, yEval, c, c + 1);
        for (int c : alive)
            BatchNormScalar.backward(batch, channels, hw, x, dy, gamma, mean, invStd, dx, dg, db, c, c + 1);

        try (ClAlive list = ClAlive.of(ctx, alive);
                ClBuffer bx = ctx.floats(x);
                ClBuffer bg = ctx.floats(gamma);
                ClBuffer bb = ctx.floats(beta);
                ClBuffer by = ctx.floats(uniform(rnd, size));
                ClBuffer bm = ctx.floats(mean0);
                ClBuffer bis = ctx.floats(invStd0);
                ClBuffer brm = ctx.floats(runMean);
                ClBuffer brv = ctx.floats(runVar);
                ClBuffer bye = ctx.floats(uniform(rnd, size));
                ClBuffer bdy = ctx.floats(dy);
                ClBuffer bdx = ctx.floats(dx0);
                ClBuffer bdg = ctx.floats(dg0);
                ClBuffer bdb = ctx.floats(db0)) {
            ClBatchNorm bn = kernels.batchNorm();
            bn.forwardTrain(batch, channels, hw, bx, bg, bb, by, bm, bis, brm, brv, momentum, eps, list);
            bn.forwardEval(batch, channels, hw, bx, bg, bb, brm, brv, eps, bye, list);
            bn.backward(batch, channels, hw, bx, bdy, bg, bm, bis, bdx, bdg, bdb, list);
            String tag = batch + "x" + channels + "x" + hw + " alive " + aliveList;
            assertClose("train y " + tag, y, read(by, size), count);
            assertClose("batch mean " + tag, mean, read(bm, channels), count);
            assertClose("invStd " + tag, invStd, read(bis, channels), count);
            assertClose("running mean " + tag, rm, read(brm, channels), count);
            assertClose("running var " + tag, rv, read(brv, channels), count);
            assertClose("eval y " + tag, yEval, read(bye, size), count);
            assertClose("dx " + tag, dx, read(bdx, size), count);
            assertClose("dGamma " + tag, dg, read(bdg, channels), count);
            assertClose("dBeta " + tag, db, read(bdb, channels), count);
        }
    }
}
