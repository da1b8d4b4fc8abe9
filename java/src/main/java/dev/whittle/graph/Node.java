package dev.whittle.graph;

import dev.whittle.nn.Layer;
import dev.whittle.nn.Shape;

/**
 * One node of a model graph: a named layer reading the outputs of earlier nodes.
 *
 * @param inputs indices of the producing nodes; {@link Graph#INPUT} is the graph's input
 * @param inShapes per-sample shapes of those inputs; outShape the node's output
 */
public record Node(String name, Layer layer, int[] inputs, Shape[] inShapes, Shape outShape) {}
