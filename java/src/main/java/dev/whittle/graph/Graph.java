package dev.whittle.graph;

import dev.whittle.nn.Param;
import dev.whittle.nn.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A model as an explicit graph of layers in topological order; the last node is the output (logits).
 * Pruning derives channel dependencies from these edges, model files serialise them, and the executor runs
 * them, so no model is ad-hoc code.
 */
public final class Graph {
    /** Pseudo node index meaning "the graph input". */
    public static final int INPUT = -1;

    private final String name;
    private final Shape inputShape;
    private final List<Node> nodes;

    Graph(String name, Shape inputShape, List<Node> nodes) {
        if (nodes.isEmpty()) throw new IllegalArgumentException("graph '" + name + "' has no nodes");
        this.name = name;
        this.inputShape = inputShape;
        this.nodes = Collections.unmodifiableList(new ArrayList<>(nodes));
    }

    public String name() {
        return name;
    }

    public Shape inputShape() {
        return inputShape;
    }

    public List<Node> nodes() {
        return nodes;
    }

    public Shape outputShape() {
        return nodes.getLast().outShape();
    }

    public int classes() {
        return outputShape().size();
    }

    /** Every parameter and buffer, qualified as "node.param", in node order. */
    public List<NamedParam> namedParams() {
        List<NamedParam> out = new ArrayList<>();
        for (Node n : nodes) for (Param p : n.layer().params()) out.add(new NamedParam(n.name() + "." + p.name(), p));
        return out;
    }

    public List<Param> trainableParams() {
        List<Param> out = new ArrayList<>();
        for (NamedParam np : namedParams()) if (np.param().trainable()) out.add(np.param());
        return out;
    }

    /** Trainable parameter count (BN running statistics excluded, as in the reference tables). */
    public long parameterCount() {
        long n = 0;
        for (Param p : trainableParams()) n += p.size();
        return n;
    }

    /** Multiply-adds per image of conv and linear layers. */
    public long macs() {
        long m = 0;
        for (Node n : nodes) m += n.layer().macs(n.inShapes());
        return m;
    }

    /** Deterministic initialisation: node i draws from its own stream of the seed, so adding a node elsewhere does not shift it. */
    public void initialize(long seed) {
        SplittableRandom root = new SplittableRandom(seed);
        for (Node n : nodes) n.layer().initialize(root.split());
    }

    public record NamedParam(String name, Param param) {}
}
