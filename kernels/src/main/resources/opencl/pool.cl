// Pooling over x (N,C,H,W) -> y (N,C,P,Q), k x k windows with stride and padding (OpenCL C 1.2), float32.
// Padding never wins a max and is excluded from an average's divisor (count_include_pad = false).
// Plane = n*C + c. Dimension 0 runs along a plane (coalesced), dimension 1 over planes.
// Backward passes GATHER: one work-item per input element sums the outputs whose window covers it, because
// OpenCL 1.2 has no float atomics for a scatter (and a gather is deterministic).

#ifndef RED_WG
#define RED_WG 64
#endif

// First output index whose window [o*stride - pad, o*stride - pad + win) covers input index i.
inline int first_cover(int i, int win, int stride, int pad) {
    const int num = i + pad - win + 1;
    return num <= 0 ? 0 : (num + stride - 1) / stride;
}

// y = window max; argmax (N,C,P,Q) = flat input index of the first maximum in row-major window order; a NaN
// anywhere in the window propagates (the first NaN wins), matching PoolScalar.maxForward.
__kernel void max_pool_forward(__global const float* x, __global float* y, __global int* argmax, const int planes,
                               const int H, const int W, const int P, const int Q,
                               const int win, const int stride, const int pad) {
    const int pq = get_global_id(0), plane = get_global_id(1);
    if (pq >= P * Q || plane >= planes) return;
    const int p = pq / Q, q = pq - p * Q, xb = plane * H * W;
    float best = -INFINITY;
    int bi = -1;
    for (int i = 0; i < win; i++) {
        const int ih = p * stride - pad + i;
        if (ih < 0 || ih >= H) continue;
        for (int j = 0; j < win; j++) {
            const int iw = q * stride - pad + j;
            if (iw < 0 || iw >= W) continue;
            const float v = x[xb + ih * W + iw];
            if (v > best || bi < 0 || (isnan(v) && !isnan(best))) { // the first NaN wins, as on the host
                best = v;
                bi = xb + ih * W + iw;
            }
        }
    }
    y[plane * P * Q + pq] = best;
    argmax[plane * P * Q + pq] = bi;
}

// dx[i] += sum of dy over the outputs whose argmax is i.
__kernel void max_pool_backward(__global const float* dy, __global const int* argmax, __global float* dx,
                                const int planes, const int H, const int W, const int P, const int Q,
                                const int win, const int stride, const int pad) {
    const int hw = get_global_id(0), plane = get_global_id(1);
    if (hw >= H * W || plane >= planes) return;
    const int ih = hw / W, iw = hw - ih * W, idx = plane * H * W + hw, yb = plane * P * Q;
    const int p0 = first_cover(ih, win, stride, pad), p1 = min(P - 1, (ih + pad) / stride);
    const int q0 = first_cover(iw, win, stride, pad), q1 = min(Q - 1, (iw + pad) / stride);
    float g = 0.0f;
    for (int p = p0; p <= p1; p++) {
        for (int q = q0; q <= q1; q++) {
            const int o = yb + p * Q + q;
            if (argmax[o] == idx) g += dy[o];
        }
    }
    dx[idx] += g;
}

__kernel void avg_pool_forward(__global const float* x, __global float* y, const int planes,
                               const int H, const int W, const int P, const int Q,
                               const int win, const int stride, const int pad) {
    const int pq = get_global_id(0), plane = get_global_id(1);
    if (pq >= P * Q || plane >= planes) return;
    const int p = pq / Q, q = pq - p * Q, xb = plane * H * W;
    const int h0 = max(0, p * stride - pad), h1 = min(H, p * stride - pad + win);
    const int w0 = max(0, q * stride - pad), w1 = min(W, q * stride - pad + win);
    float sum = 0.0f;
    for (int ih = h0; ih < h1; ih++)
        for (int iw = w0; iw < w1; iw++) sum += x[xb + ih * W + iw];
    y[plane * P * Q + pq] = sum / ((h1 - h0) * (w1 - w0));
}

// dx[i] += sum over covering windows of dy / (that window's unpadded size).
__kernel void avg_pool_backward(__global const float* dy, __global float* dx, const int planes,
                                const int H, const int W, const int P, const int Q,
                                const int win, const int stride, const int pad) {
    const int hw = get_global_id(0), plane = get_global_id(1);
    if (hw >= H * W || plane >= planes) return;
    const int ih = hw / W, iw = hw - ih * W, yb = plane * P * Q;
    const int p0 = first_cover(ih, win, stride, pad), p1 = min(P - 1, (ih + pad) / stride);
    const int q0 = first_cover(iw, win, stride, pad), q1 = min(Q - 1, (iw + pad) / stride);
    float g = 0.0f;
    for (int p = p0; p <= p1; p++) {
        const int hc = min(H, p * stride - pad + win) - max(0, p * stride - pad);
        for (int q = q0; q <= q1; q++) {
            const int wc = min(W, q * stride - pad + win) - max(0, q * stride - pad);
            g += dy[yb + p * Q + q] / (hc * wc);
        }
    }
    dx[plane * H * W + hw] += g;
}

// y[plane] = mean of the plane's HW values: one work-group of RED_WG (a power of two) per plane.
__kernel __attribute__((reqd_work_group_size(RED_WG, 1, 1)))
void global_avg_pool_forward(__global const float* x, __global float* y, const int HW) {
    __local float scratch[RED_WG];
    const int plane = get_group_id(0), lid = get_local_id(0);
    float s = 0.0f;
    for (int i = lid; i < HW; i += RED_WG) s += x[plane * HW + i];
    scratch[lid] = s;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int off = RED_WG / 2; off > 0; off >>= 1) {
        if (lid < off) scratch[lid] += scratch[lid + off];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) y[plane] = scratch[0] / HW;
}

// dx (N,C,HW) += dy[plane] / HW; one work-item per input element.
__kernel void global_avg_pool_backward(__global const float* dy, __global float* dx, const int planes, const int HW) {
    const int i = get_global_id(0);
    if (i < planes * HW) dx[i] += dy[i / HW] / HW;
}
