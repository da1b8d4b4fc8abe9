package dev.whittle.prune.method;

import dev.whittle.graph.Graph;
import dev.whittle.graph.Node;
import dev.whittle.nn.Conv2d;
import dev.whittle.nn.Linear;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The weights weight-level methods act on: every conv and linear weight, classifier included (the MACs
 * models.md counts); biases and BN parameters are left dense, as in the reference codes (§4g′, §5b).
 */
final class PrunableWeights {
    private PrunableWeights() {}

    static List<Graph.NamedParam> of(Graph g) {
        List<Graph.NamedParam> out = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (n.layer() instanceof Conv2d c) out.add(new Graph.NamedParam(n.name() + ".weight", c.weight));
            else if (n.layer() instanceof Linear l) out.add(new Graph.NamedParam(n.name() + ".weight", l.weight));
        }
        return out;
    }

    /**
     * Drops exactly {@code drop} entries with the lowest scores across all arrays (ties: earlier array, then
     * lower index, first). Returns keep flags shaped like the inputs.
     */
    static boolean[][] keepAllBut(List<float[]> scores, long drop) {
        long total = 0;
        for (float[] s : scores) total += s.length;
        if (drop < 0 || drop > total) throw new IllegalArgumentException("cannot drop " + drop + " of " + total);
        float[] all = new float[(int) total];
        int o = 0;
        for (float[] s : scores) {
            System.arraycopy(s, 0, all, o, s.length);
            o += s.length;
        }
        Arrays.sort(all);
        float threshold = drop == 0 ? Float.NEGATIVE_INFINITY : all[(int) drop - 1];
        long below = 0;
        for (float v : all) if (v < threshold) below++;
        long tiesToDrop = drop - below; // entries equal to the threshold that go, in index order
        boolean[][] keep = new boolean[scores.size()][];
        for (int a = 0; a < scores.size(); a++) {
            float[] s = scores.get(a);
            boolean[] k = new boolean[s.length];
            for (int i = 0; i < s.length; i++) {
                if (s[i] < threshold) continue;
                if (s[i] == threshold && tiesToDrop > 0) {
                    tiesToDrop--;
                    continue;
                }
                k[i] = true;
            }
            keep[a] = k;
        }
        return keep;
    }

    static void zeroMasked(float[] w, boolean[] keep) {
        for (int i = 0; i < w.length; i++) if (!keep[i]) w[i] = 0f;
    }

    static long zeros(boolean[] keep) {
        long n = 0;
        for (boolean k : keep) if (!k) n++;
        return n;
    }
}
