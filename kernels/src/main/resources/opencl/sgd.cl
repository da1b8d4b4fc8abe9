// SGD with momentum, weight decay and optional Nesterov, PyTorch's formulation (OpenCL C 1.2), one work-item
// per parameter: g' = g + wd*w; v = mu*v + g'; step = nesterov ? g' + mu*v : v; w -= lr*step.
__kernel void sgd_step(__global float* w, __global const float* grad, __global float* velocity,
                       const float lr, const float momentum, const float weightDecay, const int nesterov, const int n) {
    const int i = get_global_id(0);
    if (i >= n) return;
    const float g = grad[i] + weightDecay * w[i];
    const float v = momentum * velocity[i] + g;
    velocity[i] = v;
    w[i] -= lr * (nesterov ? g + momentum * v : v);
}
