package dev.whittle.nativebind.opencl;

/** Summed device time (from OpenCL profiling events) and launch count of one kernel while profiling was on. */
public record ClKernelTime(long nanos, long launches) {}
