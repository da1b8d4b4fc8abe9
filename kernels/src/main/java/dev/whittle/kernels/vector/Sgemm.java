package dev.whittle.kernels.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packed, register-blocked single-precision GEMM on the Vector API: {@code C (M×N) += op(A) (M×K) · op(B) (K×N)},
 * or {@code C = op(A)·op(B)} when {@code overwrite} is set. All matrices are row-major views into flat float
 * arrays with an offset and a leading dimension (the distance between consecutive rows of the <em>stored</em>
 * matrix), so sub-matrices of NCHW tensors can be passed without copying.
 *
 * <ul>
 *   <li>{@code op(A) = A} ({@code transA == false}): element (i, k) is {@code a[aOff + i·lda + k]}, A stored M×K.</li>
 *   <li>{@code op(A) = Aᵀ} ({@code transA == true}): element (i, k) is {@code a[aOff + k·lda + i]}, A stored K×M.</li>
 *   <li>{@code op(B) = B}: element (k, j) is {@code b[bOff + k·ldb + j]}, B stored K×N.</li>
 *   <li>{@code op(B) = Bᵀ}: element (k, j) is {@code b[bOff + j·ldb + k]}, B stored N×K.</li>
 *   <li>C element (i, j) is {@code c[cOff + i·ldc + j]}; only the M×N window is read or written.</li>
 * </ul>
 *
 * <h2>Algorithm (GotoBLAS/BLIS layering)</h2>
 * N is cut into panels of {@link #NC} columns and K into blocks of at most {@link #KC_MAX}; each K×N block of op(B)
 * is packed into strips of {@link #NR} = 2·VL columns (k-major, zero-padded), and each M×K block of op(A) into
 * strips of {@link #MR} = 6 rows (k-major, zero-padded). The microkernel keeps a 6×NR tile of C in 12 vector
 * registers and does, per k, 2 vector loads of B, 6 broadcasts of A and 12 FMAs. With
 * {@code SPECIES_PREFERRED} = 512 bit the tile is 6×32. Edge tiles (fewer than 6 rows or NR columns) run the same
 * full-width kernel on the zero-padded panels and spill through a small per-thread tile buffer.
 *
 * <p>Per the Vector API pitfalls (toolchain.md §2) the microkernel is one method, no vector value crosses a
 * call, and the species is a {@code static final}. Packing buffers live in a per-thread {@link Workspace} that
 * only grows, so steady-state calls allocate nothing. Not thread-safe across threads sharing C windows; each
 * call is single-threaded and callers parallelise over disjoint C windows.
 */
public final class Sgemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();
    /** Rows of the register tile. */
    public static final int MR = 8;
    /** Columns of the register tile: two vectors. */
    public static final int NR = 2 * VL;
    /**
     * Largest K block packed at once: the B micro-panel (kc×NR floats, 16 KiB at 512-bit) stays in L1 beside an A
     * strip. 128 and MC 192 beat 192–384 and 96 in an in-process sweep of whole GEMMs on Ice Lake (bench/README.md).
     */
    static final int KC_MAX = 128;
    /** Rows of A packed at once (MC×KC floats = 96 KiB, sized for L2). */
    static final int MC = 192;
    /** Columns of B packed at once. */
    static final int NC = 4096;

    private Sgemm() {}

    /**
     * {@code C += op(A)·op(B)} (or {@code C = op(A)·op(B)} if {@code overwrite}); see the class comment for the
     * layout of each operand. M, N ≥ 0 and K ≥ 0; with K == 0 and {@code overwrite}, C is zeroed.
     *
     * @param m rows of op(A) and C
     * @param n columns of op(B) and C
     * @param k columns of op(A), rows of op(B)
     */
    public static void gemm(
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            float[] a,
            int aOff,
            int lda,
            float[] b,
            int bOff,
            int ldb,
            float[] c,
            int cOff,
            int ldc,
            boolean overwrite) {
        if (m <= 0 || n <= 0) return;
        if (k <= 0) {
            if (overwrite) {
                for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            }
            return;
        }
        Workspace ws = Workspace.get();
        int kBlocks = (k + KC_MAX - 1) / KC_MAX;
        int kcStep = (k + kBlocks - 1) / kBlocks; // even split: K = 288 gives 2×144, not 256 + 32
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int nStrips = (nc + NR - 1) / NR;
            for (int pc = 0; pc < k; pc += kcStep) {
                int kc = Math.min(kcStep, k - pc);
                float[] bp = ws.packB(nStrips * NR * kc);
                if (transB) packBT(b, bOff + jc * ldb + pc, ldb, kc, nc, bp);
                else packBN(b, bOff + pc * ldb + jc, ldb, kc, nc, bp);
                boolean ow = overwrite && pc == 0;
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    int mStrips = (mc + MR - 1) / MR;
                    float[] ap = ws.packA(mStrips * MR * kc);
                    if (transA) packAT(a, aOff + pc * lda + ic, lda, kc, mc, ap);
                    else packAN(a, aOff + ic * lda + pc, lda, kc, mc, ap);
                    macroKernel(kc, mc, nc, ap, bp, c, cOff + ic * ldc + jc, ldc, ow, ws.tile);
                }
            }
        }
    }

    /** All microtiles of one packed mc×kc block of A times one packed kc×nc panel of B. */
    private static void macroKernel(
            int kc, int mc, int nc, float[] ap, float[] bp, float[] c, int cOff, int ldc, boolean ow, float[] tile) {
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            int bOff = jr * kc; // strip jr/NR starts at (jr/NR)·NR·kc
            for (int ir = 0; ir < mc; ir += MR) {
                int mr = Math.min(MR, mc - ir);
                if (mr == MR && nr == NR) {
                    kernel(kc, ap, ir * kc, bp, bOff, NR, c, cOff + ir * ldc + jr, ldc, ow);
                } else {
                    kernelToTile(kc, ap, ir * kc, bp, bOff, tile);
                    int co = cOff + ir * ldc + jr;
                    for (int i = 0; i < mr; i++, co += ldc) {
                        int to = i * NR;
                        if (ow) {
                            System.arraycopy(tile, to, c, co, nr);
                        } else {
                            for (int j = 0; j < nr; j++) c[co + j] += tile[to + j];
                        }
                    }
                }
            }
        }
    }

    /**
     * The MR×NR microkernel for a full tile: C[0..MR)×[0..NR) (+)= Ap (MR×kc, packed k-major) · B (kc×NR, row p at
     * {@code bp[bOff + p·ldb]}: a packed panel with ldb = NR, or rows of a matrix read in place, as Winograd's
     * products do). Written out in full on purpose (no helper taking vectors; see toolchain.md §2). Edge tiles go
     * through {@link #kernelToTile}: when one method held the full-tile and edge epilogues, JMH {@code -prof gc}
     * showed 0.4–1.4 MB allocated per conv-layer call on layers with edge tiles (boxed vectors, most likely
     * intrinsics left un-inlined in the oversized method) and none on layers without; split, both are ~0.
     */
    static void kernel(
            int kc, float[] ap, int aOff, float[] bp, int bOff, int ldb, float[] c, int cOff, int ldc, boolean ow) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        int ai = aOff, bi = bOff;
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + VL);
            FloatVector a0 = FloatVector.broadcast(S, ap[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, ap[ai + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, ap[ai + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
            ai += MR;
            bi += ldb;
        }
        int o0 = cOff, o1 = o0 + ldc, o2 = o1 + ldc, o3 = o2 + ldc, o4 = o3 + ldc, o5 = o4 + ldc, o6 = o5 + ldc;
        int o7 = o6 + ldc;
        if (ow) {
            c00.intoArray(c, o0);
            c01.intoArray(c, o0 + VL);
            c10.intoArray(c, o1);
            c11.intoArray(c, o1 + VL);
            c20.intoArray(c, o2);
            c21.intoArray(c, o2 + VL);
            c30.intoArray(c, o3);
            c31.intoArray(c, o3 + VL);
            c40.intoArray(c, o4);
            c41.intoArray(c, o4 + VL);
            c50.intoArray(c, o5);
            c51.intoArray(c, o5 + VL);
            c60.intoArray(c, o6);
            c61.intoArray(c, o6 + VL);
            c70.intoArray(c, o7);
            c71.intoArray(c, o7 + VL);
        } else {
            FloatVector.fromArray(S, c, o0).add(c00).intoArray(c, o0);
            FloatVector.fromArray(S, c, o0 + VL).add(c01).intoArray(c, o0 + VL);
            FloatVector.fromArray(S, c, o1).add(c10).intoArray(c, o1);
            FloatVector.fromArray(S, c, o1 + VL).add(c11).intoArray(c, o1 + VL);
            FloatVector.fromArray(S, c, o2).add(c20).intoArray(c, o2);
            FloatVector.fromArray(S, c, o2 + VL).add(c21).intoArray(c, o2 + VL);
            FloatVector.fromArray(S, c, o3).add(c30).intoArray(c, o3);
            FloatVector.fromArray(S, c, o3 + VL).add(c31).intoArray(c, o3 + VL);
            FloatVector.fromArray(S, c, o4).add(c40).intoArray(c, o4);
            FloatVector.fromArray(S, c, o4 + VL).add(c41).intoArray(c, o4 + VL);
            FloatVector.fromArray(S, c, o5).add(c50).intoArray(c, o5);
            FloatVector.fromArray(S, c, o5 + VL).add(c51).intoArray(c, o5 + VL);
            FloatVector.fromArray(S, c, o6).add(c60).intoArray(c, o6);
            FloatVector.fromArray(S, c, o6 + VL).add(c61).intoArray(c, o6 + VL);
            FloatVector.fromArray(S, c, o7).add(c70).intoArray(c, o7);
            FloatVector.fromArray(S, c, o7 + VL).add(c71).intoArray(c, o7 + VL);
        }
    }

    /** The same 6×NR product as {@link #kernel}, stored into {@code tile} (6×NR, row-major) for an edge tile. */
    static void kernelToTile(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        int ai = aOff, bi = bOff;
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + VL);
            FloatVector a0 = FloatVector.broadcast(S, ap[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, ap[ai + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, ap[ai + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
            ai += MR;
            bi += NR;
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, VL);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + VL);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + VL);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + VL);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + VL);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + VL);
        c60.intoArray(tile, 6 * NR);
        c61.intoArray(tile, 6 * NR + VL);
        c70.intoArray(tile, 7 * NR);
        c71.intoArray(tile, 7 * NR + VL);
    }

    // ------------------------------------------------------------------------------------------ packing

    /** Packs A (mc×kc, element (i,k) at a[off + i·lda + k]) into strips of MR rows: strip s, k, i at (s·kc + k)·MR + i. */
    static void packAN(float[] a, int off, int lda, int kc, int mc, float[] ap) {
        int dst = 0;
        for (int i0 = 0; i0 < mc; i0 += MR) {
            int mr = Math.min(MR, mc - i0);
            if (mr == MR) {
                int r0 = off + i0 * lda, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda, r4 = r3 + lda, r5 = r4 + lda;
                int r6 = r5 + lda, r7 = r6 + lda;
                for (int p = 0; p < kc; p++) {
                    ap[dst] = a[r0 + p];
                    ap[dst + 1] = a[r1 + p];
                    ap[dst + 2] = a[r2 + p];
                    ap[dst + 3] = a[r3 + p];
                    ap[dst + 4] = a[r4 + p];
                    ap[dst + 5] = a[r5 + p];
                    ap[dst + 6] = a[r6 + p];
                    ap[dst + 7] = a[r7 + p];
                    dst += MR;
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    for (int i = 0; i < mr; i++) ap[dst + i] = a[off + (i0 + i) * lda + p];
                    for (int i = mr; i < MR; i++) ap[dst + i] = 0f;
                    dst += MR;
                }
            }
        }
    }

    /** Packs Aᵀ (mc×kc, element (i,k) at a[off + k·lda + i]) into strips of MR rows. */
    static void packAT(float[] a, int off, int lda, int kc, int mc, float[] ap) {
        int dst = 0;
        for (int i0 = 0; i0 < mc; i0 += MR) {
            int mr = Math.min(MR, mc - i0);
            for (int p = 0; p < kc; p++) {
                int src = off + p * lda + i0;
                if (mr == MR) {
                    ap[dst] = a[src];
                    ap[dst + 1] = a[src + 1];
                    ap[dst + 2] = a[src + 2];
                    ap[dst + 3] = a[src + 3];
                    ap[dst + 4] = a[src + 4];
                    ap[dst + 5] = a[src + 5];
                    ap[dst + 6] = a[src + 6];
                    ap[dst + 7] = a[src + 7];
                } else {
                    for (int i = 0; i < mr; i++) ap[dst + i] = a[src + i];
                    for (int i = mr; i < MR; i++) ap[dst + i] = 0f;
                }
                dst += MR;
            }
        }
    }

    /** Packs B (kc×nc, element (k,j) at b[off + k·ldb + j]) into strips of NR columns: strip s, k, j at (s·kc + k)·NR + j. */
    static void packBN(float[] b, int off, int ldb, int kc, int nc, float[] bp) {
        int dst = 0;
        for (int j0 = 0; j0 < nc; j0 += NR) {
            int nr = Math.min(NR, nc - j0);
            if (nr == NR) {
                for (int p = 0; p < kc; p++) {
                    int src = off + p * ldb + j0;
                    FloatVector.fromArray(S, b, src).intoArray(bp, dst);
                    FloatVector.fromArray(S, b, src + VL).intoArray(bp, dst + VL);
                    dst += NR;
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int src = off + p * ldb + j0;
                    System.arraycopy(b, src, bp, dst, nr);
                    java.util.Arrays.fill(bp, dst + nr, dst + NR, 0f);
                    dst += NR;
                }
            }
        }
    }

    /** Packs Bᵀ (kc×nc, element (k,j) at b[off + j·ldb + k]) into strips of NR columns. */
    static void packBT(float[] b, int off, int ldb, int kc, int nc, float[] bp) {
        int dst = 0;
        for (int j0 = 0; j0 < nc; j0 += NR) {
            int nr = Math.min(NR, nc - j0);
            for (int j = 0; j < nr; j++) {
                int src = off + (j0 + j) * ldb;
                int d = dst + j;
                for (int p = 0; p < kc; p++) {
                    bp[d] = b[src + p];
                    d += NR;
                }
            }
            for (int j = nr; j < NR; j++) {
                int d = dst + j;
                for (int p = 0; p < kc; p++) {
                    bp[d] = 0f;
                    d += NR;
                }
            }
            dst += NR * kc;
        }
    }

    // ------------------------------------------------------------------------------------------ workspace

    /**
     * Per-thread scratch: packing buffers for A and B, the edge-tile buffer, and (for the convolution) column
     * buffers. Buffers only grow, so steady state allocates nothing.
     */
    static final class Workspace {
        private static final ThreadLocal<Workspace> LOCAL = ThreadLocal.withInitial(Workspace::new);

        final float[] tile = new float[MR * NR];

        /** Winograd F(4×4)'s transforms pass their intermediate rows through here ({@link Winograd4#SCRATCH}). */
        final float[] winograd = new float[Winograd4.SCRATCH];

        /** {@link PlaneStore#masks} by padded width and map width. */
        int[][][] planeMasks = new int[0][][];

        /** This thread's transformed filters from earlier Winograd calls. */
        final WinogradFilterCache winogradFilters = new WinogradFilterCache();

        /** The current Winograd call's tiling ({@link WinogradLayout}). */
        final WinogradLayout winogradLayout = new WinogradLayout();

        private float[] a = new float[0];
        private float[] b = new float[0];
        private final float[][] scratch = new float[10][0];
        private int[] ints = new int[0];

        static Workspace get() {
            return LOCAL.get();
        }

        float[] packA(int size) {
            if (a.length < size) a = new float[size];
            return a;
        }

        float[] packB(int size) {
            if (b.length < size) b = new float[size];
            return b;
        }

        /**
         * Scratch buffer {@code slot} (0..9) of at least {@code size} floats, for callers built on the GEMM (column
         * matrices, staging tiles); never used by {@link #gemm} itself, so it survives a GEMM call.
         */
        float[] scratch(int slot, int size) {
            if (scratch[slot].length < size) scratch[slot] = new float[size];
            return scratch[slot];
        }

        /** An int scratch buffer of at least {@code size} (index tables), never used by {@link #gemm}. */
        int[] ints(int size) {
            if (ints.length < size) ints = new int[size];
            return ints;
        }
    }
}
