package dev.whittle.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.graph.Graph;
import dev.whittle.nn.Shape;
import org.junit.jupiter.api.Test;

/** Every reference model's parameter count and MACs equal the figures in shared/docs/models.md. */
class ModelsTest {
    private static final Shape CIFAR = new Shape(3, 32, 32);

    private static void assertCounts(Graph g, long params, long macs) {
        assertEquals(params, g.parameterCount(), g.name() + " parameters");
        assertEquals(macs, g.macs(), g.name() + " MACs per image");
    }

    @Test
    void lenet5MatchesTheReferenceTable() {
        assertCounts(Models.lenet5(10), 61_706, 416_520);
    }

    @Test
    void vggSmallAndItsPrunedVariantsMatchTheReferenceTable() {
        assertCounts(Models.byName("vgg_small"), 584_618, 29_424_640);
        assertCounts(Models.vggSmall(new int[] {16, 16, 32, 32, 64, 64}, 10), 222_298, 7_488_256);
        assertCounts(Models.vggSmall(new int[] {8, 8, 16, 16, 32, 32}, 10), 94_706, 1_939_072);
    }

    @Test
    void resnet20AndItsVariantsMatchTheReferenceTableOnCifarShapedInput() {
        assertCounts(Models.resnet20(new int[] {16, 32, 64}, null, CIFAR, 10), 272_474, 40_813_184);
        int[] inner50 = {8, 8, 8, 16, 16, 16, 32, 32, 32};
        assertCounts(Models.resnet20(new int[] {16, 32, 64}, inner50, CIFAR, 10), 138_506, 20_759_168);
        assertCounts(Models.resnet20(new int[] {8, 16, 32}, null, CIFAR, 10), 68_786, 10_314_048);
        assertCounts(Models.resnet20(new int[] {4, 8, 16}, null, CIFAR, 10), 17_534, 2_633_888);
    }

    @Test
    void resnet20OnFashionMnistUsesAOneChannelStem() {
        Graph g = Models.byName("resnet20");
        assertEquals(new Shape(1, 28, 28), g.inputShape());
        assertEquals(10, g.classes());
        assertTrue(
                g.nodes().stream().anyMatch(n -> n.name().equals("s2.b1.down.conv")),
                "option-B shortcut entering stage 2");
        assertTrue(
                g.nodes().stream().noneMatch(n -> n.name().equals("s1.b1.down.conv")), "identity shortcut in stage 1");
    }

    @Test
    void unknownModelNameListsTheValidOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Models.byName("alexnet"));
        assertTrue(e.getMessage().contains("alexnet") && e.getMessage().contains("vgg_small"), e.getMessage());
    }

    @Test
    void layerTableShowsEveryNodeAndTheTotals() {
        String table = LayerTable.render(Models.byName("vgg_small"));
        assertTrue(table.contains("584,618") && table.contains("29,424,640"), table);
        assertTrue(table.contains("conv6") && table.contains("fc2"), table);
    }
}
