package dev.whittle.model;

import dev.whittle.graph.Graph;
import dev.whittle.graph.Node;
import dev.whittle.nn.Param;
import java.util.ArrayList;
import java.util.List;

/** A printable per-node table of a graph: op, inputs, output shape, trainable parameters and MACs. */
public final class LayerTable {
    private LayerTable() {}

    public static String render(Graph g) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"node", "op", "inputs", "output", "params", "MACs"});
        for (Node n : g.nodes()) {
            long params = 0;
            for (Param p : n.layer().params()) if (p.trainable()) params += p.size();
            StringBuilder in = new StringBuilder();
            for (int src : n.inputs()) {
                if (!in.isEmpty()) in.append(',');
                in.append(src == Graph.INPUT ? "input" : g.nodes().get(src).name());
            }
            long macs = n.layer().macs(n.inShapes());
            rows.add(new String[] {
                n.name(),
                n.layer().op(),
                in.toString(),
                n.outShape().toString(),
                params == 0 ? "" : String.format("%,d", params),
                macs == 0 ? "" : String.format("%,d", macs)
            });
        }
        rows.add(new String[] {
            "total", "", "", "", String.format("%,d", g.parameterCount()), String.format("%,d", g.macs())
        });
        int[] width = new int[6];
        for (String[] r : rows) for (int i = 0; i < 6; i++) width[i] = Math.max(width[i], r[i].length());
        StringBuilder sb = new StringBuilder();
        for (int ri = 0; ri < rows.size(); ri++) {
            String[] r = rows.get(ri);
            if (ri == rows.size() - 1)
                sb.append("-".repeat(width[0] + width[1] + width[2] + width[3] + width[4] + width[5] + 10))
                        .append('\n');
            for (int i = 0; i < 6; i++) {
                String cell = i >= 4
                        ? " ".repeat(width[i] - r[i].length()) + r[i]
                        : r[i] + " ".repeat(width[i] - r[i].length());
                sb.append(cell).append(i < 5 ? "  " : "\n");
            }
        }
        return sb.toString();
    }
}
