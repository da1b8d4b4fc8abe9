package dev.whittle.prune;

import dev.whittle.graph.Graph;
import dev.whittle.graph.Node;
import dev.whittle.io.SavedModel;
import dev.whittle.nn.Conv2d;
import dev.whittle.nn.Linear;

/**
 * Memory a model takes: all parameters as dense float32, the conv/linear weights dense versus in the sparse-row
 * form the sparse kernels run on, and the file's own size. Reported by {@code whittle info --file}.
 *
 * @param params parameter count (trainable and buffers)
 * @param paramBytes 4 bytes per parameter
 * @param fileBytes size of the model file, or −1 when not from a file
 * @param weightCount conv and linear weights
 * @param nonzeroWeights of which nonzero
 * @param weightDenseBytes 4 bytes per conv/linear weight
 * @param weightSparseBytes the same weights as {@link dev.whittle.kernels.SparseRows} (row starts, columns, values)
 * @param channelMasks channel groups with a mask in the file
 * @param weightMasks parameters with a weight-level mask in the file
 */
public record ModelFootprint(
        long params,
        long paramBytes,
        long fileBytes,
        long weightCount,
        long nonzeroWeights,
        long weightDenseBytes,
        long weightSparseBytes,
        int channelMasks,
        int weightMasks) {

    public static ModelFootprint of(SavedModel m, long fileBytes) {
        Graph g = m.graph();
        long weights = 0, nonzero = 0, sparse = 0;
        for (Node n : g.nodes()) {
            float[] w;
            int rows;
            if (n.layer() instanceof Conv2d c) {
                w = c.weight.value();
                rows = c.outChannels;
            } else if (n.layer() instanceof Linear l) {
                w = l.weight.value();
                rows = l.out;
            } else continue;
            weights += w.length;
            for (float v : w) if (v != 0f) nonzero++;
            sparse += SparseInference.sparseBytes(w, rows);
        }
        return new ModelFootprint(
                g.parameterCount(),
                4 * g.parameterCount(),
                fileBytes,
                weights,
                nonzero,
                4 * weights,
                sparse,
                m.masks().size(),
                m.weightMasks().size());
    }

    public double weightSparsity() {
        return weightCount == 0 ? 0 : 1 - (double) nonzeroWeights / weightCount;
    }

    /** Lines for a terminal. */
    public String render() {
        StringBuilder s = new StringBuilder();
        s.append(String.format("parameters     %,d (%,d bytes as float32)%n", params, paramBytes));
        if (fileBytes >= 0) s.append(String.format("file           %,d bytes%n", fileBytes));
        s.append(String.format(
                "conv/linear    %,d weights, %,d nonzero (%.1f %% sparse)%n",
                weightCount, nonzeroWeights, 100 * weightSparsity()));
        s.append(String.format(
                "weights dense  %,d bytes; as sparse rows %,d bytes (%.2fx)%n",
                weightDenseBytes, weightSparseBytes, (double) weightDenseBytes / Math.max(1, weightSparseBytes)));
        s.append(String.format(
                "masks          %d channel groups, %d weight-masked parameters%n", channelMasks, weightMasks));
        return s.toString();
    }
}
