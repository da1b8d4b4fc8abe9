// Softmax cross-entropy over logits (rows, classes) and int labels (rows) (OpenCL C 1.2), float32.
// One work-group of SM_WG (a power of two) per row: max-shifted log-sum-exp, so large logits cannot overflow.
// loss[n] = logsumexp(row) - row[label]; dlogits[n,k] = (softmax_k - [k == label]) / batch (gradient of the
// mean loss). An out-of-range label gives loss NaN and a zero dlogits row (the host turns NaN into an error).

#ifndef SM_WG
#define SM_WG 64
#endif

inline float wg_reduce(__local float* scratch, float v, int isMax) {
    const int lid = get_local_id(0);
    scratch[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int off = SM_WG / 2; off > 0; off >>= 1) {
        if (lid < off) scratch[lid] = isMax ? fmax(scratch[lid], scratch[lid + off]) : scratch[lid] + scratch[lid + off];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float r = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

__kernel __attribute__((reqd_work_group_size(SM_WG, 1, 1)))
void softmax_xent(__global const float* logits, __global const int* labels, __global float* loss,
                  __global float* dlogits, const int hasDlogits, const int classes, const int batch) {
    __local float scratch[SM_WG];
    const int n = get_group_id(0), lid = get_local_id(0);
    __global const float* row = logits + n * classes;
    float m = -INFINITY;
    for (int k = lid; k < classes; k += SM_WG) m = fmax(m, row[k]);
    m = wg_reduce(scratch, m, 1);
    float s = 0.0f;
    for (int k = lid; k < classes; k += SM_WG) s += exp(row[k] - m);
    const float logSum = log(wg_reduce(scratch, s, 0)) + m;
    const int label = labels[n];
    const bool ok = label >= 0 && label < classes;
    if (lid == 0) loss[n] = ok ? logSum - row[label] : NAN;
    if (!hasDlogits) return;
    for (int k = lid; k < classes; k += SM_WG) {
        dlogits[n * classes + k] = ok ? (exp(row[k] - logSum) - (k == label ? 1.0f : 0.0f)) / batch : 0.0f;
    }
}
