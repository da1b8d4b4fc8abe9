package dev.whittle.model;

import dev.whittle.graph.Graph;
import dev.whittle.graph.GraphBuilder;
import dev.whittle.nn.Add;
import dev.whittle.nn.BatchNorm2d;
import dev.whittle.nn.Conv2d;
import dev.whittle.nn.Flatten;
import dev.whittle.nn.GlobalAvgPool;
import dev.whittle.nn.Linear;
import dev.whittle.nn.MaxPool2d;
import dev.whittle.nn.Relu;
import dev.whittle.nn.Shape;
import java.util.Arrays;
import java.util.List;

/** The reference models of shared/docs/models.md, built as graphs. */
public final class Models {
    private Models() {}

    public static final List<String> NAMES = List.of("lenet5", "vgg_small", "resnet20");
    public static final int[] VGG_SMALL_WIDTHS = {32, 32, 64, 64, 128, 128};
    public static final int[] RESNET20_WIDTHS = {16, 32, 64};

    /** By name, with the input a Fashion-MNIST image (1×28×28) and 10 classes. */
    public static Graph byName(String name) {
        return switch (name) {
            case "lenet5" -> lenet5(10);
            case "vgg_small" -> vggSmall(VGG_SMALL_WIDTHS, 10);
            case "resnet20" -> resnet20(RESNET20_WIDTHS, null, new Shape(1, 28, 28), 10);
            default -> throw new IllegalArgumentException("unknown model '" + name + "', expected one of " + NAMES);
        };
    }

    /** LeNet-5 on 1×28×28: conv5 (pad 2) → pool → conv5 → pool → 400 → 120 → 84 → classes. */
    public static Graph lenet5(int classes) {
        GraphBuilder b = new GraphBuilder("lenet5", new Shape(1, 28, 28));
        int x = b.add("conv1", new Conv2d(1, 6, 5, 1, 2, true), Graph.INPUT);
        x = b.add("relu1", new Relu(), x);
        x = b.add("pool1", new MaxPool2d(2, 2, 0), x);
        x = b.add("conv2", new Conv2d(6, 16, 5, 1, 0, true), x);
        x = b.add("relu2", new Relu(), x);
        x = b.add("pool2", new MaxPool2d(2, 2, 0), x);
        x = b.add("flatten", new Flatten(), x);
        x = b.add("fc1", new Linear(400, 120), x);
        x = b.add("relu3", new Relu(), x);
        x = b.add("fc2", new Linear(120, 84), x);
        x = b.add("relu4", new Relu(), x);
        b.add("fc3", new Linear(84, classes), x);
        return b.build();
    }

    /**
     * VGG-small on 1×28×28: six conv3×3 → BN → ReLU blocks with the given widths, a 2×2 max-pool after blocks
     * 2, 4 and 6, then flatten → linear 256 → ReLU → linear classes.
     */
    public static Graph vggSmall(int[] widths, int classes) {
        if (widths.length != 6)
            throw new IllegalArgumentException("vgg_small needs 6 widths, found " + Arrays.toString(widths));
        GraphBuilder b = new GraphBuilder("vgg_small", new Shape(1, 28, 28));
        int x = Graph.INPUT, in = 1, hw = 28;
        for (int i = 0; i < 6; i++) {
            String s = Integer.toString(i + 1);
            x = b.add("conv" + s, new Conv2d(in, widths[i], 3, 1, 1, false), x);
            x = b.add("bn" + s, new BatchNorm2d(widths[i]), x);
            x = b.add("relu" + s, new Relu(), x);
            if (i % 2 == 1) {
                x = b.add("pool" + (i / 2 + 1), new MaxPool2d(2, 2, 0), x);
                hw /= 2;
            }
            in = widths[i];
        }
        x = b.add("flatten", new Flatten(), x);
        x = b.add("fc1", new Linear(in * hw * hw, 256), x);
        x = b.add("relu7", new Relu(), x);
        b.add("fc2", new Linear(256, classes), x);
        return b.build();
    }

    /**
     * CIFAR ResNet-20 (n = 3): stem conv3×3 → BN → ReLU, three stages of three BasicBlocks with the given
     * stage widths (stride 2 entering stages 2 and 3), option-B shortcuts (conv1×1 → BN) where stride or
     * width changes, global average pool, linear.
     *
     * @param inner per-block inner widths (9 entries, the width of each block's first conv), or null for the stage width
     */
    public static Graph resnet20(int[] widths, int[] inner, Shape input, int classes) {
        if (widths.length != 3)
            throw new IllegalArgumentException("resnet20 needs 3 stage widths, found " + Arrays.toString(widths));
        if (inner != null && inner.length != 9)
            throw new IllegalArgumentException("resnet20 needs 9 inner widths, found " + Arrays.toString(inner));
        GraphBuilder b = new GraphBuilder("resnet20", input);
        int x = b.add("stem.conv", new Conv2d(input.c(), widths[0], 3, 1, 1, false), Graph.INPUT);
        x = b.add("stem.bn", new BatchNorm2d(widths[0]), x);
        x = b.add("stem.relu", new Relu(), x);
        int in = widths[0];
        for (int stage = 0; stage < 3; stage++) {
            for (int blk = 0; blk < 3; blk++) {
                int out = widths[stage];
                int stride = stage > 0 && blk == 0 ? 2 : 1;
                int mid = inner == null ? out : inner[stage * 3 + blk];
                String p = "s" + (stage + 1) + ".b" + (blk + 1) + ".";
                int y = b.add(p + "conv1", new Conv2d(in, mid, 3, stride, 1, false), x);
                y = b.add(p + "bn1", new BatchNorm2d(mid), y);
                y = b.add(p + "relu1", new Relu(), y);
                y = b.add(p + "conv2", new Conv2d(mid, out, 3, 1, 1, false), y);
                y = b.add(p + "bn2", new BatchNorm2d(out), y);
                int shortcut = x;
                if (stride != 1 || in != out) {
                    shortcut = b.add(p + "down.conv", new Conv2d(in, out, 1, stride, 0, false), x);
                    shortcut = b.add(p + "down.bn", new BatchNorm2d(out), shortcut);
                }
                y = b.add(p + "add", new Add(), y, shortcut);
                x = b.add(p + "relu2", new Relu(), y);
                in = out;
            }
        }
        x = b.add("gap", new GlobalAvgPool(), x);
        b.add("fc", new Linear(in, classes), x);
        return b.build();
    }
}
