package dev.whittle.io;

import dev.whittle.graph.Graph;
import dev.whittle.graph.Node;
import dev.whittle.nn.Add;
import dev.whittle.nn.AvgPool2d;
import dev.whittle.nn.BatchNorm2d;
import dev.whittle.nn.Conv2d;
import dev.whittle.nn.Flatten;
import dev.whittle.nn.GlobalAvgPool;
import dev.whittle.nn.Layer;
import dev.whittle.nn.Linear;
import dev.whittle.nn.MaxPool2d;
import dev.whittle.nn.Param;
import dev.whittle.nn.Pool2d;
import dev.whittle.nn.Relu;
import dev.whittle.nn.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a model graph as an ONNX model (opset 13, float32, NCHW, batch dimension "N"), for ONNX Runtime and the
 * other ONNX tools a deployment pipeline already has. Each Whittle op maps to one ONNX op: conv2d → Conv,
 * batchnorm2d → BatchNormalization (running statistics, ε = {@link BatchNorm2d#EPS}; runtimes fold it into the
 * conv), relu → Relu, maxpool2d → MaxPool, avgpool2d → AveragePool (count_include_pad = 0, as the reference
 * divides by the real pixels), globalavgpool → GlobalAveragePool, flatten → Flatten, linear → Gemm (transB = 1:
 * Whittle stores (out, in)), add → Add. A linear layer reading a 4-D tensor (after a global average pool) gets a
 * Flatten in front, because Gemm takes matrices.
 *
 * <p>Masked layers are refused: a masked model is exported after {@code Compactor.compact}, so the ONNX file
 * carries only the kept filters and a runtime does no dead work. Weight-level sparsity is exported as the dense
 * weights with their zeros.
 */
public final class OnnxExport {
    /** The operator set the file declares; every op used here has had its current form since opset 13. */
    public static final int OPSET = 13;

    private static final int IR_VERSION = 7; // the IR version that goes with opset 13
    private static final int FLOAT = 1; // TensorProto.DataType.FLOAT
    private static final int ATTR_FLOAT = 1, ATTR_INT = 2, ATTR_INTS = 7; // AttributeProto.AttributeType

    private OnnxExport() {}

    /** Writes {@link #encode} to a file. */
    public static void save(Graph graph, Path file) {
        write(encode(graph), file);
    }

    /** Writes encoded ONNX bytes, naming the file in the error. */
    public static void write(byte[] onnx, Path file) {
        try {
            Files.write(file, onnx);
        } catch (IOException e) {
            String why = e instanceof java.nio.file.NoSuchFileException
                    ? "its directory " + file.toAbsolutePath().getParent() + " does not exist"
                    : e.toString();
            throw new UncheckedIOException("cannot write " + file + ": " + why, e);
        }
    }

    /** The ONNX ModelProto bytes of this graph with its current parameter values. */
    public static byte[] encode(Graph graph) {
        ProtoWriter g = new ProtoWriter().string(2, graph.name());
        List<Node> nodes = graph.nodes();
        String[] names = new String[nodes.size()];
        boolean[] matrix = new boolean[nodes.size()]; // output is (N, features) rather than (N, C, H, W)
        List<ProtoWriter> initializers = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            names[i] = node.name();
            String[] in = new String[node.inputs().length];
            boolean inMatrix = false;
            for (int j = 0; j < in.length; j++) {
                int src = node.inputs()[j];
                in[j] = src == Graph.INPUT ? "input" : names[src];
                inMatrix |= src != Graph.INPUT && matrix[src];
            }
            Layer layer = node.layer();
            String out = node.name();
            switch (layer) {
                case Conv2d c -> {
                    refuseMasked(node, c.masked());
                    int k = c.kernel, s = c.stride, p = c.pad;
                    List<String> inputs = new ArrayList<>(List.of(in[0], out + ".weight"));
                    initializers.add(tensor(out + ".weight", c.weight, c.outChannels, c.inChannels / c.groups, k, k));
                    if (c.bias != null) {
                        inputs.add(out + ".bias");
                        initializers.add(tensor(out + ".bias", c.bias, c.outChannels));
                    }
                    g.message(
                            1,
                            node("Conv", out, inputs, out)
                                    .message(5, ints("kernel_shape", k, k))
                                    .message(5, ints("strides", s, s))
                                    .message(5, ints("pads", p, p, p, p))
                                    .message(5, integer("group", c.groups)));
                }
                case BatchNorm2d b -> {
                    for (Param q : List.of(b.gamma, b.beta, b.runningMean, b.runningVar))
                        initializers.add(tensor(out + "." + q.name(), q, b.channels));
                    g.message(
                            1,
                            node(
                                            "BatchNormalization",
                                            out,
                                            List.of(
                                                    in[0],
                                                    out + "." + b.gamma.name(),
                                                    out + "." + b.beta.name(),
                                                    out + "." + b.runningMean.name(),
                                                    out + "." + b.runningVar.name()),
                                            out)
                                    .message(5, real("epsilon", BatchNorm2d.EPS)));
                }
                case Relu r -> {
                    g.message(1, node("Relu", out, List.of(in[0]), out));
                    matrix[i] = inMatrix;
                }
                case Pool2d pool -> {
                    int k = pool.kernel, s = pool.stride, p = pool.pad;
                    ProtoWriter n = node(
                                    pool instanceof MaxPool2d ? "MaxPool" : "AveragePool", out, List.of(in[0]), out)
                            .message(5, ints("kernel_shape", k, k))
                            .message(5, ints("strides", s, s))
                            .message(5, ints("pads", p, p, p, p));
                    if (pool instanceof AvgPool2d) n.message(5, integer("count_include_pad", 0));
                    g.message(1, n);
                }
                case GlobalAvgPool gap -> g.message(1, node("GlobalAveragePool", out, List.of(in[0]), out));
                case Flatten f -> {
                    g.message(1, node("Flatten", out, List.of(in[0]), out).message(5, integer("axis", 1)));
                    matrix[i] = true;
                }
                case Linear l -> {
                    refuseMasked(node, l.masked());
                    String a = in[0];
                    if (!inMatrix) {
                        a = out + ".flat";
                        g.message(1, node("Flatten", a, List.of(in[0]), a).message(5, integer("axis", 1)));
                    }
                    initializers.add(tensor(out + ".weight", l.weight, l.out, l.in));
                    initializers.add(tensor(out + ".bias", l.bias, l.out));
                    g.message(
                            1,
                            node("Gemm", out, List.of(a, out + ".weight", out + ".bias"), out)
                                    .message(5, integer("transB", 1)));
                    matrix[i] = true;
                }
                case Add add -> {
                    g.message(1, node("Add", out, List.of(in), out));
                    matrix[i] = inMatrix;
                }
                default ->
                    throw new IllegalArgumentException("node " + node.name() + ": op " + layer.op()
                            + " has no ONNX mapping (expected conv2d, batchnorm2d, relu, maxpool2d, avgpool2d,"
                            + " globalavgpool, flatten, linear or add)");
            }
        }
        for (ProtoWriter t : initializers) g.message(5, t);
        Shape x = graph.inputShape();
        g.message(11, valueInfo("input", x.c(), x.h(), x.w()));
        int last = nodes.size() - 1;
        Shape y = nodes.get(last).outShape();
        g.message(12, matrix[last] ? valueInfo(names[last], y.size()) : valueInfo(names[last], y.c(), y.h(), y.w()));
        return new ProtoWriter()
                .varint(1, IR_VERSION)
                .string(2, "whittle")
                .string(
                        3,
                        OnnxExport.class.getPackage().getImplementationVersion() == null
                                ? "dev"
                                : OnnxExport.class.getPackage().getImplementationVersion())
                .message(7, g)
                .message(8, new ProtoWriter().string(1, "").varint(2, OPSET))
                .toByteArray();
    }

    private static void refuseMasked(Node node, boolean masked) {
        if (masked)
            throw new IllegalArgumentException("node " + node.name()
                    + " has channel masks: compact the model first (`whittle compact`), so that the ONNX file holds"
                    + " only the kept filters");
    }

    private static ProtoWriter node(String op, String name, List<String> inputs, String output) {
        ProtoWriter n = new ProtoWriter();
        for (String s : inputs) n.string(1, s);
        return n.string(2, output).string(3, name).string(4, op);
    }

    private static ProtoWriter ints(String name, long... values) {
        return new ProtoWriter().string(1, name).varints(8, values).varint(20, ATTR_INTS);
    }

    private static ProtoWriter integer(String name, long value) {
        return new ProtoWriter().string(1, name).varint(3, value).varint(20, ATTR_INT);
    }

    private static ProtoWriter real(String name, float value) {
        return new ProtoWriter().string(1, name).float32(2, value).varint(20, ATTR_FLOAT);
    }

    /** A float32 initializer of the given dims (their product must be the parameter's size). */
    private static ProtoWriter tensor(String name, Param p, int... dims) {
        long size = 1;
        for (int d : dims) size *= d;
        if (size != p.size())
            throw new IllegalStateException(name + ": expected " + size + " values for dims "
                    + java.util.Arrays.toString(dims) + " but found " + p.size());
        ByteBuffer raw = ByteBuffer.allocate(4 * p.size()).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(p.value(), 0, p.size());
        ProtoWriter t = new ProtoWriter();
        for (int d : dims) t.varint(1, d);
        return t.varint(2, FLOAT).string(8, name).bytes(9, raw.array());
    }

    /** A float32 tensor value of shape (N, dims...), N symbolic. */
    private static ProtoWriter valueInfo(String name, int... dims) {
        ProtoWriter shape = new ProtoWriter().message(1, new ProtoWriter().string(2, "N"));
        for (int d : dims) shape.message(1, new ProtoWriter().varint(1, d));
        ProtoWriter tensorType = new ProtoWriter().varint(1, FLOAT).message(2, shape);
        return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
    }
}
