/**
 * Vector API (jdk.incubator.vector) kernels: a packed, register-blocked SGEMM ({@link dev.whittle.kernels.vector.Sgemm})
 * and the convolution and fully connected kernels built on it, drop-in behind
 * {@link dev.whittle.kernels.ConvKernels} and {@link dev.whittle.kernels.LinearKernels}. Each kernel computes what its
 * scalar reference computes, to float rounding, with the same range semantics.
 */
package dev.whittle.kernels.vector;
