package dev.whittle.nn;

import java.util.Arrays;

/**
 * A named float array owned by a layer: trainable parameters carry a gradient of the same layout; buffers
 * such as batch-norm running statistics are persisted with the model but have no gradient.
 *
 * @param shape the tensor's dimensions, e.g. (K,C,R,S) for a conv weight
 */
public record Param(String name, int[] shape, float[] value, float[] grad, boolean trainable) {

    public static Param trainable(String name, int... shape) {
        int n = count(shape);
        return new Param(name, shape.clone(), new float[n], new float[n], true);
    }

    public static Param buffer(String name, int... shape) {
        return new Param(name, shape.clone(), new float[count(shape)], null, false);
    }

    public int size() {
        return value.length;
    }

    public void zeroGrad() {
        if (grad != null) Arrays.fill(grad, 0f);
    }

    static int count(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d <= 0)
                throw new IllegalArgumentException("parameter dims must be positive: " + Arrays.toString(shape));
            n *= d;
        }
        if (n > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("parameter too large: " + Arrays.toString(shape));
        return (int) n;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
