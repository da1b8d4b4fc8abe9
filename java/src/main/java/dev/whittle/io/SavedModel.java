package dev.whittle.io;

import dev.whittle.graph.Graph;
import java.util.Map;

/**
 * What a model file holds: the graph with its parameter values, channel masks by group name (alive = true;
 * empty for a dense model) and free-form JSON metadata (how it was trained, its accuracy).
 */
public record SavedModel(Graph graph, Map<String, boolean[]> masks, String metadataJson) {
    public SavedModel {
        masks = Map.copyOf(masks);
        if (metadataJson == null) metadataJson = "{}";
    }

    public static SavedModel dense(Graph graph, String metadataJson) {
        return new SavedModel(graph, Map.of(), metadataJson);
    }
}
