// Fully connected layer as tiled GEMM with local memory (OpenCL C 1.2), float32, row-major:
//   x (N,IN), w (OUT,IN), b (OUT), y (N,OUT)
//   forward          y[n,o]  = sum_i w[o,i] x[n,i] + b[o]    m = alive output o, col = n, t = alive input i
//   backward data    dx[n,i] += sum_o dy[n,o] w[o,i]         m = alive input i,  col = n, t = alive output o
//   backward weights dw[o,i] += sum_n dy[n,o] x[n,i]         m = alive output o, col = alive input i, t = n
//   backward bias    db[o]   += sum_n dy[n,o]
// Alive lists oAlive[oCount] (output features) and iAlive[iCount] (input features): outputs of features not
// listed are LEFT UNTOUCHED by these kernels (the host zeroes y first when the output list is partial;
// gradients accumulate, and a masked feature contributes zero anyway).
// Tile sizes are compile-time options (see conv2d_tiled.cl); local size (TS_N, TS_M / WPT_M). Each staging
// loop picks the index order that makes consecutive work-items read consecutive addresses.

#ifndef TS_M
#define TS_M 32
#endif
#ifndef TS_N
#define TS_N 32
#endif
#ifndef TS_K
#define TS_K 16
#endif
#ifndef WPT_M
#define WPT_M 4
#endif
#define RTS_M (TS_M / WPT_M)
#define WG (TS_N * RTS_M)

#define TILE_FMA(As, Bs, acc, tm, tn)                                   \
    for (int tt = 0; tt < TS_K; tt++) {                                 \
        const float bv = Bs[tt][tn];                                    \
        for (int wi = 0; wi < WPT_M; wi++) acc[wi] = mad(As[tt][tm + wi * RTS_M], bv, acc[wi]); \
    }

__kernel __attribute__((reqd_work_group_size(TS_N, RTS_M, 1)))
void linear_forward(__global const float* x, __global const float* w, __global const float* b, const int hasBias,
                    __global float* y, __global const int* oAlive, const int oCount,
                    __global const int* iAlive, const int iCount, const int N, const int IN, const int OUT) {
    __local float As[TS_K][TS_M + 1];
    __local float Bs[TS_K][TS_N + 1];
    const int tn = get_local_id(0), tm = get_local_id(1), lid = tm * TS_N + tn;
    const int m0 = get_group_id(1) * TS_M, n0 = get_group_id(0) * TS_N;
    float acc[WPT_M];
    for (int wi = 0; wi < WPT_M; wi++) acc[wi] = 0.0f;
    for (int t0 = 0; t0 < iCount; t0 += TS_K) {
        for (int i = lid; i < TS_M * TS_K; i += WG) {     // w rows: t fastest
            const int mm = i / TS_K, tt = i - mm * TS_K, m = m0 + mm, t = t0 + tt;
            As[tt][mm] = (m < oCount && t < iCount) ? w[oAlive[m] * IN + iAlive[t]] : 0.0f;
        }
        for (int i = lid; i < TS_N * TS_K; i += WG) {     // x rows: t fastest
            const int nn = i / TS_K, tt = i - nn * TS_K, n = n0 + nn, t = t0 + tt;
            Bs[tt][nn] = (n < N && t < iCount) ? x[n * IN + iAlive[t]] : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        TILE_FMA(As, Bs, acc, tm, tn)
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const int n = n0 + tn;
    if (n >= N) return;
    for (int wi = 0; wi < WPT_M; wi++) {
        const int m = m0 + tm + wi * RTS_M;
        if (m < oCount) {
            const int o = oAlive[m];
            y[n * OUT + o] = acc[wi] + (hasBias ? b[o] : 0.0f);
        }
    }
}

__kernel __attribute__((reqd_work_group_size(TS_N, RTS_M, 1)))
void linear_backward_data(__global const float* dy, __global const float* w, __global float* dx,
                          __global const int* oAlive, const int oCount, __global const int* iAlive, const int iCount,
                          const int N, const int IN, const int OUT) {
    __local float As[TS_K][TS_M + 1];
    __local float Bs[TS_K][TS_N + 1];
    const int tn = get_local_id(0), tm = get_local_id(1), lid = tm * TS_N + tn;
    const int m0 = get_group_id(1) * TS_M, n0 = get_group_id(0) * TS_N;
    float acc[WPT_M];
    for (int wi = 0; wi < WPT_M; wi++) acc[wi] = 0.0f;
    for (int t0 = 0; t0 < oCount; t0 += TS_K) {
        for (int i = lid; i < TS_M * TS_K; i += WG) {     // w columns: m fastest
            const int tt = i / TS_M, mm = i - tt * TS_M, m = m0 + mm, t = t0 + tt;
            As[tt][mm] = (m < iCount && t < oCount) ? w[oAlive[t] * IN + iAlive[m]] : 0.0f;
        }
        for (int i = lid; i < TS_N * TS_K; i += WG) {     // dy rows: t fastest
            const int nn = i / TS_K, tt = i - nn * TS_K, n = n0 + nn, t = t0 + tt;
            Bs[tt][nn] = (n < N && t < oCount) ? dy[n * OUT + oAlive[t]] : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        TILE_FMA(As, Bs, acc, tm, tn)
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const int n = n0 + tn;
    if (n >= N) return;
    for (int wi = 0; wi < WPT_M; wi++) {
        const int m = m0 + tm + wi * RTS_M;
        if (m < iCount) dx[n * IN + iAlive[m]] += acc[wi];
    }
}

__kernel __attribute__((reqd_work_group_size(TS_N, RTS_M, 1)))
void linear_backward_weights(__global const float* x, __global const float* dy, __global float* dw,
                             __global const int* oAlive, const int oCount, __global const int* iAlive, const int iCount,
                             const int N, const int IN, const int OUT) {
    __local float As[TS_K][TS_M + 1];
    __local float Bs[TS_K][TS_N + 1];
    const int tn = get_local_id(0), tm = get_local_id(1), lid = tm * TS_N + tn;
    const int m0 = get_group_id(1) * TS_M, n0 = get_group_id(0) * TS_N;
    float acc[WPT_M];
    for (int wi = 0; wi < WPT_M; wi++) acc[wi] = 0.0f;
    for (int t0 = 0; t0 < N; t0 += TS_K) {
        for (int i = lid; i < TS_M * TS_K; i += WG) {     // dy rows: m fastest
            const int tt = i / TS_M, mm = i - tt * TS_M, m = m0 + mm, t = t0 + tt;
            As[tt][mm] = (m < oCount && t < N) ? dy[t * OUT + oAlive[m]] : 0.0f;
        }
        for (int i = lid; i < TS_N * TS_K; i += WG) {     // x rows: col fastest
            const int tt = i / TS_N, nn = i - tt * TS_N, c = n0 + nn, t = t0 + tt;
            Bs[tt][nn] = (c < iCount && t < N) ? x[t * IN + iAlive[c]] : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        TILE_FMA(As, Bs, acc, tm, tn)
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const int c = n0 + tn;
    if (c >= iCount) return;
    for (int wi = 0; wi < WPT_M; wi++) {
        const int m = m0 + tm + wi * RTS_M;
        if (m < oCount) dw[oAlive[m] * IN + iAlive[c]] += acc[wi];
    }
}

// db[o] += sum_n dy[n,o], one work-item per alive output (consecutive items read consecutive features).
__kernel void linear_backward_bias(__global const float* dy, __global float* db, __global const int* oAlive,
                                   const int oCount, const int N, const int OUT) {
    const int m = get_global_id(0);
    if (m >= oCount) return;
    const int o = oAlive[m];
    float s = 0.0f;
    for (int n = 0; n < N; n++) s += dy[n * OUT + o];
    db[o] += s;
}
