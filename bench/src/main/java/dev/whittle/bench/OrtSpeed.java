package dev.whittle.bench;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import dev.whittle.cli.ResultFiles;
import dev.whittle.graph.Graph;
import dev.whittle.io.ModelFile;
import dev.whittle.io.ModelFileException;
import dev.whittle.io.OnnxExport;
import dev.whittle.io.SavedModel;
import dev.whittle.measure.FmaPeak;
import dev.whittle.measure.SpeedMeter;
import dev.whittle.measure.Stats;
import dev.whittle.model.Models;
import dev.whittle.nn.Shape;
import dev.whittle.prune.Compactor;
import dev.whittle.runtime.MachineInfo;
import dev.whittle.runtime.Parallel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * ONNX Runtime (Java API, CPU execution provider) on this machine, measured the way {@code whittle bench} and
 * {@code whittle speedup} measure Whittle, so that a Whittle-versus-ORT figure is a measurement on one machine
 * and not a number from another one (shared/docs/benchmarking.md).
 *
 * <p>Models mode ({@code --models lenet5,vgg_small,resnet20 --threads 1,2 --out PREFIX}): each reference model is
 * built and initialised as {@code whittle bench} does ({@code Models.byName(name)}, {@code initialize(1)}),
 * exported with {@link OnnxExport} and run by one {@link OrtSession} per model and thread count. Batch-1 latency
 * (p50, p99 over {@code --latency-runs} calls) and batch-64 inference throughput (median, min–max of
 * {@code --trials} trials of {@code --trial-seconds} after {@code --warmup-seconds} of warm-up per workload): the
 * same definitions, options and defaults as {@code whittle bench}, with {@link Stats#of} for the statistics. Writes
 * {@code PREFIX.json} in bench/peers/pytorch_speed.py's schema ({@code machine.onnxruntime} in place of
 * {@code machine.torch}, no training fields) and {@code PREFIX.md}.
 *
 * <p>Pair mode ({@code --dense D.whittle --pruned P.whittle --threads 1,2 --out PREFIX}): both model files, compacted
 * first when they carry channel masks, run by ORT with the dense and pruned workloads interleaved (call by call
 * for latency, trial by trial for throughput) as {@code whittle speedup} does; reports ORT's speedup and speedup
 * efficiency = speedup ÷ MACs reduction ({@link Graph#macs()}).
 *
 * <p>Sessions: graph optimisation ALL_OPT, sequential execution, intra-op threads = the measured thread count,
 * inter-op threads 1. Each workload's input tensor is created once over a direct buffer; each timed call runs the
 * session, copies the logits out (what a caller must do to read them) and closes its result.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar \
 *     dev.whittle.bench.OrtSpeed --models lenet5,vgg_small,resnet20 --threads 1,2 --out bench/results/peers/ort-1
 * </pre>
 */
@Command(
        name = "OrtSpeed",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "ONNX Runtime on this machine, measured as `whittle bench` (models mode) or `whittle speedup` (pair mode)"
                    + " measure Whittle; writes PREFIX.json and PREFIX.md.",
            "Models mode: --models M1,M2 --threads 1,2 --out PREFIX. Pair mode: --dense D.whittle --pruned"
                    + " P.whittle --threads 1,2 --out PREFIX."
        })
public final class OrtSpeed implements Callable<Integer> {
    static final List<String> DEFAULT_MODELS = List.of("lenet5", "vgg_small", "resnet20");

    @Option(
            names = "--models",
            split = ",",
            description = "Models mode: reference models (default when neither --dense nor --pruned is given: "
                    + "lenet5,vgg_small,resnet20).")
    List<String> models;

    @Option(names = "--dense", description = "Pair mode: the dense .whittle model file.")
    Path dense;

    @Option(
            names = "--pruned",
            description =
                    "Pair mode: the pruned .whittle model file (compacted, or with channel masks: compacted here).")
    Path pruned;

    @Mixin
    OrtRunOptions run;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command; known failures print one line naming the problem and return 2. */
    public static int run(String... args) {
        return execute(new OrtSpeed(), args);
    }

    /** Runs a picocli bench command on ORT (this one, {@link VersusOrt}); known failures print one line and return 2. */
    static int execute(Object command, String... args) {
        CommandLine cl = new CommandLine(command);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof ModelFileException) {
                cmd.getErr().println("error: " + ex.getMessage());
                return 2;
            }
            if (ex instanceof OrtLoad.Failure) {
                cmd.getErr().println("error: ONNX Runtime: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() throws OrtException {
        boolean pair = dense != null || pruned != null;
        if (pair && models != null)
            throw new IllegalArgumentException(
                    "--models (models mode) and --dense/--pruned (pair mode) are two modes; give one of them");
        if (pair && (dense == null || pruned == null))
            throw new IllegalArgumentException("pair mode needs both --dense and --pruned, found only "
                    + (dense == null ? "--pruned " + pruned : "--dense " + dense));
        run.check();
        SpeedMeter meter = run.timing.meter();
        OrtEnvironment env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "whittle");
        if (pair) pair(env, meter);
        else models(env, meter, models == null ? DEFAULT_MODELS : models);
        return 0;
    }

    // ---------------------------------------------------------------- models mode

    private void models(OrtEnvironment env, SpeedMeter meter, List<String> names) throws OrtException {
        for (String m : names) Models.byName(m); // fail fast on a bad name
        List<Map<String, Object>> results = new ArrayList<>();
        Map<Integer, Double> peaks = new LinkedHashMap<>();
        String header = modelsHeader();
        System.out.println(header);
        for (int t : run.threads) {
            try (Parallel parallel = new Parallel(t)) {
                peaks.put(t, FmaPeak.measure(parallel, 0.5, 3)); // as `whittle bench`: the "of peak" column's divisor
            }
            System.out.printf(Locale.ROOT, "threads %d: FP32 FMA peak %.1f GFLOP/s%n", t, peaks.get(t));
            for (String m : names) {
                results.add(measureModel(env, meter, m, t));
                System.out.println(modelsRow(results.getLast(), peaks.get(t)));
            }
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put(
                "command",
                "OrtSpeed --models " + String.join(",", names) + " --threads " + joined(run.threads) + timingArgs());
        report.put("date", Instant.now().toString());
        report.put("machine", machine(env));
        report.put("loadAverageAtEnd", ResultFiles.loadAverage());
        report.put("session", OrtLoad.sessionDescription(false));
        report.put("timing", run.timing.asMap());
        report.put("fmaPeakGflops", peaks);
        report.put("results", results);
        StringBuilder md = new StringBuilder();
        md.append("# ONNX Runtime ").append(env.getVersion()).append(" speed: ").append(LocalDate.now());
        md.append("\n\n");
        md.append(String.format(
                Locale.ROOT,
                "Machine: %s, %d cores, %s; load average at end %s%n%n",
                MachineInfo.cpuModel(),
                Runtime.getRuntime().availableProcessors(),
                jdk(),
                report.get("loadAverageAtEnd")));
        md.append("Command: `").append(report.get("command")).append("`\n\n");
        md.append(OrtLoad.sessionSentence(false))
                .append(" Models: `Models.byName(name)`, `initialize(1)` (as `whittle bench`),"
                        + " exported by `OnnxExport`. ")
                .append(run.timing.describe())
                .append("\n\n");
        md.append("FP32 FMA peak (GFLOP/s, measured): ").append(peaks).append("\n\n");
        md.append(header).append('\n');
        for (Map<String, Object> r : results)
            md.append(modelsRow(r, peaks.get((Integer) r.get("threads")))).append('\n');
        ResultFiles.write(run.out, report, md);
    }

    private Map<String, Object> measureModel(OrtEnvironment env, SpeedMeter meter, String model, int t)
            throws OrtException {
        Graph g = Models.byName(model);
        g.initialize(1);
        byte[] onnx = OnnxExport.encode(g);
        Stats latency, infer;
        try (SessionOptions so = OrtLoad.sessionOptions(t, false);
                OrtSession s = env.createSession(onnx, so);
                OrtLoad lat = new OrtLoad(env, s, g.inputShape(), 1, 2);
                OrtLoad inf = new OrtLoad(env, s, g.inputShape(), run.inferBatch, 3)) {
            meter.warmUp(List.of(lat, inf));
            latency = meter.latency(List.of(lat), run.timing.latencyRuns())[0];
            infer = meter.throughput(List.of(inf))[0];
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", model);
        r.put("input", g.inputShape().toString());
        r.put("params", g.parameterCount());
        r.put("macsPerImage", g.macs());
        r.put("threads", t);
        r.put("latencyMs", latency);
        r.put("inferBatch", run.inferBatch);
        r.put("inferImagesPerSecond", infer);
        r.put("inferGflops", 2.0 * g.macs() * infer.median() / 1e9);
        return r;
    }

    private String modelsHeader() {
        return "| model | threads | latency b1 p50 (ms) | p99 (ms) | infer img/s b" + run.inferBatch
                + " (min–max) | GFLOP/s | of peak |\n|---|---:|---:|---:|---:|---:|---:|";
    }

    private static String modelsRow(Map<String, Object> r, double peak) {
        Stats lat = (Stats) r.get("latencyMs"), inf = (Stats) r.get("inferImagesPerSecond");
        double gflops = (Double) r.get("inferGflops");
        return String.format(
                Locale.ROOT,
                "| %s | %d | %.3f | %.3f | %,.0f (%,.0f–%,.0f) | %.1f | %.0f%% |",
                r.get("model"),
                (Integer) r.get("threads"),
                lat.median(),
                lat.p99(),
                inf.median(),
                inf.min(),
                inf.max(),
                gflops,
                100 * gflops / peak);
    }

    // ---------------------------------------------------------------- pair mode

    /** A model file as ORT will run it: compacted when it carried channel masks. */
    record Prepared(Path file, Graph graph, boolean compacted, long maskedParams, long maskedMacs) {}

    static Prepared prepare(Path file, String role) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(role + " " + file + ": no such file");
        SavedModel m = ModelFile.load(file);
        if (!m.weightMasks().isEmpty())
            throw new IllegalArgumentException(file + " carries weight-level masks; ORT would run its dense weights"
                    + " with their zeros, so its MACs reduction is not work ORT skips. Compare structured"
                    + " (filter-pruned) models.");
        Graph g = m.graph(), compact = Compactor.compactIfMasked(m, file);
        return new Prepared(file, compact, compact != g, g.parameterCount(), g.macs());
    }

    private static byte[] export(Prepared p) {
        try {
            return OnnxExport.encode(p.graph());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(p.file() + ": cannot be exported to ONNX: " + e.getMessage(), e);
        }
    }

    private void pair(OrtEnvironment env, SpeedMeter meter) throws OrtException {
        Prepared d = prepare(dense, "--dense"), p = prepare(pruned, "--pruned");
        Graph dg = d.graph(), pg = p.graph();
        if (!dg.inputShape().equals(pg.inputShape()) || dg.classes() != pg.classes())
            throw new IllegalArgumentException(String.format(
                    "%s takes %s and predicts %d classes but %s takes %s and predicts %d: not the same task",
                    dense, dg.inputShape(), dg.classes(), pruned, pg.inputShape(), pg.classes()));
        if (pg.macs() > dg.macs())
            throw new IllegalArgumentException(String.format(
                    "%s has more MACs per image (%,d) than %s (%,d): --dense and --pruned look swapped",
                    pruned, pg.macs(), dense, dg.macs()));
        byte[] dOnnx = export(d), pOnnx = export(p);
        double reduction = (double) dg.macs() / pg.macs();
        StringBuilder md = new StringBuilder();
        md.append("# ONNX Runtime ")
                .append(env.getVersion())
                .append(" speedup: ")
                .append(pruned)
                .append(" vs ")
                .append(dense)
                .append("\n\n");
        md.append(String.format(
                Locale.ROOT,
                "%s, %d cores, %s, %s; load average %s at the start%n%n",
                MachineInfo.cpuModel(),
                Runtime.getRuntime().availableProcessors(),
                jdk(),
                Instant.now(),
                ResultFiles.loadAverage()));
        md.append(String.format(
                Locale.ROOT,
                "| | dense | pruned | |%n|---|---:|---:|---:|%n| params | %,d | %,d | %.2fx fewer |%n"
                        + "| MACs/image | %,d | %,d | %.2fx fewer |%n%n",
                dg.parameterCount(),
                pg.parameterCount(),
                (double) dg.parameterCount() / pg.parameterCount(),
                dg.macs(),
                pg.macs(),
                reduction));
        for (Prepared x : List.of(d, p))
            if (x.compacted())
                md.append(String.format(
                        Locale.ROOT,
                        "%s carries channel masks: compacted here before export (%,d → %,d MACs/image).%n%n",
                        x.file(),
                        x.maskedMacs(),
                        x.graph().macs()));
        md.append(OrtLoad.sessionSentence(true))
                .append(" Dense and pruned run interleaved: call by call for latency, trial by trial for"
                        + " throughput. ")
                .append(run.timing.describe())
                .append("\n\n");
        List<Map<String, Object>> runs = new ArrayList<>();
        for (int t : run.threads) {
            Map<String, Object> run = measurePair(env, meter, dOnnx, pOnnx, dg.inputShape(), t, reduction);
            runs.add(run);
            String table = pairTable(run, reduction);
            System.out.print(table);
            md.append(table).append('\n');
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put(
                "command",
                "OrtSpeed --dense " + dense + " --pruned " + pruned + " --threads " + joined(run.threads)
                        + timingArgs());
        report.put("date", Instant.now().toString());
        report.put("machine", machine(env));
        report.put("loadAverageAtEnd", ResultFiles.loadAverage());
        report.put("session", OrtLoad.sessionDescription(true));
        report.put("timing", run.timing.asMap());
        report.put("dense", fileJson(d));
        report.put("pruned", fileJson(p));
        report.put("macsReduction", reduction);
        report.put("runs", runs);
        ResultFiles.write(run.out, report, md);
    }

    private Map<String, Object> measurePair(
            OrtEnvironment env, SpeedMeter meter, byte[] dOnnx, byte[] pOnnx, Shape in, int t, double reduction)
            throws OrtException {
        Stats[] lat, inf;
        try (SessionOptions so = OrtLoad.sessionOptions(t, true);
                OrtSession ds = env.createSession(dOnnx, so);
                OrtSession ps = env.createSession(pOnnx, so);
                OrtLoad dLat = new OrtLoad(env, ds, in, 1, 1);
                OrtLoad pLat = new OrtLoad(env, ps, in, 1, 1);
                OrtLoad dInf = new OrtLoad(env, ds, in, run.inferBatch, 2);
                OrtLoad pInf = new OrtLoad(env, ps, in, run.inferBatch, 2)) {
            meter.warmUp(List.of(dLat, pLat, dInf, pInf));
            lat = meter.latency(List.of(dLat, pLat), run.timing.latencyRuns());
            inf = meter.throughput(List.of(dInf, pInf));
        }
        double latencySpeedup = lat[0].median() / lat[1].median(), inferSpeedup = inf[1].median() / inf[0].median();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("threads", t);
        m.put("macsReduction", reduction);
        m.put("efficiencyDivisor", "MACs reduction");
        m.put("latencyMs", ordered("dense", lat[0], "pruned", lat[1]));
        m.put("inferImagesPerSecond", ordered("batch", run.inferBatch, "dense", inf[0], "pruned", inf[1]));
        m.put("latencySpeedup", latencySpeedup);
        m.put("inferSpeedup", inferSpeedup);
        m.put("latencyEfficiency", latencySpeedup / reduction);
        m.put("inferEfficiency", inferSpeedup / reduction);
        return m;
    }

    @SuppressWarnings("unchecked")
    private static String pairTable(Map<String, Object> run, double reduction) {
        Map<String, Object> lat = (Map<String, Object>) run.get("latencyMs"),
                inf = (Map<String, Object>) run.get("inferImagesPerSecond");
        Stats dl = (Stats) lat.get("dense"), pl = (Stats) lat.get("pruned");
        Stats di = (Stats) inf.get("dense"), pi = (Stats) inf.get("pruned");
        double ls = (Double) run.get("latencySpeedup"), is = (Double) run.get("inferSpeedup");
        StringBuilder md = new StringBuilder();
        md.append(String.format(
                Locale.ROOT,
                "| ORT measured (%d threads, median, min–max) | dense | pruned | speedup | efficiency |%n"
                        + "|---|---:|---:|---:|---:|%n",
                (Integer) run.get("threads")));
        md.append(String.format(
                Locale.ROOT,
                "| latency b1 p50 (ms) | %.3f | %.3f | %.2fx | %.0f %% |%n",
                dl.median(),
                pl.median(),
                ls,
                100 * ls / reduction));
        md.append(String.format(Locale.ROOT, "| latency b1 p99 (ms) | %.3f | %.3f | | |%n", dl.p99(), pl.p99()));
        md.append(String.format(
                Locale.ROOT,
                "| inference b%d img/s | %,.0f (%,.0f–%,.0f) | %,.0f (%,.0f–%,.0f) | %.2fx | %.0f %% |%n",
                (Integer) inf.get("batch"),
                di.median(),
                di.min(),
                di.max(),
                pi.median(),
                pi.min(),
                pi.max(),
                is,
                100 * is / reduction));
        md.append(String.format(
                Locale.ROOT, "%nMACs reduction %.2fx; efficiency = measured speedup / MACs reduction.%n", reduction));
        return md.toString();
    }

    /** A JSON object whose keys keep the given order (Map.of's order is unspecified). */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        return m;
    }

    private static Map<String, Object> fileJson(Prepared p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", p.file().toString());
        m.put("params", p.graph().parameterCount());
        m.put("macs", p.graph().macs());
        m.put("compactedFromChannelMasks", p.compacted());
        if (p.compacted()) {
            m.put("maskedParams", p.maskedParams());
            m.put("maskedMacs", p.maskedMacs());
        }
        return m;
    }

    // ---------------------------------------------------------------- sessions and timing

    /**
     * ALL_OPT, sequential, intra-op = threads, inter-op 1. With two sessions alive (pair mode) and a thread pool
     * (threads > 1), a session's pool threads stop spinning when its run returns: ORT's workers otherwise spin for
     * ~2^20 polls after each run, and on a 2-core machine the idle session's spinner would take a core from the
     * session being timed.
     */
    /** The timing options when they differ from the defaults (a short smoke run must say so in its record). */
    private String timingArgs() {
        return run.timing.nonDefaultArgs() + (run.inferBatch == 64 ? "" : " --infer-batch " + run.inferBatch);
    }

    private static Map<String, Object> machine(OrtEnvironment env) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu", MachineInfo.cpuModel());
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("onnxruntime", env.getVersion());
        m.put("providers", OrtEnvironment.getAvailableProviders().toString());
        m.put("jdk", jdk());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        return m;
    }

    private static String jdk() {
        return System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version");
    }

    private static String joined(List<Integer> xs) {
        return String.join(",", xs.stream().map(String::valueOf).toList());
    }
}
