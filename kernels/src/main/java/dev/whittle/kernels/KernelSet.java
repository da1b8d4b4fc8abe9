package dev.whittle.kernels;

/**
 * The kernels a backend provides. Layers call through this, so choosing a backend is choosing a set once.
 * A set built with only conv and linear kernels uses the scalar references for norm, element-wise and pooling.
 */
public record KernelSet(
        String name,
        ConvKernels conv,
        LinearKernels linear,
        NormKernels norm,
        ElementwiseKernels elementwise,
        PoolKernels pool) {

    /** Conv and linear from the backend; batch norm, element-wise and pooling from the scalar references. */
    public KernelSet(String name, ConvKernels conv, LinearKernels linear) {
        this(name, conv, linear, NormKernels.SCALAR, ElementwiseKernels.SCALAR, PoolKernels.SCALAR);
    }

    /** The scalar references: correct everywhere, the oracle for every other set. */
    public static KernelSet scalar() {
        return SCALAR;
    }

    private static final KernelSet SCALAR = new KernelSet(
            "scalar",
            new ConvKernels() {
                public void forward(ConvGeometry g, float[] x, float[] w, float[] b, float[] y, int n0, int n1) {
                    Conv2dScalar.forward(g, x, w, b, y, n0, n1);
                }

                public void forwardFilters(
                        ConvGeometry g, float[] x, float[] w, float[] b, float[] y, int n0, int n1, int k0, int k1) {
                    Conv2dScalar.forwardFilters(g, x, w, b, y, n0, n1, k0, k1);
                }

                public void backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx, int n0, int n1) {
                    Conv2dScalar.backwardData(g, dy, w, dx, n0, n1);
                }

                public void backwardWeights(
                        ConvGeometry g, float[] x, float[] dy, float[] dw, float[] db, int k0, int k1) {
                    Conv2dScalar.backwardWeights(g, x, dy, dw, db, k0, k1);
                }
            },
            new LinearKernels() {
                public void forward(int in, int out, float[] x, float[] w, float[] b, float[] y, int n0, int n1) {
                    LinearScalar.forward(in, out, x, w, b, y, n0, n1);
                }

                public void forwardOutputs(
                        int in, int out, float[] x, float[] w, float[] b, float[] y, int n0, int n1, int o0, int o1) {
                    LinearScalar.forwardOutputs(in, out, x, w, b, y, n0, n1, o0, o1);
                }

                public void backwardData(int in, int out, float[] dy, float[] w, float[] dx, int n0, int n1) {
                    LinearScalar.backwardData(in, out, dy, w, dx, n0, n1);
                }

                public void backwardWeights(
                        int batch, int in, int out, float[] x, float[] dy, float[] dw, float[] db, int o0, int o1) {
                    LinearScalar.backwardWeights(batch, in, out, x, dy, dw, db, o0, o1);
                }
            });
}
