package dev.whittle.kernels.vector;

import static jdk.incubator.vector.VectorOperators.GT;

import dev.whittle.kernels.BatchNormScalar;
import dev.whittle.kernels.NormKernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batch normalisation on the Vector API, computing what {@link BatchNormScalar} computes over x (N,C,HW) for
 * channels [c0, c1).
 *
 * <p>Why it looks like this: each (n, c) row of HW floats is contiguous, so every pass runs along one row with
 * full vectors and a scalar tail. Reductions sum one row in vector lanes (≤ HW/VL terms per lane, so float
 * lanes lose little) and add each row's total into a double, like the reference, so long channels (N·HW up to
 * 10⁵) keep the reference's accuracy. The backward update dx += k·(M·dy − Σdy − x̂·Σdy·x̂) is expanded to
 * dx += a·dy + b·x + c, two FMAs per element. No vector value crosses a call (toolchain.md §2); scalar operands
 * are broadcast into vectors once per row, outside the loops.
 */
public final class BatchNormVector implements NormKernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();

    @Override
    public void forwardTrain(
            int batch,
            int channels,
            int hw,
            float[] x,
            float[] gamma,
            float[] beta,
            float[] y,
            float[] mean,
            float[] invStd,
            float[] runMean,
            float[] runVar,
            float momentum,
            float eps,
            boolean relu,
            int c0,
            int c1) {
        int count = batch * hw;
        int vEnd = hw - hw % VL;
        for (int c = c0; c < c1; c++) {
            // One pass for both moments, of the deviations from a shift k (the channel's first element): Σ(x − k)
            // and Σ(x − k)². With k one sample of the channel, |μ − k| is about one standard deviation, so
            // Σ(x − k)² − (Σ(x − k))²/M cancels about one bit instead of all of μ²'s; the separate pass for the
            // variance read the whole activation a second time (training, batch 128: 6.4 MB per ResNet-20 stage-1
            // layer).
            float k = x[c * hw];
            FloatVector kV = FloatVector.broadcast(S, k);
            double s1 = 0, s2 = 0;
            for (int n = 0; n < batch; n++) {
                int base = (n * channels + c) * hw;
                FloatVector a1 = FloatVector.zero(S), a2 = FloatVector.zero(S);
                int i = 0;
                for (; i < vEnd; i += VL) {
                    FloatVector d = FloatVector.fromArray(S, x, base + i).sub(kV);
                    a1 = a1.add(d);
                    a2 = d.fma(d, a2);
                }
                float r1 = a1.reduceLanes(VectorOperators.ADD), r2 = a2.reduceLanes(VectorOperators.ADD);
                for (; i < hw; i++) {
                    float d = x[base + i] - k;
                    r1 += d;
                    r2 += d * d;
                }
                s1 += r1;
                s2 += r2;
            }
            double mu = k + s1 / count;
            float muf = (float) mu;
            double sq = Math.max(0, s2 - s1 * s1 / count);
            double var = sq / count;
            float is = (float) (1.0 / Math.sqrt(var + eps));
            mean[c] = muf;
            invStd[c] = is;
            float scale = gamma[c] * is, shift = beta[c] - muf * scale;
            FloatVector scaleV = FloatVector.broadcast(S, scale), shiftV = FloatVector.broadcast(S, shift);
            // The ReLU as a lower bound: -∞ lets everything through, 0 is max(·, 0) (NaN stays NaN either way).
            float floor = relu ? 0f : Float.NEGATIVE_INFINITY;
            FloatVector floorV = FloatVector.broadcast(S, floor);
            for (int n = 0; n < batch; n++) {
                int base = (n * channels + c) * hw;
                int i = 0;
                for (; i < vEnd; i += VL) {
                    FloatVector.fromArray(S, x, base + i)
                            .fma(scaleV, shiftV)
                            .max(floorV)
                            .intoArray(y, base + i);
                }
                for (; i < hw; i++) y[base + i] = Math.max(x[base + i] * scale + shift, floor);
            }
            double unbiased = count > 1 ? sq / (count - 1) : var;
            runMean[c] = (float) ((1 - momentum) * runMean[c] + momentum * mu);
            runVar[c] = (float) ((1 - momentum) * runVar[c] + momentum * unbiased);
        }
    }

    @Override
    public void forwardEval(
            int batch,
            int channels,
            int hw,
            float[] x,
            float[] gamma,
            float[] beta,
            float[] runMean,
            float[] runVar,
            float eps,
            float[] y,
            int c0,
            int c1) {
        int vEnd = hw - hw % VL;
        for (int c = c0; c < c1; c++) {
            float is = (float) (1.0 / Math.sqrt(runVar[c] + eps));
            float scale = gamma[c] * is, shift = beta[c] - runMean[c] * scale;
            FloatVector scaleV = FloatVector.broadcast(S, scale), shiftV = FloatVector.broadcast(S, shift);
            for (int n = 0; n < batch; n++) {
                int base = (n * channels + c) * hw;
                int i = 0;
                for (; i < vEnd; i += VL) {
                    FloatVector.fromArray(S, x, base + i).fma(scaleV, shiftV).intoArray(y, base + i);
                }
                for (; i < hw; i++) y[base + i] = x[base + i] * scale + shift;
            }
        }
    }

    @Override
    public void affineInPlace(
            int channels,
            int hw,
            float[] y,
            float[] scale,
            float[] shift,
            boolean relu,
            int[] list,
            int count,
            int n0,
            int n1) {
        int vEnd = hw - hw % VL;
        FloatVector zero = FloatVector.zero(S);
        for (int n = n0; n < n1; n++) {
            for (int ii = 0; ii < count; ii++) {
                int c = list[ii], base = (n * channels + c) * hw;
                float a = scale[c], b = shift[c];
                FloatVector aV = FloatVector.broadcast(S, a), bV = FloatVector.broadcast(S, b);
                int j = 0;
                if (relu) {
                    for (; j < vEnd; j += VL) {
                        FloatVector.fromArray(S, y, base + j)
                                .fma(aV, bV)
                                .max(zero)
                                .intoArray(y, base + j);
                    }
                    // Fused multiply-adds in the tail too: the same rounding as the vector lanes and as a
                    // convolution that applies this map while writing (ConvEpilogue), so either path gives the
                    // same bits.
                    for (; j < hw; j++) y[base + j] = Math.max(Math.fma(y[base + j], a, b), 0f);
                } else {
                    for (; j < vEnd; j += VL)
                        FloatVector.fromArray(S, y, base + j).fma(aV, bV).intoArray(y, base + j);
                    for (; j < hw; j++) y[base + j] = Math.fma(y[base + j], a, b);
                }
            }
        }
    }

    @Override
    public void backward(
            int batch,
            int channels,
            int hw,
            float[] x,
            float[] dy,
            float[] y,
            float[] gamma,
            float[] mean,
            float[] invStd,
            float[] dx,
            float[] dGamma,
            float[] dBeta,
            boolean accumulate,
            int c0,
            int c1) {
        int count = batch * hw;
        int vEnd = hw - hw % VL;
        FloatVector zero = FloatVector.zero(S);
        for (int c = c0; c < c1; c++) {
            float mu = mean[c], is = invStd[c];
            FloatVector muV = FloatVector.broadcast(S, mu);
            // Σdy and Σdy·(x − μ); the second times invStd is Σdy·x̂. With a fused ReLU (y != null) dy counts only
            // where y > 0, both here and in the dx pass.
            double sdy = 0, sdyxc = 0;
            for (int n = 0; n < batch; n++) {
                int base = (n * channels + c) * hw;
                FloatVector a1 = FloatVector.zero(S), a2 = FloatVector.zero(S);
                int i = 0;
                for (; i < vEnd; i += VL) {
                    FloatVector d = FloatVector.fromArray(S, dy, base + i);
                    if (y != null)
                        d = zero.blend(d, FloatVector.fromArray(S, y, base + i).compare(GT, zero));
                    a1 = a1.add(d);
                    a2 = d.fma(FloatVector.fromArray(S, x, base + i).sub(muV), a2);
                }
                float r1 = a1.reduceLanes(VectorOperators.ADD), r2 = a2.reduceLanes(VectorOperators.ADD);
                for (; i < hw; i++) {
                    float d = y == null || y[base + i] > 0 ? dy[base + i] : 0f;
                    r1 += d;
                    r2 += d * (x[base + i] - mu);
                }
                sdy += r1;
                sdyxc += r2;
            }
            double sdyx = sdyxc * is;
            dBeta[c] += (float) sdy;
            dGamma[c] += (float) sdyx;
            // dx += k·(M·dy − Σdy − (x − μ)·is·Σdy·x̂) = ca·dy + cb·x + cc
            double k = (double) gamma[c] * is / count;
            float ca = (float) (k * count);
            float cb = (float) (-k * sdyx * is);
            float cc = (float) (-k * sdy + k * sdyx * is * mu);
            FloatVector caV = FloatVector.broadcast(S, ca), cbV = FloatVector.broadcast(S, cb);
            FloatVector ccV = FloatVector.broadcast(S, cc);
            for (int n = 0; n < batch; n++) {
                int base = (n * channels + c) * hw;
                int i = 0;
                for (; i < vEnd; i += VL) {
                    FloatVector t = FloatVector.fromArray(S, x, base + i).fma(cbV, ccV);
                    FloatVector d = FloatVector.fromArray(S, dy, base + i);
                    if (y != null)
                        d = zero.blend(d, FloatVector.fromArray(S, y, base + i).compare(GT, zero));
                    FloatVector g = d.fma(caV, t);
                    (accumulate ? g.add(FloatVector.fromArray(S, dx, base + i)) : g).intoArray(dx, base + i);
                }
                for (; i < hw; i++) {
                    float d = y == null || y[base + i] > 0 ? dy[base + i] : 0f;
                    float g = ca * d + (cb * x[base + i] + cc);
                    dx[base + i] = accumulate ? dx[base + i] + g : g;
                }
            }
        }
    }
}
