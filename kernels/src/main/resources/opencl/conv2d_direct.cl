// 2-D convolution, one work-item per output element, any number of groups (OpenCL C 1.2), NCHW float32.
// The fallback for grouped/depthwise convolutions that the tiled GEMM (conv2d_tiled.cl) does not cover, and
// its slow twin. Shapes: x (N,C,H,W), w (K,C/G,R,S), y (N,K,P,Q); filter k reads channels of group k/(K/G).
// Alive lists as in conv2d_tiled.cl: only listed filters/channels are computed; the rest are left untouched
// (the host zeroes y first when the filter list is partial). cAlive holds absolute channel indices.
// Dimension 0 runs along the output (or input) plane, so neighbouring work-items touch neighbouring pixels.

__kernel void conv2d_forward_direct(
        __global const float* x, __global const float* w, __global const float* b, const int hasBias,
        __global float* y, __global const int* kAlive, const int kCount, __global const int* cAlive, const int cCount,
        const int N, const int C, const int H, const int W, const int K, const int R, const int S,
        const int P, const int Q, const int sh, const int sw, const int ph, const int pw, const int G) {
    const int pq = get_global_id(0), kj = get_global_id(1), img = get_global_id(2);
    if (pq >= P * Q || kj >= kCount || img >= N) return;
    const int k = kAlive[kj], cg = C / G, g = k / (K / G);
    const int oh = pq / Q, ow = pq - oh * Q;
    float acc = hasBias ? b[k] : 0.0f;
    for (int j = 0; j < cCount; j++) {
        const int c = cAlive[j];
        if (c / cg != g) continue;
        __global const float* xp = x + (img * C + c) * H * W;
        __global const float* wp = w + (k * cg + (c - g * cg)) * R * S;
        for (int r = 0; r < R; r++) {
            const int ih = oh * sh - ph + r;
            if (ih < 0 || ih >= H) continue;
            for (int s = 0; s < S; s++) {
                const int iw = ow * sw - pw + s;
                if (iw >= 0 && iw < W) acc = mad(wp[r * S + s], xp[ih * W + iw], acc);
            }
        }
    }
    y[(img * K + k) * P * Q + pq] = acc;
}

__kernel void conv2d_backward_data_direct(
        __global const float* dy, __global const float* w, __global float* dx,
        __global const int* kAlive, const int kCount, __global const int* cAlive, const int cCount,
        const int N, const int C, const int H, const int W, const int K, const int R, const int S,
        const int P, const int Q, const int sh, const int sw, const int ph, const int pw, const int G) {
    const int hw = get_global_id(0), cj = get_global_id(1), img = get_global_id(2);
    if (hw >= H * W || cj >= cCount || img >= N) return;
    const int c = cAlive[cj], cg = C / G, kg = K / G, g = c / cg;
    const int ih = hw / W, iw = hw - ih * W;
    float acc = 0.0f;
    for (int j = 0; j < kCount; j++) {
        const int k = kAlive[j];
        if (k / kg != g) continue;
        __global const float* dyp = dy + (img * K + k) * P * Q;
        __global const float* wp = w + (k * cg + (c - g * cg)) * R * S;
        for (int r = 0; r < R; r++) {
            const int hh = ih + ph - r;
            if (hh < 0 || hh % sh != 0 || hh / sh >= P) continue;
            for (int s = 0; s < S; s++) {
                const int ww = iw + pw - s;
                if (ww < 0 || ww % sw != 0 || ww / sw >= Q) continue;
                acc = mad(wp[r * S + s], dyp[(hh / sh) * Q + ww / sw], acc);
            }
        }
    }
    dx[(img * C + c) * H * W + hw] += acc;
}

// One work-item per weight (alive channel x r x s along dimension 0, alive filter along dimension 1),
// reducing over every image and output pixel.
__kernel void conv2d_backward_weights_direct(
        __global const float* x, __global const float* dy, __global float* dw,
        __global const int* kAlive, const int kCount, __global const int* cAlive, const int cCount,
        const int N, const int C, const int H, const int W, const int K, const int R, const int S,
        const int P, const int Q, const int sh, const int sw, const int ph, const int pw, const int G) {
    const int RS = R * S, col = get_global_id(0), kj = get_global_id(1);
    if (col >= cCount * RS || kj >= kCount) return;
    const int k = kAlive[kj], c = cAlive[col / RS], rs = col % RS, r = rs / S, s = rs - r * S;
    const int cg = C / G, g = k / (K / G);
    if (c / cg != g) return;
    float acc = 0.0f;
    for (int img = 0; img < N; img++) {
        __global const float* xp = x + (img * C + c) * H * W;
        __global const float* dyp = dy + (img * K + k) * P * Q;
        for (int oh = 0; oh < P; oh++) {
            const int ih = oh * sh - ph + r;
            if (ih < 0 || ih >= H) continue;
            for (int ow = 0; ow < Q; ow++) {
                const int iw = ow * sw - pw + s;
                if (iw >= 0 && iw < W) acc = mad(dyp[oh * Q + ow], xp[ih * W + iw], acc);
            }
        }
    }
    dw[(k * cg + (c - g * cg)) * RS + rs] += acc;
}
