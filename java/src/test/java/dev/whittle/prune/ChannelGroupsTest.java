package dev.whittle.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.graph.Graph;
import dev.whittle.model.Models;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Groups come from the graph's edges: BN, next conv, flatten blocks and residual sums couple as §6b–6c say. */
class ChannelGroupsTest {
    private static ChannelGroup byName(List<ChannelGroup> groups, String name) {
        return groups.stream()
                .filter(g -> g.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no group " + name + " in " + groups));
    }

    private static List<String> names(Graph g, List<Integer> nodes) {
        return nodes.stream().map(i -> g.nodes().get(i).name()).collect(Collectors.toList());
    }

    @Test
    void vggLastConvOwnsNineFlattenedColumnsOfFc1() {
        Graph g = Models.byName("vgg_small");
        List<ChannelGroup> groups = ChannelGroups.derive(g);
        ChannelGroup conv6 = byName(groups, "conv6");
        assertEquals(128, conv6.channels());
        assertEquals(List.of("bn6"), names(g, conv6.norms()));
        assertEquals(1, conv6.consumers().size());
        assertEquals("fc1", g.nodes().get(conv6.consumers().getFirst().node()).name());
        assertEquals(9, conv6.consumers().getFirst().block());
        assertTrue(conv6.prunable());
        assertEquals(
                List.of("conv2"),
                names(
                        g,
                        byName(groups, "conv1").consumers().stream()
                                .map(ChannelGroup.Consumer::node)
                                .toList()));
    }

    @Test
    void classifierOutputAndGraphInputAreNeverPrunableAndSayWhy() {
        List<ChannelGroup> groups = ChannelGroups.derive(Models.lenet5(10));
        ChannelGroup fc3 = byName(groups, "fc3"), input = byName(groups, "input");
        assertFalse(fc3.prunable());
        assertTrue(fc3.reason().contains("classifier"), fc3.reason());
        assertFalse(input.prunable());
        assertTrue(byName(groups, "fc1").prunable() && byName(groups, "conv2").prunable());
        assertEquals(25, byName(groups, "conv2").consumers().getFirst().block());
    }

    @Test
    void everyConvWritingIntoOneResidualSumSharesOneGroup() {
        Graph g = Models.byName("resnet20");
        List<ChannelGroup> groups = ChannelGroups.derive(g);
        assertEquals(14, groups.size(), "input, 3 stage streams, 9 inner widths, classifier");
        ChannelGroup stage2 = byName(groups, "s2.b1.conv2+3");
        assertEquals(
                List.of("s2.b1.conv2", "s2.b1.down.conv", "s2.b2.conv2", "s2.b3.conv2"), names(g, stage2.producers()));
        assertEquals(List.of("s2.b1.bn2", "s2.b1.down.bn", "s2.b2.bn2", "s2.b3.bn2"), names(g, stage2.norms()));
        assertEquals(
                List.of("s2.b2.conv1", "s2.b3.conv1", "s3.b1.conv1", "s3.b1.down.conv"),
                names(
                        g,
                        stage2.consumers().stream()
                                .map(ChannelGroup.Consumer::node)
                                .toList()));
        ChannelGroup stage3 = byName(groups, "s3.b1.conv2+3");
        assertEquals(
                "fc",
                g.nodes().get(stage3.consumers().getLast().node()).name(),
                "classifier reads the last stream after pooling");
        assertEquals(1, stage3.consumers().getLast().block());
        assertEquals(
                List.of("s1.b1.conv2"),
                names(
                        g,
                        byName(groups, "s1.b1.conv1").consumers().stream()
                                .map(ChannelGroup.Consumer::node)
                                .toList()));
    }

    @Test
    void masksRejectWrongSizesEmptyGroupsAndUnprunableGroups() {
        List<ChannelGroup> groups = ChannelGroups.derive(Models.lenet5(10));
        ChannelMasks m = new ChannelMasks(groups);
        int conv1 = byName(groups, "conv1").id(), fc3 = byName(groups, "fc3").id();
        var size = assertThrows(IllegalArgumentException.class, () -> m.set(conv1, new boolean[5]));
        assertTrue(
                size.getMessage().contains("expected 6") && size.getMessage().contains("found 5"), size.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.set(conv1, new boolean[6]));
        boolean[] some = new boolean[10];
        some[0] = true;
        var unprunable = assertThrows(IllegalArgumentException.class, () -> m.set(fc3, some));
        assertTrue(unprunable.getMessage().contains("classifier"), unprunable.getMessage());
    }
}
