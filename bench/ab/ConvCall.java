import dev.whittle.kernels.ConvEpilogue;
import dev.whittle.kernels.ConvGeometry;
import dev.whittle.kernels.vector.Conv2dVector;
import java.util.Arrays;
import java.util.Random;

/**
 * One 3×3, pad-1 convolution forward (stride 1, or {@code -Dab.stride}; {@code -Dab.kernel=1}: 1×1, pad 0) with a
 * batch-norm-and-ReLU epilogue (the fused inference path; {@code -Dab.residual=true}: batch norm, residual add and
 * no ReLU, as ResNet's shortcuts end) on the vector kernels, as a Runnable built against whichever kernels jar or class
 * directory loaded it (KernelAB).
 */
public class ConvCall implements Runnable {
    private final Conv2dVector conv = new Conv2dVector();
    private final ConvGeometry g;
    private final float[] x, w, b, y;
    private final ConvEpilogue e;
    private final int n, c, k;

    public ConvCall(int n, int c, int k, int hw) {
        this.n = n;
        this.c = c;
        this.k = k;
        int rs = Integer.getInteger("ab.kernel", 3);
        g = ConvGeometry.square(n, c, hw, hw, k, rs, Integer.getInteger("ab.stride", 1), rs / 2);
        x = new float[n * c * hw * hw];
        w = new float[k * c * rs * rs];
        b = new float[k];
        y = new float[n * k * g.p() * g.q()];
        Random r = new Random(1);
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() - 0.5f;
        for (int i = 0; i < w.length; i++) w[i] = r.nextFloat() - 0.5f;
        float[] scale = new float[k], shift = new float[k];
        Arrays.fill(scale, 1f);
        boolean residual = Boolean.getBoolean("ab.residual");
        e = residual ? new ConvEpilogue(scale, shift, false, y.clone()) : new ConvEpilogue(scale, shift, true);
    }

    @Override
    public void run() {
        conv.forwardThen(g, x, w, b, y, null, k, null, c, 0, n, e);
    }
}
