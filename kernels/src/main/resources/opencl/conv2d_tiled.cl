// 2-D convolution as implicit GEMM with local-memory tiles (OpenCL C 1.2), NCHW float32, groups == 1.
//
// Every kernel here is C[m][col] (+)= sum_t A[m][t] * B[t][col] without materialising im2col:
//   forward          y[n,k,p,q]   = sum_{c,r,s} w[k,c,r,s] * x[n,c,p*sh-ph+r,q*sw-pw+s] + b[k]
//                    m = alive filter, col = (n,p,q), t = (alive channel, r, s)
//   backward data    dx[n,c,h,w] += sum_{k,r,s} w[k,c,r,s] * dy[n,k,(h+ph-r)/sh,(w+pw-s)/sw]  (when divisible)
//                    m = alive channel, col = (n,h,w), t = (alive filter, r, s)
//   backward weights dw[k,c,r,s] += sum_{n,p,q} dy[n,k,p,q] * x[n,c,p*sh-ph+r,q*sw-pw+s]
//                    m = alive filter, col = (alive channel, r, s), t = (n,p,q)
// Alive lists: kAlive[kCount] are the output filters computed, cAlive[cCount] the input channels read. Outputs
// of filters (forward, weight grads) or channels (data grads) not listed are LEFT UNTOUCHED by these kernels;
// the host zeroes y first when the filter list is partial (forward's contract: dead planes are 0), while the
// gradients accumulate and a masked filter's contribution is zero anyway.
//
// Tile sizes are compile-time options so they can be tuned per device (-D TS_M=.. etc.):
//   TS_M rows (filters/channels) and TS_N columns (pixels) per work-group, TS_K reduction slice per barrier,
//   WPT_M rows per work-item. Local size is (TS_N, TS_M / WPT_M); columns run along dimension 0, so
//   consecutive work-items touch consecutive pixels (coalesced along W) and share each A value (broadcast).

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
#ifndef RED_WG
#define RED_WG 128
#endif
#define RTS_M (TS_M / WPT_M)
#define WG (TS_N * RTS_M)

// Multiply-accumulate one TS_K slice of the staged tiles into this work-item's WPT_M accumulators.
#define TILE_FMA(As, Bs, acc, tm, tn)                                   \
    for (int tt = 0; tt < TS_K; tt++) {                                 \
        const float bv = Bs[tt][tn];                                    \
        for (int wi = 0; wi < WPT_M; wi++) acc[wi] = mad(As[tt][tm + wi * RTS_M], bv, acc[wi]); \
    }

__kernel __attribute__((reqd_work_group_size(TS_N, RTS_M, 1)))
void conv2d_forward_tiled(
        __global const float* x, __global const float* w, __global const float* b, const int hasBias,
        __global float* y, __global const int* kAlive, const int kCount, __global const int* cAlive, const int cCount,
        const int N, const int C, const int H, const int W, const int K, const int R, const int S,
        const int P, const int Q, const int sh, const int sw, const int ph, const int pw) {
    __local float As[TS_K][TS_M + 1];
    __local float Bs[TS_K][TS_N];
    const int tn = get_local_id(0), tm = get_local_id(1), lid = tm * TS_N + tn;
    const int m0 = get_group_id(1) * TS_M;
    const int RS = R * S, PQ = P * Q, T = cCount * RS;
    // This work-item always stages column tn of B: decompose its pixel once.
    const int col = get_group_id(0) * TS_N + tn;
    const bool colOk = col < N * PQ;
    const int img = colOk ? col / PQ : 0, pq = colOk ? col - img * PQ : 0;
    const int oh = pq / Q, ow = pq - oh * Q;
    const int ih0 = oh * sh - ph, iw0 = ow * sw - pw;
    float acc[WPT_M];
    for (int wi = 0; wi < WPT_M; wi++) acc[wi] = 0.0f;

    for (int t0 = 0; t0 < T; t0 += TS_K) {
        for (int i = lid; i < TS_M * TS_K; i += WG) {     // A: consecutive items walk t (contiguous in w)
            const int mm = i / TS_K, tt = i - mm * TS_K, m = m0 + mm, t = t0 + tt;
            float v = 0.0f;
            if (m < kCount && t < T) {
                const int ci = t / RS, rs = t - ci * RS;
                v = w[(kAlive[m] * C + cAlive[ci]) * RS + rs];
            }
            As[tt][mm] = v;
        }
        for (int tt = tm; tt < TS_K; tt += RTS_M) {      // B: consecutive items walk pixels
            const int t = t0 + tt;
            float v = 0.0f;
            if (colOk && t < T) {
                const int ci = t / RS, rs = t - ci * RS, r = rs / S, s = rs - r * S;
                const int ih = ih0 + r, iw = iw0 + s;
                if (ih >= 0 && ih < H && iw >= 0 && iw < W) v = x[((img * C + cAlive[ci]) * H + ih) * W + iw];
            }
            Bs[tt][tn] = v;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        TILE_FMA(As, Bs, acc, tm, tn)
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (!colOk) return;
    for (int wi = 0; wi < WPT_M; wi++) {
        const int m = m0 + tm + wi * RTS_M;
        if (m < kCount) {
            const int k = kAlive[m];
            y[(img * K + k) * PQ + pq] = acc[wi] + (hasBias ? b[k] : 0.0f);
        }
    }
}

__kernel __attribute__((reqd_work_group_size(TS_N, RTS_M, 1)))
void conv2d_backward_data_tiled(
        __global const float* dy, __global const float* w, __global float* dx,
        __global const int* kAlive, const int kCount, __global const int* cAlive, const int cCount,
        const int N, const int C, const int H, const int W, const int K, const int R, const int S,
        const int P, const int Q, const int sh, const int sw, const int ph, const int pw) {
    __local float As[TS_K][TS_M + 1];
    __local float Bs[TS_K][TS_N];
    const int tn = get_local_id(0), tm = get_local_id(1), lid = tm * TS_N + tn;
    const int m0 = get_group_id(1) * TS_M;
    const int RS = R * S, HW = H * W, T = kCount * RS;
    const int col = get_group_id(0) * TS_N + tn;
    const bool colOk = col < N * HW;
    const int img = colOk ? col / HW : 0, hw = colOk ? col - img * HW : 0;
    const int ih = hw / W, iw = hw - ih * W;
    float acc[WPT_M];
    for (int wi = 0; wi < WPT_M; wi++) acc[wi] = 0.0f;

    for (int t0 = 0; t0 < T; t0 += TS_K) {
        for (int i = lid; i < TS_M * TS_K; i += WG) {
            const int mm = i / TS_K, tt = i - mm * TS_K, m = m0 + mm, t = t0 + tt;
            float v = 0.0f;
            if (m < cCount && t < T) {
                const int kj = t / RS, rs = t - kj * RS;
                v = w[(kAlive[kj] * C + cAlive[m]) * RS + rs];
            }
            As[tt][mm] = v;
        }
        for (int tt = tm; tt < TS_K; tt += RTS_M) {
            const int t = t0 + tt;
            float v = 0.0f;
            if (colOk && t < T) {
                const int kj = t / RS, rs = t - kj * RS, r = rs / S, s = rs - r * S;
                const int hh = ih + ph - r, ww = iw + pw - s;   // = p*sh and q*sw when this tap is used
                if (hh >= 0 && ww >= 0 && hh % sh == 0 && ww % sw == 0) {
                    const int p = hh / sh, q = ww / sw;
                    if (p < P && q < Q) v = dy[((img * K + kAlive[kj]) * P + p) * Q + q];
                }
            }
            Bs[tt][tn] = v;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        TILE_FMA(As, Bs, acc, tm, tn)
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (!colOk) return;
    for (int wi = 0; wi < WPT_M; wi++) {
        const int m = m0 + tm + wi * RTS_M;
        if (m < cCount) dx[(img * C + cAlive[m]) * HW + hw] += acc[wi];
    }
}

__kernel __attribute__((reqd_work_group_size(TS_N, RTS_M, 1)))
void conv2d_backward_weights_tiled(
        __global const float* x, __global const float* dy, __global float* dw,
        __global const int* kAlive, const int kCount, __global const int* cAlive, const int cCount,
        const int N, const int C, const int H, const int W, const int K, const int R, const int S,
        const int P, const int Q, const int sh, const int sw, const int ph, const int pw) {
    __local float As[TS_K][TS_M + 1];
    __local float Bs[TS_K][TS_N];
    const int tn = get_local_id(0), tm = get_local_id(1), lid = tm * TS_N + tn;
    const int m0 = get_group_id(1) * TS_M;
    const int RS = R * S, PQ = P * Q, T = N * PQ;
    const int col = get_group_id(0) * TS_N + tn;
    const bool colOk = col < cCount * RS;
    const int cj = colOk ? col / RS : 0, rs = colOk ? col - cj * RS : 0;
    const int r = rs / S, s = rs - r * S, c = cAlive[cj];
    float acc[WPT_M];
    for (int wi = 0; wi < WPT_M; wi++) acc[wi] = 0.0f;

    for (int t0 = 0; t0 < T; t0 += TS_K) {
        for (int i = lid; i < TS_M * TS_K; i += WG) {     // A = dy: consecutive items walk pixels
            const int mm = i / TS_K, tt = i - mm * TS_K, m = m0 + mm, t = t0 + tt;
            float v = 0.0f;
            if (m < kCount && t < T) {
                const int img = t / PQ, pq = t - img * PQ;
                v = dy[(img * K + kAlive[m]) * PQ + pq];
            }
            As[tt][mm] = v;
        }
        for (int tt = tm; tt < TS_K; tt += RTS_M) {
            const int t = t0 + tt;
            float v = 0.0f;
            if (colOk && t < T) {
                const int img = t / PQ, pq = t - img * PQ, oh = pq / Q, ow = pq - oh * Q;
                const int ih = oh * sh - ph + r, iw = ow * sw - pw + s;
                if (ih >= 0 && ih < H && iw >= 0 && iw < W) v = x[((img * C + c) * H + ih) * W + iw];
            }
            Bs[tt][tn] = v;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        TILE_FMA(As, Bs, acc, tm, tn)
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (!colOk) return;
    for (int wi = 0; wi < WPT_M; wi++) {
        const int m = m0 + tm + wi * RTS_M;
        if (m < kCount) dw[(kAlive[m] * C + c) * RS + rs] += acc[wi];
    }
}

// db[k] += sum_{n,p,q} dy[n,k,p,q]: one work-group of RED_WG (a power of two) per alive filter.
__kernel __attribute__((reqd_work_group_size(RED_WG, 1, 1)))
void conv2d_backward_bias(__global const float* dy, __global float* db, __global const int* kAlive,
                          const int N, const int K, const int PQ) {
    __local float scratch[RED_WG];
    const int lid = get_local_id(0), k = kAlive[get_group_id(0)];
    float s = 0.0f;
    for (int j = lid; j < N * PQ; j += RED_WG) {
        const int img = j / PQ;
        s += dy[(img * K + k) * PQ + (j - img * PQ)];
    }
    scratch[lid] = s;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int off = RED_WG / 2; off > 0; off >>= 1) {
        if (lid < off) scratch[lid] += scratch[lid + off];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) db[k] += scratch[0];
}
