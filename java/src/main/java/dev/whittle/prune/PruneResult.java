package dev.whittle.prune;

import java.util.Map;

/**
 * A method's outcome: channel masks (structured) and/or per-parameter weight masks (weight-level: parameter
 * qualified name → keep flags over its elements).
 */
public record PruneResult(ChannelMasks channels, Map<String, boolean[]> weights) {
    public PruneResult {
        weights = Map.copyOf(weights);
    }

    public static PruneResult structured(ChannelMasks channels) {
        return new PruneResult(channels, Map.of());
    }
}
