package dev.whittle.graph;

import dev.whittle.nn.Layer;
import dev.whittle.nn.Shape;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Builds a {@link Graph} node by node, inferring and checking shapes as it goes. */
public final class GraphBuilder {
    private final String name;
    private final Shape inputShape;
    private final List<Node> nodes = new ArrayList<>();
    private final Set<String> names = new HashSet<>();

    public GraphBuilder(String name, Shape inputShape) {
        this.name = name;
        this.inputShape = inputShape;
    }

    /** Adds a node and returns its index, to be used as another node's input. */
    public int add(String nodeName, Layer layer, int... inputs) {
        if (!names.add(nodeName)) throw new IllegalArgumentException("duplicate node name '" + nodeName + "'");
        if (inputs.length == 0) throw new IllegalArgumentException("node '" + nodeName + "' has no inputs");
        Shape[] in = new Shape[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            int src = inputs[i];
            if (src != Graph.INPUT && (src < 0 || src >= nodes.size())) {
                throw new IllegalArgumentException("node '" + nodeName + "' input " + i + " refers to node " + src
                        + " but only nodes 0.." + (nodes.size() - 1) + " exist before it");
            }
            in[i] = src == Graph.INPUT ? inputShape : nodes.get(src).outShape();
        }
        Shape out;
        try {
            out = layer.outputShape(in);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("node '" + nodeName + "': " + e.getMessage(), e);
        }
        nodes.add(new Node(nodeName, layer, inputs.clone(), in, out));
        return nodes.size() - 1;
    }

    public int size() {
        return nodes.size();
    }

    public Graph build() {
        return new Graph(name, inputShape, nodes);
    }
}
