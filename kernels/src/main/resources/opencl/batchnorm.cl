// 2-D batch normalisation over x (N,C,HW), per channel (OpenCL C 1.2), float32.
// Training kernels run one work-group of BN_WG (a power of two, -D BN_WG=..) per channel and reduce in local
// memory; the flat index j over (n, i) puts consecutive work-items on consecutive pixels (coalesced).
// Training normalises with the biased batch variance (two passes: mean, then squared deviations) and updates
// running statistics with the unbiased one: running = (1-momentum)*running + momentum*batch.
// Alive lists: every kernel takes alive (A channel indices); work-group / work-item g handles channel alive[g],
// so masked channels cost no work and their y, statistics and gradients are not touched (the host zeroes
// their y planes once when the list is partial). The identity list 0..C-1 means all channels.

#ifndef BN_WG
#define BN_WG 256
#endif

// Sum of v over the work-group; every work-item gets the result. scratch holds BN_WG floats.
inline float wg_sum(__local float* scratch, float v) {
    const int lid = get_local_id(0);
    scratch[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int off = BN_WG / 2; off > 0; off >>= 1) {
        if (lid < off) scratch[lid] += scratch[lid + off];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float s = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE); // scratch is reused by the next reduction
    return s;
}

// y = x*scale + shift with batch statistics; mean, invStd (C) out for backward; runMean, runVar (C) updated.
__kernel __attribute__((reqd_work_group_size(BN_WG, 1, 1)))
void batchnorm_forward_train(__global const float* x, __global const float* gamma, __global const float* beta,
                             __global float* y, __global float* mean, __global float* invStd,
                             __global float* runMean, __global float* runVar,
                             __global const int* alive,
                             const int N, const int C, const int HW, const float momentum, const float eps) {
    __local float scratch[BN_WG];
    const int c = alive[get_group_id(0)], lid = get_local_id(0), count = N * HW;
    float s = 0.0f;
    for (int j = lid; j < count; j += BN_WG) {
        const int n = j / HW;
        s += x[(n * C + c) * HW + (j - n * HW)];
    }
    const float mu = wg_sum(scratch, s) / count;
    float sq = 0.0f;
    for (int j = lid; j < count; j += BN_WG) {
        const int n = j / HW;
        const float d = x[(n * C + c) * HW + (j - n * HW)] - mu;
        sq = mad(d, d, sq);
    }
    const float sqSum = wg_sum(scratch, sq);
    const float var = sqSum / count;
    const float is = 1.0f / sqrt(var + eps);
    const float scale = gamma[c] * is, shift = beta[c] - mu * scale;
    for (int j = lid; j < count; j += BN_WG) {
        const int n = j / HW, idx = (n * C + c) * HW + (j - n * HW);
        y[idx] = x[idx] * scale + shift;
    }
    if (lid == 0) {
        mean[c] = mu;
        invStd[c] = is;
        const float unbiased = count > 1 ? sqSum / (count - 1) : var;
        runMean[c] = (1.0f - momentum) * runMean[c] + momentum * mu;
        runVar[c] = (1.0f - momentum) * runVar[c] + momentum * unbiased;
    }
}

// Inference: y = x*scale + shift with running statistics; one work-item per element of the A alive channels.
__kernel void batchnorm_forward_eval(__global const float* x, __global const float* gamma, __global const float* beta,
                                     __global const float* runMean, __global const float* runVar, const float eps,
                                     __global float* y, __global const int* alive, const int A,
                                     const int N, const int C, const int HW) {
    const int g = get_global_id(0);
    if (g >= N * A * HW) return;
    const int plane = g / HW, n = plane / A, c = alive[plane - n * A], idx = (n * C + c) * HW + (g - plane * HW);
    const float is = 1.0f / sqrt(runVar[c] + eps);
    const float scale = gamma[c] * is;
    y[idx] = x[idx] * scale + (beta[c] - runMean[c] * scale);
}

// With xh = (x-mean)*invStd, M = N*HW: dBeta += sum dy, dGamma += sum dy*xh,
// dx += gamma*invStd/M * (M*dy - sum dy - xh * sum dy*xh). dx, dGamma, dBeta accumulate.
__kernel __attribute__((reqd_work_group_size(BN_WG, 1, 1)))
void batchnorm_backward(__global const float* x, __global const float* dy, __global const float* gamma,
                        __global const float* mean, __global const float* invStd, __global float* dx,
                        __global float* dGamma, __global float* dBeta, __global const int* alive,
                        const int N, const int C, const int HW) {
    __local float scratch[BN_WG];
    const int c = alive[get_group_id(0)], lid = get_local_id(0), count = N * HW;
    const float mu = mean[c], is = invStd[c];
    float sdy = 0.0f, sdyx = 0.0f;
    for (int j = lid; j < count; j += BN_WG) {
        const int n = j / HW, idx = (n * C + c) * HW + (j - n * HW);
        const float d = dy[idx];
        sdy += d;
        sdyx = mad(d, (x[idx] - mu) * is, sdyx);
    }
    const float a = wg_sum(scratch, sdy);
    const float bb = wg_sum(scratch, sdyx);
    const float k = gamma[c] * is / count;
    for (int j = lid; j < count; j += BN_WG) {
        const int n = j / HW, idx = (n * C + c) * HW + (j - n * HW);
        const float xh = (x[idx] - mu) * is;
        dx[idx] += k * (count * dy[idx] - a - xh * bb);
    }
    if (lid == 0) {
        dBeta[c] += a;
        dGamma[c] += bb;
    }
}
