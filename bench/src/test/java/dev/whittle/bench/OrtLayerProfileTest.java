package dev.whittle.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ORT's profile trace is read per node: only node kernel events count, each node's first calls are skipped, and
 * nodes keep their execution order and op name.
 */
class OrtLayerProfileTest {
    @Test
    void nodeKernelTimesAreAveragedPerNodeAfterTheSkippedCalls(@TempDir Path dir) throws Exception {
        String trace = "[\n"
                + "{\"cat\" : \"Session\",\"dur\" :2843,\"name\" :\"model_loading_array\",\"args\" : {}},\n"
                + node("conv1_nchwc", "Conv", 900) + ",\n"
                + node("pool1", "MaxPool", 70) + ",\n"
                + "{\"cat\" : \"Node\",\"dur\" :5,\"name\" :\"conv1_nchwc_fence_before\",\"args\" : {}},\n"
                + node("conv1_nchwc", "Conv", 100) + ",\n"
                + node("pool1", "MaxPool", 10) + ",\n"
                + node("conv1_nchwc", "Conv", 300) + ",\n"
                + node("pool1", "MaxPool", 30) + "\n]";
        Path file = dir.resolve("trace.json");
        Files.writeString(file, trace);
        Map<String, double[]> nodes = OrtLayerProfile.perNode(file, 1);
        assertEquals(List.of("conv1_nchwc (Conv)", "pool1 (MaxPool)"), List.copyOf(nodes.keySet()));
        assertArrayEquals(new double[] {200}, nodes.get("conv1_nchwc (Conv)"));
        assertArrayEquals(new double[] {20}, nodes.get("pool1 (MaxPool)"));
    }

    private static String node(String name, String op, int dur) {
        return "{\"cat\" : \"Node\",\"dur\" :" + dur + ",\"name\" :\"" + name
                + "_kernel_time\",\"args\" : {\"op_name\" : \"" + op + "\"}}";
    }
}
