package dev.whittle.prune.method;

import java.util.Arrays;
import java.util.Comparator;

/** Exact-count selection by score: which channels (or weights) to drop. Ties go by index, so runs repeat. */
final class Ranking {
    private Ranking() {}

    /** Indices ordered from lowest to highest score (stable: equal scores keep index order). */
    static Integer[] ascending(double[] score) {
        Integer[] idx = new Integer[score.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        Arrays.sort(idx, Comparator.comparingDouble((Integer i) -> score[i]));
        return idx;
    }

    /** True for the {@code n} lowest-scoring entries. */
    static boolean[] lowest(double[] score, int n) {
        if (n < 0 || n > score.length) throw new IllegalArgumentException("cannot pick " + n + " of " + score.length);
        boolean[] out = new boolean[score.length];
        Integer[] idx = ascending(score);
        for (int i = 0; i < n; i++) out[idx[i]] = true;
        return out;
    }

    /** Alive flags keeping the {@code keep} highest-scoring entries. */
    static boolean[] keepHighest(double[] score, int keep) {
        boolean[] drop = lowest(score, score.length - keep);
        boolean[] alive = new boolean[score.length];
        for (int i = 0; i < alive.length; i++) alive[i] = !drop[i];
        return alive;
    }

    static int count(boolean[] flags) {
        int n = 0;
        for (boolean b : flags) if (b) n++;
        return n;
    }
}
