package dev.whittle.kernels;

/**
 * A weight matrix in compressed sparse rows (CSR): one row per filter (conv: K rows of C/G·R·S columns, the
 * flattened (c, r, s) index; linear: OUT rows of IN columns). Only nonzero weights are stored, so a kernel that
 * walks a row does work proportional to the weights that survived fine-grained pruning.
 *
 * <p>Immutable after construction: a snapshot of the dense weights at the time it was built.
 */
public final class SparseRows {
    public final int rows, cols;
    /** Row r's entries are [rowStart[r], rowStart[r+1]); length rows + 1. */
    public final int[] rowStart;
    /** Column of each stored entry, increasing within a row; length nnz. */
    public final int[] col;
    /** Value of each stored entry; length nnz, never 0. */
    public final float[] val;

    private SparseRows(int rows, int cols, int[] rowStart, int[] col, float[] val) {
        this.rows = rows;
        this.cols = cols;
        this.rowStart = rowStart;
        this.col = col;
        this.val = val;
    }

    /** The nonzeros of a dense row-major w (rows, cols). */
    public static SparseRows fromDense(float[] w, int rows, int cols) {
        if (rows <= 0 || cols <= 0 || (long) rows * cols != w.length) {
            throw new IllegalArgumentException(
                    "sparse rows: expected " + rows + " x " + cols + " weights but found " + w.length);
        }
        int nnz = 0;
        for (float v : w) if (v != 0f) nnz++;
        int[] start = new int[rows + 1];
        int[] col = new int[nnz];
        float[] val = new float[nnz];
        int j = 0;
        for (int r = 0; r < rows; r++) {
            start[r] = j;
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                float v = w[base + c];
                if (v != 0f) {
                    col[j] = c;
                    val[j++] = v;
                }
            }
        }
        start[rows] = j;
        return new SparseRows(rows, cols, start, col, val);
    }

    public int nnz() {
        return val.length;
    }

    /** Stored entries over rows·cols. */
    public double density() {
        return (double) nnz() / ((long) rows * cols);
    }

    /** Bytes held in memory by this representation: row starts, column indices and values. */
    public long bytes() {
        return 4L * (rows + 1) + 8L * nnz();
    }

    /** The dense matrix again (rows, cols), zeros where nothing is stored. */
    public float[] toDense() {
        float[] w = new float[rows * cols];
        for (int r = 0; r < rows; r++)
            for (int j = rowStart[r]; j < rowStart[r + 1]; j++) w[r * cols + col[j]] = val[j];
        return w;
    }

    /** Throws unless this matrix is (rows, cols), naming the caller's expectation. */
    public void check(int rows, int cols, String what) {
        if (this.rows != rows || this.cols != cols) {
            throw new IllegalArgumentException(what + ": expected sparse weights " + rows + " x " + cols + " but found "
                    + this.rows + " x " + this.cols);
        }
    }

    @Override
    public String toString() {
        return "SparseRows[" + rows + " x " + cols + ", nnz " + nnz() + ", density " + String.format("%.3f", density())
                + "]";
    }
}
