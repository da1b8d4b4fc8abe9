package dev.whittle.nn;

import java.util.Map;

/** Rebuilds a layer from its op name and attributes, as stored in a model file. */
public final class LayerFactory {
    private LayerFactory() {}

    public static Layer create(String op, Map<String, Integer> a) {
        return switch (op) {
            case "conv2d" ->
                new Conv2d(
                        req(op, a, "in"),
                        req(op, a, "out"),
                        req(op, a, "kernel"),
                        req(op, a, "stride"),
                        req(op, a, "pad"),
                        req(op, a, "bias") != 0,
                        req(op, a, "groups"));
            case "batchnorm2d" -> new BatchNorm2d(req(op, a, "channels"));
            case "relu" -> new Relu();
            case "maxpool2d" -> new MaxPool2d(req(op, a, "kernel"), req(op, a, "stride"), req(op, a, "pad"));
            case "avgpool2d" -> new AvgPool2d(req(op, a, "kernel"), req(op, a, "stride"), req(op, a, "pad"));
            case "globalavgpool" -> new GlobalAvgPool();
            case "flatten" -> new Flatten();
            case "linear" -> new Linear(req(op, a, "in"), req(op, a, "out"));
            case "add" -> new Add();
            default -> throw new IllegalArgumentException("unknown op '" + op + "'");
        };
    }

    /**
     * How many float values (parameters and buffers) the layer would own, computed from its attributes without
     * allocating, so a file loader can reject absurd sizes before building anything.
     *
     * @throws IllegalArgumentException naming a missing or non-positive attribute
     */
    public static long valueCount(String op, Map<String, Integer> a) {
        {
            return switch (op) {
                case "conv2d" -> {
                    long in = pos(op, a, "in"),
                            out = pos(op, a, "out"),
                            k = pos(op, a, "kernel"),
                            g = pos(op, a, "groups");
                    yield out * (in / g) * k * k + (req(op, a, "bias") != 0 ? out : 0);
                }
                case "batchnorm2d" -> 4L * pos(op, a, "channels");
                case "linear" -> (pos(op, a, "in") + 1L) * pos(op, a, "out");
                default -> 0;
            };
        }
    }

    private static long pos(String op, Map<String, Integer> a, String key) {
        int v = req(op, a, key);
        if (v <= 0) throw new IllegalArgumentException(op + ": attribute '" + key + "' must be positive, found " + v);
        return v;
    }

    private static int req(String op, Map<String, Integer> a, String key) {
        Integer v = a.get(key);
        if (v == null) throw new IllegalArgumentException(op + ": missing attribute '" + key + "'");
        return v;
    }
}
