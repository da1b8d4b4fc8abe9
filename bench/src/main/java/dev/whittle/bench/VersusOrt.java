package dev.whittle.bench;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import dev.whittle.cli.ResultFiles;
import dev.whittle.graph.Graph;
import dev.whittle.io.OnnxExport;
import dev.whittle.measure.SpeedMeter;
import dev.whittle.measure.Stats;
import dev.whittle.measure.Timed;
import dev.whittle.measure.Workload;
import dev.whittle.model.Models;
import dev.whittle.runtime.BackendInfo;
import dev.whittle.runtime.MachineInfo;
import dev.whittle.runtime.Parallel;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Whittle against ONNX Runtime in one process, interleaved, on the same model and weights: the protocol of
 * shared/docs/benchmarking.md ("A and B interleaved, several trials each; a ratio is the ratio of medians") for
 * the ORT targets of issue #4. {@code bench/peers/run.sh} alternates whole processes minutes apart, and on this VM
 * the drift between them (±25 %, 1.5× at times) was as large as the differences being measured.
 *
 * <p>Per model and thread count: the reference model ({@code Models.byName}, {@code initialize(1)}, as {@code
 * whittle bench}) runs on Whittle's vector kernels and, exported by {@link OnnxExport}, on one ORT session (options
 * of {@link OrtLoad#sessionOptions}). Batch-1 latency alternates call by call; batch-64 throughput trial by trial.
 * After each call both runtimes' pools stop spinning ({@link Parallel#rest}, ORT's {@code
 * session.force_spinning_stop}), so neither takes a core from the other's next call; on one thread neither has
 * a pool.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar \
 *     dev.whittle.bench.VersusOrt --models vgg_small,resnet20,lenet5 --threads 1,2 --out bench/results/versus-ort
 * </pre>
 */
@Command(
        name = "VersusOrt",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Whittle and ONNX Runtime interleaved in one process on the reference models; writes"
                + " PREFIX.json and PREFIX.md.")
public final class VersusOrt implements Callable<Integer> {
    @Option(
            names = "--models",
            split = ",",
            defaultValue = "lenet5,vgg_small,resnet20",
            description = "Reference models (default: ${DEFAULT-VALUE}).")
    List<String> models;

    @Mixin
    OrtRunOptions run;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command; known failures print one line naming the problem and return 2. */
    public static int run(String... args) {
        return OrtSpeed.execute(new VersusOrt(), args);
    }

    @Override
    public Integer call() throws OrtException {
        for (String m : models) Models.byName(m); // fail fast on a bad name
        run.check();
        BackendInfo.current();
        SpeedMeter meter = run.timing.meter();
        OrtEnvironment env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "whittle");
        List<Map<String, Object>> results = new ArrayList<>();
        System.out.println(header());
        for (int t : run.threads) {
            for (String m : models) {
                results.add(measure(env, meter, m, t));
                System.out.println(row(results.getLast()));
            }
        }
        Map<String, Object> report = new LinkedHashMap<>();
        String command = "VersusOrt --models " + String.join(",", models) + " --threads "
                + String.join(",", run.threads.stream().map(String::valueOf).toList())
                + run.timing.nonDefaultArgs() + (run.inferBatch == 64 ? "" : " --infer-batch " + run.inferBatch);
        report.put("command", command);
        report.put("date", Instant.now().toString());
        Map<String, Object> machine = MachineInfo.describe(Runtime.getRuntime().availableProcessors());
        machine.remove("threads"); // per row here
        report.put("machine", machine);
        report.put("onnxruntime", env.getVersion());
        report.put("loadAverageAtEnd", ResultFiles.loadAverage());
        report.put("session", OrtLoad.sessionDescription(true));
        report.put("timing", run.timing.asMap());
        report.put("results", results);
        StringBuilder md = new StringBuilder();
        md.append("# Whittle vs ONNX Runtime ").append(env.getVersion()).append(", interleaved in one process: ");
        md.append(LocalDate.now()).append("\n\n");
        md.append(
                String.format(Locale.ROOT, "%s; load average at end %s%n%n", machine, report.get("loadAverageAtEnd")));
        md.append("Command: `").append(command).append("`\n\n");
        md.append("Whittle's vector kernels and ORT run the same model and weights (`Models.byName`, `initialize(1)`;"
                        + " ORT from `OnnxExport`), alternating call by call for batch-1 latency and trial by"
                        + " trial for throughput; after every call both pools stop spinning (`Parallel.rest`,"
                        + " `session.force_spinning_stop`). ")
                .append(OrtLoad.sessionSentence(false))
                .append(' ')
                .append(run.timing.describe())
                .append(" \"Whittle faster\" > 1 means Whittle is faster: ORT latency / Whittle latency, Whittle"
                        + " img/s / ORT img/s.\n\n");
        md.append(header()).append('\n');
        for (Map<String, Object> r : results) md.append(row(r)).append('\n');
        ResultFiles.write(run.out, report, md);
        return 0;
    }

    private Map<String, Object> measure(OrtEnvironment env, SpeedMeter meter, String model, int t) throws OrtException {
        Graph g = Models.byName(model);
        g.initialize(1);
        byte[] onnx = OnnxExport.encode(g);
        Stats[] lat, inf;
        try (Parallel parallel = new Parallel(t);
                SessionOptions so = OrtLoad.sessionOptions(t, true);
                OrtSession s = env.createSession(onnx, so);
                OrtLoad oLat = new OrtLoad(env, s, g.inputShape(), 1, 2);
                OrtLoad oInf = new OrtLoad(env, s, g.inputShape(), run.inferBatch, 3)) {
            Timed wLat = resting(new Workload(g, Workload.Kind.INFERENCE, 1, parallel, 2), parallel);
            Timed wInf = resting(new Workload(g, Workload.Kind.INFERENCE, run.inferBatch, parallel, 3), parallel);
            meter.warmUp(List.of(wLat, oLat, wInf, oInf));
            lat = meter.latency(List.of(wLat, oLat), run.timing.latencyRuns());
            inf = meter.throughput(List.of(wInf, oInf));
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", model);
        r.put("input", g.inputShape().toString());
        r.put("macsPerImage", g.macs());
        r.put("threads", t);
        r.put("latencyMs", Map.of("whittle", lat[0], "ort", lat[1]));
        r.put("inferBatch", run.inferBatch);
        r.put("inferImagesPerSecond", Map.of("whittle", inf[0], "ort", inf[1]));
        r.put("latencyWhittleFaster", lat[1].median() / lat[0].median());
        r.put("inferWhittleFaster", inf[0].median() / inf[1].median());
        return r;
    }

    /** A Whittle workload whose pool stops spinning when each call returns, as ORT's does here. */
    private static Timed resting(Workload w, Parallel parallel) {
        return new Timed() {
            @Override
            public int batch() {
                return w.batch();
            }

            @Override
            public float runOnce() {
                float v = w.runOnce();
                parallel.rest();
                return v;
            }
        };
    }

    private String header() {
        return "| model | threads | b1 p50 ms: Whittle | ORT | Whittle faster | b1 p99 ms: Whittle | ORT | b"
                + run.inferBatch + " img/s: Whittle (min–max) | ORT (min–max) | Whittle faster |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
    }

    @SuppressWarnings("unchecked")
    private static String row(Map<String, Object> r) {
        Map<String, Stats> lat = (Map<String, Stats>) r.get("latencyMs"),
                inf = (Map<String, Stats>) r.get("inferImagesPerSecond");
        Stats wl = lat.get("whittle"), ol = lat.get("ort"), wi = inf.get("whittle"), oi = inf.get("ort");
        return String.format(
                Locale.ROOT,
                "| %s | %d | %.3f | %.3f | %.2fx | %.3f | %.3f | %,.0f (%,.0f–%,.0f) | %,.0f (%,.0f–%,.0f) | %.2fx |",
                r.get("model"),
                (Integer) r.get("threads"),
                wl.median(),
                ol.median(),
                (Double) r.get("latencyWhittleFaster"),
                wl.p99(),
                ol.p99(),
                wi.median(),
                wi.min(),
                wi.max(),
                oi.median(),
                oi.min(),
                oi.max(),
                (Double) r.get("inferWhittleFaster"));
    }
}
