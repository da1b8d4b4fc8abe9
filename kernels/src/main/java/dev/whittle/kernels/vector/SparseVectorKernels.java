package dev.whittle.kernels.vector;

import dev.whittle.kernels.ConvGeometry;
import dev.whittle.kernels.SparseKernels;
import dev.whittle.kernels.SparseLinearScalar;
import dev.whittle.kernels.SparseRows;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API sparse-weight kernels, computing what {@link dev.whittle.kernels.SparseConvScalar} and
 * {@link SparseLinearScalar} compute (to float rounding).
 *
 * <p>Conv: im2col once per image (C/G·R·S × P·Q, as the dense kernel does, 1/K of the dense work), then every
 * output plane is a sum of a few im2col rows scaled by the stored weights: y[k,:] += Σ_j val_j · cols[col_j,:].
 * Those are contiguous AXPYs over P·Q, four stored weights per pass so each output vector is loaded and stored
 * once per four FMAs. A 1×1 stride-1 unpadded conv reads the image itself as its im2col matrix.
 *
 * <p>Linear: VL images at a time are transposed to (IN × VL), so each stored weight is one broadcast FMA over VL
 * images held in a register; remaining images (fewer than VL, e.g. batch 1) gather VL inputs per VL stored weights.
 *
 * <p>Single-threaded per call and allocation-free in steady state (per-thread scratch); callers split images.
 */
public final class SparseVectorKernels implements SparseKernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public void convForward(ConvGeometry g, float[] x, SparseRows w, float[] b, float[] y, int n0, int n1) {
        if (n1 <= n0) return;
        int G = g.groups(), cg = g.cPerGroup(), kg = g.k() / G, pq = g.p() * g.q(), hw = g.h() * g.w();
        int crs = cg * g.r() * g.s();
        w.check(g.k(), crs, "sparse conv2d");
        boolean pw = Conv2dVector.pointwise(g);
        float[] cols = pw ? null : Sgemm.Workspace.get().scratch(0, crs * pq);
        int[] start = w.rowStart, col = w.col;
        float[] val = w.val;
        int bound = S.loopBound(pq);
        for (int n = n0; n < n1; n++) {
            for (int gi = 0; gi < G; gi++) {
                int xOff = (n * g.c() + gi * cg) * hw;
                float[] a;
                int aOff;
                if (pw) {
                    a = x;
                    aOff = xOff;
                } else {
                    Im2col.im2col(g, x, xOff, cg, cols, 0, pq);
                    a = cols;
                    aOff = 0;
                }
                for (int kk = 0; kk < kg; kk++) {
                    int k = gi * kg + kk, yOff = (n * g.k() + k) * pq;
                    Arrays.fill(y, yOff, yOff + pq, b == null ? 0f : b[k]);
                    int j = start[k], end = start[k + 1];
                    for (; j + 4 <= end; j += 4) {
                        int c0 = aOff + col[j] * pq, c1 = aOff + col[j + 1] * pq;
                        int c2 = aOff + col[j + 2] * pq, c3 = aOff + col[j + 3] * pq;
                        float v0 = val[j], v1 = val[j + 1], v2 = val[j + 2], v3 = val[j + 3];
                        FloatVector b0 = FloatVector.broadcast(S, v0), b1 = FloatVector.broadcast(S, v1);
                        FloatVector b2 = FloatVector.broadcast(S, v2), b3 = FloatVector.broadcast(S, v3);
                        int i = 0;
                        for (; i < bound; i += VL) {
                            FloatVector acc = FloatVector.fromArray(S, y, yOff + i);
                            acc = FloatVector.fromArray(S, a, c0 + i).fma(b0, acc);
                            acc = FloatVector.fromArray(S, a, c1 + i).fma(b1, acc);
                            acc = FloatVector.fromArray(S, a, c2 + i).fma(b2, acc);
                            acc = FloatVector.fromArray(S, a, c3 + i).fma(b3, acc);
                            acc.intoArray(y, yOff + i);
                        }
                        for (; i < pq; i++)
                            y[yOff + i] += v0 * a[c0 + i] + v1 * a[c1 + i] + v2 * a[c2 + i] + v3 * a[c3 + i];
                    }
                    for (; j < end; j++) {
                        int c0 = aOff + col[j] * pq;
                        float v0 = val[j];
                        FloatVector b0 = FloatVector.broadcast(S, v0);
                        int i = 0;
                        for (; i < bound; i += VL) {
                            FloatVector.fromArray(S, a, c0 + i)
                                    .fma(b0, FloatVector.fromArray(S, y, yOff + i))
                                    .intoArray(y, yOff + i);
                        }
                        for (; i < pq; i++) y[yOff + i] += v0 * a[c0 + i];
                    }
                }
            }
        }
    }

    @Override
    public void linearForward(int in, int out, float[] x, SparseRows w, float[] b, float[] y, int n0, int n1) {
        if (n1 <= n0) return;
        w.check(out, in, "sparse linear");
        int[] start = w.rowStart, col = w.col;
        float[] val = w.val;
        Sgemm.Workspace ws = Sgemm.Workspace.get();
        float[] xt = ws.scratch(0, in * VL);
        float[] lanes = ws.scratch(1, VL);
        int n = n0;
        for (; n + VL <= n1; n += VL) {
            for (int l = 0; l < VL; l++) {
                int xo = (n + l) * in;
                for (int i = 0; i < in; i++) xt[i * VL + l] = x[xo + i];
            }
            for (int o = 0; o < out; o++) {
                FloatVector acc = FloatVector.zero(S);
                for (int j = start[o]; j < start[o + 1]; j++)
                    acc = FloatVector.fromArray(S, xt, col[j] * VL).fma(FloatVector.broadcast(S, val[j]), acc);
                acc.intoArray(lanes, 0);
                float bias = b == null ? 0f : b[o];
                for (int l = 0; l < VL; l++) y[(n + l) * out + o] = lanes[l] + bias;
            }
        }
        // Remaining images (batch 1 above all): per row, VL stored weights at a time against a gather of the
        // inputs they need, then one lane reduction. The dense batch-1 kernel is a vector dot product, so a scalar
        // gather loop here would lose to it at all but the lowest densities.
        for (; n < n1; n++) {
            int xo = n * in;
            for (int o = 0; o < out; o++) {
                int j = start[o], end = start[o + 1];
                float sum = 0f;
                if (end - j >= VL) {
                    FloatVector acc = FloatVector.zero(S);
                    for (; j + VL <= end; j += VL)
                        acc = FloatVector.fromArray(S, x, xo, col, j).fma(FloatVector.fromArray(S, val, j), acc);
                    sum = Lanes.sum(acc);
                }
                for (; j < end; j++) sum += val[j] * x[xo + col[j]];
                y[n * out + o] = sum + (b == null ? 0f : b[o]);
            }
        }
    }
}
