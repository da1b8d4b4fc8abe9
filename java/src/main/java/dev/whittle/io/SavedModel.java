package dev.whittle.io;

import dev.whittle.graph.Graph;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a model file holds: the graph with its parameter values, channel masks by group name (alive = true;
 * empty for a dense model), free-form JSON metadata (how it was trained, its accuracy), and weight-level masks
 * by parameter qualified name (kept = true; empty unless fine-grained pruning produced them). A model with
 * weight masks is stored in file version 2 (bitmap + kept values); without, in version 1.
 */
public record SavedModel(
        Graph graph, Map<String, boolean[]> masks, String metadataJson, Map<String, boolean[]> weightMasks) {
    public SavedModel {
        masks = Map.copyOf(masks);
        if (metadataJson == null) metadataJson = "{}";
        weightMasks = weightMasks == null
                ? Map.of()
                : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(weightMasks));
    }

    public SavedModel(Graph graph, Map<String, boolean[]> masks, String metadataJson) {
        this(graph, masks, metadataJson, Map.of());
    }

    public static SavedModel dense(Graph graph, String metadataJson) {
        return new SavedModel(graph, Map.of(), metadataJson);
    }
}
