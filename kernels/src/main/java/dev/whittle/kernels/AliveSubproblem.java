package dev.whittle.kernels;

/**
 * Runs masked convolutions and linear layers on any kernel set by gathering the alive filters and channels
 * into a compact sub-problem, calling the dense kernel on it, and scattering the result back. The dense
 * kernel then does exactly the pruned model's arithmetic; the gathers and scatters touch each activation
 * once, which is small next to the convolution itself (O(C·H·W) against O(K·C·R·S·P·Q)).
 *
 * <p>Scratch lives in a per-thread workspace that only grows, so steady-state calls allocate nothing.
 * Grouped convolutions are never masked (their groups are not prunable), so geometry here has one group.
 */
public final class AliveSubproblem {
    private AliveSubproblem() {}

    private static final class Scratch {
        float[] a = new float[0], b = new float[0], c = new float[0], d = new float[0];
        // Recent sub-problem geometries: each masked layer repeats its own, so a model's steady state (one entry
        // per masked layer and pass, far fewer than the cache holds for the reference models) allocates none.
        final ConvGeometry[] geoms = new ConvGeometry[64];
        int next;

        ConvGeometry sub(ConvGeometry g, int batch, int k, int c) {
            for (ConvGeometry s : geoms) {
                if (s == null) break;
                if (s.n() == batch
                        && s.k() == k
                        && s.c() == c
                        && s.h() == g.h()
                        && s.w() == g.w()
                        && s.r() == g.r()
                        && s.s() == g.s()
                        && s.strideH() == g.strideH()
                        && s.strideW() == g.strideW()
                        && s.padH() == g.padH()
                        && s.padW() == g.padW()) return s;
            }
            ConvGeometry s = new ConvGeometry(
                    batch, c, g.h(), g.w(), k, g.r(), g.s(), g.strideH(), g.strideW(), g.padH(), g.padW(), 1);
            geoms[next] = s;
            next = (next + 1) % geoms.length;
            return s;
        }

        float[] a(int n) {
            if (a.length < n) a = new float[n];
            return a;
        }

        float[] b(int n) {
            if (b.length < n) b = new float[n];
            return b;
        }

        float[] c(int n) {
            if (c.length < n) c = new float[n];
            return c;
        }

        float[] d(int n) {
            if (d.length < n) d = new float[n];
            return d;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** w (K,C,R,S) → w' (m, ci, R, S) over alive filters and channels. */
    public static void gatherWeights(ConvGeometry g, float[] w, int[] out, int m, int[] in, int ci, float[] dst) {
        int rs = g.r() * g.s();
        for (int o = 0; o < m; o++) {
            for (int c = 0; c < ci; c++) System.arraycopy(w, (out[o] * g.c() + in[c]) * rs, dst, (o * ci + c) * rs, rs);
        }
    }

    /** Copies planes alive[from..from+count) of images [n0, n1) of t (N,C,HW) into dst (n1−n0, count, HW). */
    private static void gatherPlanes(
            float[] t, int channels, int hw, int[] alive, int from, int count, int n0, int n1, float[] dst) {
        for (int n = n0; n < n1; n++) {
            for (int i = 0; i < count; i++) {
                System.arraycopy(t, (n * channels + alive[from + i]) * hw, dst, ((n - n0) * count + i) * hw, hw);
            }
        }
    }

    // ---- convolution: x (N,C,H,W), w (K,C,R,S), y (N,K,P,Q); alive filters out[0..m), alive channels in[0..ci)

    /**
     * Masked forward through {@code dense}: y's alive planes = conv + b; dead planes zeroed when {@code zeroDead},
     * else not touched.
     */
    public static void convForward(
            ConvKernels dense,
            ConvGeometry g,
            float[] x,
            float[] w,
            float[] b,
            float[] y,
            int[] out,
            int m,
            int[] in,
            int ci,
            int n0,
            int n1,
            boolean zeroDead) {
        int nb = n1 - n0, hw = g.h() * g.w(), pq = g.p() * g.q(), rs = g.r() * g.s();
        Scratch s = SCRATCH.get();
        float[] xs = s.a(nb * ci * hw), ws = s.b(m * ci * rs), ys = s.c(nb * m * pq);
        gatherPlanes(x, g.c(), hw, in, 0, ci, n0, n1, xs);
        gatherWeights(g, w, out, m, in, ci, ws);
        // Bias is added while scattering, so it needs no compact copy.
        dense.forward(s.sub(g, nb, m, ci), xs, ws, null, ys, 0, nb);
        if (zeroDead) zeroDeadPlanes(y, g.k(), pq, out, m, n0, n1);
        for (int n = n0; n < n1; n++) {
            for (int o = 0; o < m; o++) {
                int dst = (n * g.k() + out[o]) * pq, src = ((n - n0) * m + o) * pq;
                float bias = b == null ? 0f : b[out[o]];
                for (int i = 0; i < pq; i++) y[dst + i] = ys[src + i] + bias;
            }
        }
    }

    /** Zeroes the planes of t (N, channels, plane) not in alive[0..m) (strictly increasing), images [n0, n1). */
    public static void zeroDeadPlanes(float[] t, int channels, int plane, int[] alive, int m, int n0, int n1) {
        for (int n = n0; n < n1; n++) {
            int prev = 0, base = n * channels * plane;
            for (int o = 0; o <= m; o++) {
                int next = o < m ? alive[o] : channels;
                java.util.Arrays.fill(t, base + prev * plane, base + next * plane, 0f);
                prev = next + 1;
            }
        }
    }

    /** Masked backwardData: dx alive channels += contributions of alive filters; dead channels untouched. */
    public static void convBackwardData(
            ConvKernels dense,
            ConvGeometry g,
            float[] dy,
            float[] w,
            float[] dx,
            int[] out,
            int m,
            int[] in,
            int ci,
            int n0,
            int n1) {
        int nb = n1 - n0, hw = g.h() * g.w(), pq = g.p() * g.q(), rs = g.r() * g.s();
        Scratch s = SCRATCH.get();
        float[] dys = s.a(nb * m * pq), ws = s.b(m * ci * rs), dxs = s.c(nb * ci * hw);
        gatherPlanes(dy, g.k(), pq, out, 0, m, n0, n1, dys);
        gatherWeights(g, w, out, m, in, ci, ws);
        java.util.Arrays.fill(dxs, 0, nb * ci * hw, 0f);
        dense.backwardData(s.sub(g, nb, m, ci), dys, ws, dxs, 0, nb);
        for (int n = n0; n < n1; n++) {
            for (int c = 0; c < ci; c++) {
                int dst = (n * g.c() + in[c]) * hw, src = ((n - n0) * ci + c) * hw;
                for (int i = 0; i < hw; i++) dx[dst + i] += dxs[src + i];
            }
        }
    }

    /**
     * Masked backwardWeights for alive filters at positions [k0, k1) of {@code out}, over all N images and
     * alive input channels; dead weights' gradients untouched.
     */
    public static void convBackwardWeights(
            ConvKernels dense,
            ConvGeometry g,
            float[] x,
            float[] dy,
            float[] dw,
            float[] db,
            int[] out,
            int m,
            int[] in,
            int ci,
            int k0,
            int k1) {
        int N = g.n(), hw = g.h() * g.w(), pq = g.p() * g.q(), rs = g.r() * g.s();
        int mk = k1 - k0;
        Scratch s = SCRATCH.get();
        if (mk <= 0) return;
        float[] xs = s.a(N * ci * hw), dys = s.b(N * mk * pq), dws = s.c(mk * ci * rs);
        gatherPlanes(x, g.c(), hw, in, 0, ci, 0, N, xs);
        gatherPlanes(dy, g.k(), pq, out, k0, mk, 0, N, dys);
        java.util.Arrays.fill(dws, 0, mk * ci * rs, 0f);
        float[] dbs = null;
        if (db != null) {
            dbs = s.d(mk);
            java.util.Arrays.fill(dbs, 0, mk, 0f);
        }
        dense.backwardWeights(s.sub(g, N, mk, ci), xs, dys, dws, dbs, 0, mk);
        if (db != null) for (int o = 0; o < mk; o++) db[out[k0 + o]] += dbs[o];
        for (int o = 0; o < mk; o++) {
            for (int c = 0; c < ci; c++) {
                int dst = (out[k0 + o] * g.c() + in[c]) * rs, src = (o * ci + c) * rs;
                for (int i = 0; i < rs; i++) dw[dst + i] += dws[src + i];
            }
        }
    }

    // ---- linear: x (N,IN), w (OUT,IN), y (N,OUT); alive rows out[0..m), alive columns in[0..ci)

    /** w (OUT,IN) → w' (m, ci). */
    private static void gatherMatrix(
            float[] w, int cols, int[] rows, int rowFrom, int m, int[] in, int ci, float[] dst) {
        for (int o = 0; o < m; o++) {
            int src = rows[rowFrom + o] * cols, d = o * ci;
            for (int c = 0; c < ci; c++) dst[d + c] = w[src + in[c]];
        }
    }

    /** Masked linear forward: alive rows computed from alive columns, dead rows zero; rows of the batch [n0, n1). */
    public static void linearForward(
            LinearKernels dense,
            int inF,
            int outF,
            float[] x,
            float[] w,
            float[] b,
            float[] y,
            int[] out,
            int m,
            int[] in,
            int ci,
            int n0,
            int n1) {
        int nb = n1 - n0;
        Scratch s = SCRATCH.get();
        float[] xs = s.a(nb * ci), ws = s.b(m * ci), ys = s.c(nb * m);
        gatherMatrix(x, inF, Indices.all(n1), n0, nb, in, ci, xs);
        gatherMatrix(w, inF, out, 0, m, in, ci, ws);
        dense.forward(ci, m, xs, ws, null, ys, 0, nb);
        for (int n = n0; n < n1; n++) {
            java.util.Arrays.fill(y, n * outF, (n + 1) * outF, 0f);
            for (int o = 0; o < m; o++) y[n * outF + out[o]] = ys[(n - n0) * m + o] + (b == null ? 0f : b[out[o]]);
        }
    }

    /** Masked linear backwardData: dx alive columns += dy(alive rows)·w'. */
    public static void linearBackwardData(
            LinearKernels dense,
            int inF,
            int outF,
            float[] dy,
            float[] w,
            float[] dx,
            int[] out,
            int m,
            int[] in,
            int ci,
            int n0,
            int n1) {
        int nb = n1 - n0;
        Scratch s = SCRATCH.get();
        float[] dys = s.a(nb * m), ws = s.b(m * ci), dxs = s.c(nb * ci);
        for (int n = n0; n < n1; n++) for (int o = 0; o < m; o++) dys[(n - n0) * m + o] = dy[n * outF + out[o]];
        gatherMatrix(w, inF, out, 0, m, in, ci, ws);
        java.util.Arrays.fill(dxs, 0, nb * ci, 0f);
        dense.backwardData(ci, m, dys, ws, dxs, 0, nb);
        for (int n = n0; n < n1; n++) for (int c = 0; c < ci; c++) dx[n * inF + in[c]] += dxs[(n - n0) * ci + c];
    }

    /** Masked linear backwardWeights for alive rows at positions [o0, o1) of {@code out}, alive columns only. */
    public static void linearBackwardWeights(
            LinearKernels dense,
            int batch,
            int inF,
            int outF,
            float[] x,
            float[] dy,
            float[] dw,
            float[] db,
            int[] out,
            int[] in,
            int ci,
            int o0,
            int o1) {
        int mk = o1 - o0;
        if (mk <= 0) return;
        Scratch s = SCRATCH.get();
        float[] xs = s.a(batch * ci), dys = s.b(batch * mk), dws = s.c(mk * ci), dbs = s.d(mk);
        gatherMatrix(x, inF, Indices.all(batch), 0, batch, in, ci, xs);
        for (int n = 0; n < batch; n++) for (int o = 0; o < mk; o++) dys[n * mk + o] = dy[n * outF + out[o0 + o]];
        java.util.Arrays.fill(dws, 0, mk * ci, 0f);
        java.util.Arrays.fill(dbs, 0, mk, 0f);
        dense.backwardWeights(batch, ci, mk, xs, dys, dws, db == null ? null : dbs, 0, mk);
        for (int o = 0; o < mk; o++) {
            int dst = out[o0 + o] * inF;
            for (int c = 0; c < ci; c++) dw[dst + in[c]] += dws[o * ci + c];
            if (db != null) db[out[o0 + o]] += dbs[o];
        }
    }
}
