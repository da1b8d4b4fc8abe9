package dev.whittle.graph;

import java.util.ArrayList;
import java.util.List;

/**
 * Which activation buffers an inference executor can share: each buffer owner is live from the node that first
 * writes it to the last node that reads it, and owners whose live ranges do not overlap take turns in one array.
 *
 * <p>Why: one array per node made an inference pass touch every activation of the model once. At batch 64 that is
 * ~35 MB for ResNet-20 (the first conv's output alone 3.2 MB): more than this machine's L3 slice, so every layer read
 * its input back from memory and two threads contended for it; at batch 1 the model's 2 MB of activations overflowed
 * the 1 MB L2. Sharing keeps the working set to the few buffers live at once (ONNX Runtime's arena does the same).
 * Training keeps every activation for the backward pass and does not use this.
 */
final class BufferPlan {
    /** physical[o]: the array owner o writes (−1 where o owns none); sizes[p]: floats array p needs. */
    final int[] physical;

    final int[] sizes;

    /** owners[p]: how many owners take turns in array p. */
    final int[] owners;

    /**
     * @param start per node: the first node that writes the buffer it owns, or −1 where it owns none
     * @param end per owner: the last node that reads its buffer (beyond the last node: kept after the pass)
     * @param size per owner: floats it needs
     * @param kind per owner: only owners of one kind share an array
     */
    BufferPlan(int[] start, int[] end, int[] size, int[] kind) {
        int count = start.length;
        physical = new int[count];
        java.util.Arrays.fill(physical, -1);
        List<int[]> arrays = new ArrayList<>(); // {size, end of its current owner, owners, kind}
        Integer[] order = new Integer[count];
        for (int i = 0; i < count; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> start[a] != start[b] ? Integer.compare(start[a], start[b]) : a - b);
        for (int o : order) {
            if (start[o] < 0) continue;
            // A free array (its owner's last reader runs before this owner's first writer) of the same kind.
            int best = -1;
            for (int p = 0; p < arrays.size(); p++) {
                int[] a = arrays.get(p);
                if (a[1] < start[o] && a[3] == kind[o] && (best < 0 || better(a[0], arrays.get(best)[0], size[o])))
                    best = p;
            }
            if (best < 0) {
                arrays.add(new int[] {size[o], end[o], 1, kind[o]});
                best = arrays.size() - 1;
            } else {
                int[] a = arrays.get(best);
                a[0] = Math.max(a[0], size[o]);
                a[1] = end[o];
                a[2]++;
            }
            physical[o] = best;
        }
        sizes = new int[arrays.size()];
        owners = new int[arrays.size()];
        for (int p = 0; p < sizes.length; p++) {
            sizes[p] = arrays.get(p)[0];
            owners[p] = arrays.get(p)[2];
        }
    }

    /** Whether an array of {@code size} floats suits {@code need} better than one of {@code other}: the smallest that
     * is big enough, else the biggest (grown the least). */
    private static boolean better(int size, int other, int need) {
        boolean fits = size >= need, otherFits = other >= need;
        if (fits != otherFits) return fits;
        return fits ? size < other : size > other;
    }
}
