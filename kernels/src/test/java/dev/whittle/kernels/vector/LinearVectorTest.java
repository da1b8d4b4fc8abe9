package dev.whittle.kernels.vector;

import dev.whittle.kernels.KernelSet;
import dev.whittle.kernels.LinearKernels;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * LinearVector against the scalar reference: forward, backwardData and backwardWeights on full and sub-ranges,
 * accumulating into non-zero dx, dw, db. Tolerances: see {@link Tensors}; σ_x = 1, σ_w = 0.5, σ_dy = 1.
 */
class LinearVectorTest {
    static final LinearKernels VECTOR = VectorKernels.create().linear();
    static final LinearKernels SCALAR = KernelSet.scalar().linear();

    /** Batch, IN, OUT: single rows and small batches (the dot-product path), odd sizes, VGG-small's fc1. */
    static final String SHAPES =
            "1,1,1;1,5,3;3,17,10;3,33,7;5,100,17;7,120,84;17,400,33;3,1,17;1,1152,256;2,33,9;1,40,5";

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> shapes() {
        return java.util.Arrays.stream(SHAPES.split(";")).map(t -> {
            String[] v = t.split(",");
            return org.junit.jupiter.params.provider.Arguments.of(
                    Integer.parseInt(v[0]), Integer.parseInt(v[1]), Integer.parseInt(v[2]));
        });
    }

    @ParameterizedTest(name = "N{0} IN{1} OUT{2}")
    @org.junit.jupiter.params.provider.MethodSource("shapes")
    void forwardOutputsWritesExactlyItsColumnsOnBothBackends(int batch, int in, int out) {
        long seed = 7L * batch + 5L * in + out;
        float[] x = Tensors.randn(seed, batch * in, 1.0), w = Tensors.randn(seed + 1, out * in, 0.5);
        float[] b = Tensors.randn(seed + 2, out, 0.5);
        float[] full = new float[batch * out];
        SCALAR.forward(in, out, x, w, b, full, 0, batch);
        int o1 = out / 2 + 1 > out ? out : out / 2 + 1; // off the 4-row dot-product grid on purpose
        double tol = Tensors.absTol(in + 1, 1.0, 0.5);
        for (LinearKernels k : new LinearKernels[] {SCALAR, VECTOR}) {
            float[] before = Tensors.randn(seed + 3, batch * out, 1.0), y = before.clone();
            k.forwardOutputs(in, out, x, w, b, y, 0, batch, 0, o1);
            for (int n = 0; n < batch; n++) {
                for (int o = 0; o < out; o++) {
                    float want = o < o1 ? full[n * out + o] : before[n * out + o];
                    if (Math.abs(want - y[n * out + o]) > tol) {
                        throw new AssertionError("N" + batch + " IN" + in + " OUT" + out + " " + k + " row " + n
                                + " column " + o + ": expected " + want + " but found " + y[n * out + o]);
                    }
                }
            }
            k.forwardOutputs(in, out, x, w, b, y, 0, batch, o1, out);
            Tensors.assertClose("N" + batch + " IN" + in + " OUT" + out + " both halves", full, y, tol);
        }
    }

    @ParameterizedTest(name = "N{0} IN{1} OUT{2}")
    @org.junit.jupiter.params.provider.MethodSource("shapes")
    void allThreeKernelsMatchScalar(int batch, int in, int out) {
        long seed = 31L * batch + 17L * in + out;
        float[] x = Tensors.randn(seed, batch * in, 1.0), w = Tensors.randn(seed + 1, out * in, 0.5);
        float[] b = Tensors.randn(seed + 2, out, 0.5), dy = Tensors.randn(seed + 3, batch * out, 1.0);
        String what = "N" + batch + " IN" + in + " OUT" + out;
        int n1 = batch > 1 ? 1 : 0, n2 = batch > 2 ? batch - 1 : batch;

        double tolF = Tensors.absTol(in + 1, 1.0, 0.5);
        for (float[] bias : new float[][] {b, null}) {
            float[] before = Tensors.randn(seed + 4, batch * out, 1.0);
            float[] ref = before.clone(), got = before.clone();
            SCALAR.forward(in, out, x, w, bias, ref, 0, batch);
            VECTOR.forward(in, out, x, w, bias, got, 0, batch);
            Tensors.assertClose(what + " forward", ref, got, tolF);
            ref = before.clone();
            got = before.clone();
            SCALAR.forward(in, out, x, w, bias, ref, n1, n2);
            VECTOR.forward(in, out, x, w, bias, got, n1, n2);
            Tensors.assertUntouchedOutside(what + " forward sub-range", before, got, n1 * out, n2 * out);
            Tensors.assertClose(what + " forward sub-range", ref, got, tolF);
        }

        double tolD = Tensors.absTol(out + 1, 1.0, 0.5);
        float[] dx0 = Tensors.randn(seed + 5, batch * in, 1.0);
        float[] ref = dx0.clone(), got = dx0.clone();
        SCALAR.backwardData(in, out, dy, w, ref, 0, batch);
        VECTOR.backwardData(in, out, dy, w, got, 0, batch);
        Tensors.assertClose(what + " backwardData", ref, got, tolD);
        ref = dx0.clone();
        got = dx0.clone();
        SCALAR.backwardData(in, out, dy, w, ref, n1, n2);
        VECTOR.backwardData(in, out, dy, w, got, n1, n2);
        Tensors.assertUntouchedOutside(what + " backwardData sub-range", dx0, got, n1 * in, n2 * in);
        Tensors.assertClose(what + " backwardData sub-range", ref, got, tolD);

        double tolW = Tensors.absTol(batch + 1, 1.0, 1.0);
        float[] dw0 = Tensors.randn(seed + 6, out * in, 1.0), db0 = Tensors.randn(seed + 7, out, 1.0);
        int o1 = out > 2 ? 1 : 0, o2 = out > 2 ? out - 1 : out;
        for (int[] range : new int[][] {{0, out}, {o1, o2}}) {
            float[] refW = dw0.clone(), gotW = dw0.clone(), refB = db0.clone(), gotB = db0.clone();
            SCALAR.backwardWeights(batch, in, out, x, dy, refW, refB, range[0], range[1]);
            VECTOR.backwardWeights(batch, in, out, x, dy, gotW, gotB, range[0], range[1]);
            Tensors.assertUntouchedOutside(what + " dw range", dw0, gotW, range[0] * in, range[1] * in);
            Tensors.assertUntouchedOutside(what + " db range", db0, gotB, range[0], range[1]);
            Tensors.assertClose(what + " dw", refW, gotW, tolW);
            Tensors.assertClose(what + " db", refB, gotB, tolW);
        }
        float[] refW = dw0.clone(), gotW = dw0.clone();
        SCALAR.backwardWeights(batch, in, out, x, dy, refW, null, 0, out);
        VECTOR.backwardWeights(batch, in, out, x, dy, gotW, null, 0, out);
        Tensors.assertClose(what + " dw without bias", refW, gotW, tolW);
    }
}
