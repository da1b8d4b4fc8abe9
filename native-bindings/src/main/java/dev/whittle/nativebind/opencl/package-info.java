/**
 * OpenCL runtime and ops on device buffers. {@link dev.whittle.nativebind.opencl.ClContext#tryCreate()} picks a
 * device (GPU, then accelerator, then CPU; {@code -Dwhittle.opencl.device=<index or name part>} overrides) and
 * owns every buffer and program made through it; {@link dev.whittle.nativebind.opencl.ClKernels} builds the
 * OpenCL C programs (resources {@code opencl/*.cl} of the whittle-kernels jar) once and launches them with the
 * scalar references' semantics. One thread drives a context.
 */
package dev.whittle.nativebind.opencl;
