package dev.whittle.measure;

import java.util.Arrays;

/** Order statistics of a sample of timings; the median is the reported figure, min–max its spread. */
public record Stats(double median, double min, double max, double p99, int count) {
    public static Stats of(double[] values) {
        if (values.length == 0) throw new IllegalArgumentException("no samples");
        double[] v = values.clone();
        Arrays.sort(v);
        return new Stats(quantile(v, 0.5), v[0], v[v.length - 1], quantile(v, 0.99), v.length);
    }

    /** Linear interpolation between closest ranks of sorted values. */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos), hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
