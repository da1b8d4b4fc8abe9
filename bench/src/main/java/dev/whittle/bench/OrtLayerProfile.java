package dev.whittle.bench;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.whittle.graph.Graph;
import dev.whittle.io.OnnxExport;
import dev.whittle.model.Models;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * ONNX Runtime's own per-node times for one reference model (its session profiler), to set beside {@link
 * LayerProfile}'s per-layer times of Whittle: which layers ORT runs faster, not just the whole model.
 *
 * <p>Usage ({@code key=value} arguments, all optional):
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.whittle.bench.OrtLayerProfile model=resnet20 batch=64 threads=1 \
 *     warmup=20 iters=60 out=FILE.md
 * </pre>
 * The model is exported by {@link OnnxExport} (weights as {@code Models.byName(model).initialize(1)}) and run on the
 * CPU provider with the session options {@code VersusOrt} uses. Node names are ORT's after its graph optimisation:
 * a conv with its batch norm and ReLU folded in is one node, named after the last node it absorbed (e.g.
 * {@code s1.b1.relu1_nchwc} for conv1 → bn1 → relu1 of block s1.b1). The first {@code warmup} calls' events are
 * dropped; the rest are averaged per node.
 */
public final class OrtLayerProfile {
    private OrtLayerProfile() {}

    public static void main(String[] args) throws OrtException, IOException {
        KeyValueArgs a = new KeyValueArgs(args, "model", "batch", "threads", "warmup", "iters", "out");
        String model = a.get("model", "resnet20"), out = a.get("out", null);
        int batch = a.getInt("batch", 64), threads = a.getInt("threads", 1);
        int warmup = a.getInt("warmup", 20), iters = a.getInt("iters", 60);
        Graph g = Models.byName(model);
        g.initialize(1);
        byte[] onnx = OnnxExport.encode(g);
        Path trace = Files.createTempFile("ort-profile-", "");
        String file;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (SessionOptions so = OrtLoad.sessionOptions(threads, false)) {
            so.enableProfiling(trace.toString());
            try (OrtSession s = env.createSession(onnx, so);
                    OrtLoad load = new OrtLoad(env, s, g.inputShape(), batch, 3)) {
                for (int i = 0; i < warmup + iters; i++) load.runOnce();
                file = s.endProfiling();
            }
        }
        String md = table(model, batch, threads, warmup, iters, perNode(Path.of(file), warmup));
        System.out.print(md);
        if (out != null) Files.writeString(Path.of(out), md);
        Files.deleteIfExists(Path.of(file));
        Files.deleteIfExists(trace);
    }

    /** Mean microseconds per call of each node's kernel, in execution order, skipping each node's first calls. */
    static Map<String, double[]> perNode(Path file, int skip) throws IOException {
        Map<String, double[]> nodes = new LinkedHashMap<>(); // name → {sum of µs counted, calls counted, calls seen}
        Map<String, String> ops = new LinkedHashMap<>();
        JsonNode events = new ObjectMapper().readTree(file.toFile());
        for (JsonNode ev : events) {
            if (!"Node".equals(ev.path("cat").asText())) continue;
            String name = ev.path("name").asText();
            if (!name.endsWith("_kernel_time")) continue;
            name = name.substring(0, name.length() - "_kernel_time".length());
            double[] acc = nodes.computeIfAbsent(name, n -> new double[3]);
            ops.putIfAbsent(name, ev.path("args").path("op_name").asText());
            if (acc[2]++ < skip) continue;
            acc[0] += ev.path("dur").asDouble();
            acc[1]++;
        }
        Map<String, double[]> mean = new LinkedHashMap<>();
        nodes.forEach(
                (n, acc) -> mean.put(n + " (" + ops.get(n) + ")", new double[] {acc[1] == 0 ? 0 : acc[0] / acc[1]}));
        return mean;
    }

    private static String table(
            String model, int batch, int threads, int warmup, int iters, Map<String, double[]> nodes) {
        double total = 0;
        for (double[] v : nodes.values()) total += v[0];
        StringBuilder md = new StringBuilder();
        md.append(String.format(
                Locale.ROOT,
                "ONNX Runtime per-node times: %s, batch %d, %d thread(s), mean of %d calls after %d%n%n",
                model,
                batch,
                threads,
                iters,
                warmup));
        md.append("| ORT node (op) | ms per call | share |\n|---|---:|---:|\n");
        for (Map.Entry<String, double[]> e : nodes.entrySet()) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %.3f | %.1f %% |%n",
                    e.getKey(),
                    e.getValue()[0] / 1000,
                    100 * e.getValue()[0] / total));
        }
        md.append(String.format(
                Locale.ROOT,
                "| **total** | %.3f | |%n%nImages per second (batch / summed node time): %.0f%n",
                total / 1000,
                batch * 1e6 / total));
        return md.toString();
    }
}
