package dev.whittle.prune;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The alive channels of every channel group (true = kept), keyed by group name as model files store them.
 * A group without an entry is fully alive. Construction checks every mask against its group.
 */
public final class ChannelMasks {
    private final List<ChannelGroup> groups;
    private final boolean[][] alive; // by group id; null = all alive

    public ChannelMasks(List<ChannelGroup> groups) {
        this.groups = groups;
        this.alive = new boolean[groups.size()][];
    }

    /** Masks read from a model file (by group name); every name must be a prunable group of matching size. */
    public static ChannelMasks fromNamed(List<ChannelGroup> groups, Map<String, boolean[]> named) {
        ChannelMasks m = new ChannelMasks(groups);
        for (var e : named.entrySet()) {
            ChannelGroup g = groups.stream()
                    .filter(x -> x.name().equals(e.getKey()))
                    .findFirst()
                    .orElseThrow(
                            () -> new IllegalArgumentException("mask for unknown channel group '" + e.getKey() + "'"));
            m.set(g.id(), e.getValue());
        }
        return m;
    }

    public List<ChannelGroup> groups() {
        return groups;
    }

    /** Sets group {@code id}'s mask; at least one channel must stay alive, and only prunable groups may lose any. */
    public void set(int id, boolean[] mask) {
        ChannelGroup g = groups.get(id);
        if (mask.length != g.channels()) {
            throw new IllegalArgumentException("mask for group '" + g.name() + "' expected " + g.channels()
                    + " channels but found " + mask.length);
        }
        int count = 0;
        for (boolean b : mask) if (b) count++;
        if (count == 0)
            throw new IllegalArgumentException(
                    "mask for group '" + g.name() + "' would remove all " + g.channels() + " channels");
        if (count < g.channels() && !g.prunable()) {
            throw new IllegalArgumentException("group '" + g.name() + "' cannot be pruned: " + g.reason());
        }
        alive[id] = count == g.channels() ? null : mask.clone();
    }

    public boolean isAlive(int group, int channel) {
        return alive[group] == null || alive[group][channel];
    }

    public boolean isFull(int group) {
        return alive[group] == null;
    }

    /** Alive channel indices of a group, ascending; all of them when the group is unmasked. */
    public int[] aliveIndices(int group) {
        int n = groups.get(group).channels();
        if (alive[group] == null) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            return all;
        }
        int[] out = new int[n];
        int k = 0;
        for (int i = 0; i < n; i++) if (alive[group][i]) out[k++] = i;
        return Arrays.copyOf(out, k);
    }

    /** The masks of partially alive groups, by group name, for a model file. */
    public Map<String, boolean[]> named() {
        Map<String, boolean[]> out = new LinkedHashMap<>();
        for (ChannelGroup g : groups) if (alive[g.id()] != null) out.put(g.name(), alive[g.id()].clone());
        return out;
    }
}
