package dev.whittle.prune;

import dev.whittle.graph.Graph;
import dev.whittle.nn.BatchNorm2d;
import dev.whittle.nn.Conv2d;
import dev.whittle.nn.Layer;
import dev.whittle.nn.Linear;
import java.util.Arrays;

/**
 * Makes a masked channel's output exactly zero in the dense model: zero its filters and biases and its
 * batch norm's γ and β (pruning-methods.md §6d — otherwise BN emits act(β) and "skipped" differs from "zero").
 * With that, skipping the channel, zeroing it and removing it compute the same numbers. Run after every
 * optimizer step during masked training, since momentum and weight decay would revive the weights.
 */
public final class MaskZeroing {
    private MaskZeroing() {}

    public static void apply(Graph g, ChannelMasks masks) {
        for (ChannelGroup grp : masks.groups()) {
            if (masks.isFull(grp.id())) continue;
            for (int c = 0; c < grp.channels(); c++) {
                if (masks.isAlive(grp.id(), c)) continue;
                for (int p : grp.producers()) zeroProducer(g.nodes().get(p).layer(), c);
                for (int n : grp.norms()) {
                    BatchNorm2d bn = (BatchNorm2d) g.nodes().get(n).layer();
                    bn.gamma.value()[c] = 0f;
                    bn.beta.value()[c] = 0f;
                }
            }
        }
    }

    private static void zeroProducer(Layer l, int c) {
        if (l instanceof Conv2d conv) {
            int per = conv.weight.size() / conv.outChannels;
            Arrays.fill(conv.weight.value(), c * per, (c + 1) * per, 0f);
            if (conv.bias != null) conv.bias.value()[c] = 0f;
        } else if (l instanceof Linear lin) {
            Arrays.fill(lin.weight.value(), c * lin.in, (c + 1) * lin.in, 0f);
            lin.bias.value()[c] = 0f;
        }
    }
}
