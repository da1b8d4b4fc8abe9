package dev.whittle.kernels;

/**
 * One implementation of the element-wise ops of {@link ElementwiseScalar}, over flat index ranges [i0, i1) of
 * equally shaped tensors; nothing outside the range is written.
 */
public interface ElementwiseKernels {
    /** y = max(x, 0) (NaN stays NaN). */
    void reluForward(float[] x, float[] y, int i0, int i1);

    /** dx += dy where the forward output y was positive. */
    void reluBackward(float[] y, float[] dy, float[] dx, int i0, int i1);

    /** dx = dy where the forward output y was positive, else 0: reluBackward into a gradient nobody else writes. */
    void reluMask(float[] y, float[] dy, float[] dx, int i0, int i1);

    /** y = a + b. */
    void add(float[] a, float[] b, float[] y, int i0, int i1);

    /** dst += src. */
    void accumulate(float[] src, float[] dst, int i0, int i1);

    /** The scalar references. */
    ElementwiseKernels SCALAR = new ElementwiseKernels() {
        public void reluForward(float[] x, float[] y, int i0, int i1) {
            ElementwiseScalar.reluForward(x, y, i0, i1);
        }

        public void reluBackward(float[] y, float[] dy, float[] dx, int i0, int i1) {
            ElementwiseScalar.reluBackward(y, dy, dx, i0, i1);
        }

        public void reluMask(float[] y, float[] dy, float[] dx, int i0, int i1) {
            ElementwiseScalar.reluMask(y, dy, dx, i0, i1);
        }

        public void add(float[] a, float[] b, float[] y, int i0, int i1) {
            ElementwiseScalar.add(a, b, y, i0, i1);
        }

        public void accumulate(float[] src, float[] dst, int i0, int i1) {
            ElementwiseScalar.accumulate(src, dst, i0, i1);
        }
    };
}
