package dev.whittle.kernels.vector;

import dev.whittle.kernels.KernelSet;

/** The Vector API kernel set: im2col + packed GEMM convolution and linear layers, batch norm, element-wise, pooling. */
public final class VectorKernels {
    private VectorKernels() {}

    /** A new kernel set named "vector"; the kernels are stateless apart from per-thread scratch. */
    public static KernelSet create() {
        return new KernelSet(
                "vector",
                new Conv2dVector(),
                new LinearVector(),
                new BatchNormVector(),
                new ElementwiseVector(),
                new PoolVector());
    }

    /** Floats per vector of the species in use (16 with 512-bit vectors), for reports. */
    public static int vectorLength() {
        return Sgemm.VL;
    }

    /** The register tile of the GEMM microkernel, e.g. "6x32", for reports. */
    public static String microTile() {
        return Sgemm.MR + "x" + Sgemm.NR;
    }
}
