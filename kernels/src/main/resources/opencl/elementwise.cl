// Element-wise ops over n equally shaped float32 elements (OpenCL C 1.2), one work-item per element.

__kernel void relu_forward(__global const float* x, __global float* y, const int n) {
    const int i = get_global_id(0);
    if (i < n) y[i] = fmax(x[i], 0.0f);
}

// dx += dy where the forward OUTPUT y was positive (y > 0 <=> x > 0), so x need not be kept.
__kernel void relu_backward(__global const float* y, __global const float* dy, __global float* dx, const int n) {
    const int i = get_global_id(0);
    if (i < n) dx[i] += y[i] > 0.0f ? dy[i] : 0.0f;
}

__kernel void add(__global const float* a, __global const float* b, __global float* y, const int n) {
    const int i = get_global_id(0);
    if (i < n) y[i] = a[i] + b[i];
}

// dst += src (gradient of an add or a fan-out).
__kernel void accumulate(__global const float* src, __global float* dst, const int n) {
    const int i = get_global_id(0);
    if (i < n) dst[i] += src[i];
}
