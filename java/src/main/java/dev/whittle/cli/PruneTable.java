package dev.whittle.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Aggregates prune runs into one row per (method, fine-tune epochs): mean ± half the range over seeds for every
 * stage, the gap to the one-shot L1 row with the same fine-tuning budget, and mean measured speedups. Rendering
 * only; reading is {@link PruneRun}, files and options are {@link PruneTableCommand}.
 */
final class PruneTable {
    private PruneTable() {}

    /** The baseline every other method is compared with. */
    static final String L1 = "l1";

    /** Runs of one group may differ in MACs reduction by this much (kept channels round per group) and still be one row. */
    static final double TARGET_TOLERANCE = 0.05;

    static final String LEGEND =
            "Accuracies in % as mean ± spread over the runs, spread = half the range (max − min)/2;"
                    + " a single run (n = 1) shows its value without ±; — = the runs have no such stage. Differences are in"
                    + " percentage points; \"vs one-shot L1\" compares with the final accuracy of the l1 row of the same model,"
                    + " fine-tune epochs and MACs target. Speedups are means of the measured ones (b1 latency, b64 inference,"
                    + " training), with efficiency = speedup / MACs reduction (for weight-level methods, as in their reports,"
                    + " / nonzero-weight MACs reduction).";

    /** Mean over the runs that have the value (NaN = absent); spread = (max − min)/2, NaN below two values. */
    record Stat(double mean, double spread, int n) {
        static Stat of(List<PruneRun> runs, ToDoubleFunction<PruneRun> value) {
            double sum = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            int n = 0;
            for (PruneRun r : runs) {
                double v = value.applyAsDouble(r);
                if (Double.isNaN(v)) continue;
                sum += v;
                min = Math.min(min, v);
                max = Math.max(max, v);
                n++;
            }
            return new Stat(n == 0 ? Double.NaN : sum / n, n < 2 ? Double.NaN : (max - min) / 2, n);
        }
    }

    record Row(
            String method,
            String model,
            int fineTuneEpochs,
            List<PruneRun> runs,
            Stat macsReduction,
            Stat dense,
            Stat afterRegularization,
            Stat removed,
            Stat removedBn,
            Stat finalAccuracy,
            double vsL1,
            Stat latency,
            Stat latencyEfficiency,
            Stat infer,
            Stat inferEfficiency,
            Stat train,
            Stat trainEfficiency) {

        List<Integer> seeds() {
            return runs.stream().map(PruneRun::seed).sorted().toList();
        }

        /** Final minus dense accuracy, in fractions (NaN when either is absent). */
        double finalMinusDense() {
            return finalAccuracy.mean() - dense.mean();
        }
    }

    /**
     * Groups by model, method and fine-tune epochs, checks and sorts: by model, then l1 first and the other methods
     * alphabetically, each by fine-tune epochs.
     */
    static List<Row> rows(List<PruneRun> runs) {
        Map<String, List<PruneRun>> groups = runs.stream()
                .collect(Collectors.groupingBy(
                        r -> r.model() + "\u0000" + r.method() + "\u0000" + r.fineTuneEpochs(),
                        LinkedHashMap::new,
                        Collectors.toList()));
        List<List<PruneRun>> sorted = new ArrayList<>(groups.values());
        sorted.sort(Comparator.comparing((List<PruneRun> g) -> g.get(0).model())
                .thenComparing(g -> !g.get(0).method().equals(L1))
                .thenComparing(g -> g.get(0).method())
                .thenComparingInt(g -> g.get(0).fineTuneEpochs()));
        sorted.forEach(PruneTable::checkComparable);
        List<Row> rows = new ArrayList<>();
        for (List<PruneRun> g : sorted) {
            PruneRun first = g.get(0);
            Stat fin = Stat.of(g, PruneRun::finalAccuracy);
            rows.add(new Row(
                    first.method(),
                    first.model(),
                    first.fineTuneEpochs(),
                    g,
                    Stat.of(g, PruneRun::macsReduction),
                    Stat.of(g, PruneRun::dense),
                    Stat.of(g, PruneRun::afterRegularization),
                    Stat.of(g, PruneRun::removed),
                    Stat.of(g, PruneRun::removedBn),
                    fin,
                    first.method().equals(L1) ? Double.NaN : fin.mean() - l1Final(sorted, first),
                    Stat.of(g, PruneRun::latencySpeedup),
                    Stat.of(g, PruneRun::latencyEfficiency),
                    Stat.of(g, PruneRun::inferSpeedup),
                    Stat.of(g, PruneRun::inferEfficiency),
                    Stat.of(g, PruneRun::trainSpeedup),
                    Stat.of(g, PruneRun::trainEfficiency)));
        }
        return rows;
    }

    /**
     * Mean final accuracy of the l1 group with the run's model, fine-tune epochs and MACs target, NaN when there is
     * none: a gap to L1 at another target (e.g. a weight-level method, whose channels all stay) would not compare
     * methods.
     */
    private static double l1Final(List<List<PruneRun>> groups, PruneRun like) {
        return groups.stream()
                .filter(g -> g.get(0).method().equals(L1)
                        && g.get(0).fineTuneEpochs() == like.fineTuneEpochs()
                        && g.get(0).model().equals(like.model())
                        && sameTarget(g.get(0).macsReduction(), like.macsReduction()))
                .mapToDouble(g -> Stat.of(g, PruneRun::finalAccuracy).mean())
                .findFirst()
                .orElse(Double.NaN);
    }

    /** Averaging runs of different MACs targets would print a number no experiment produced (models never mix: they key the rows). */
    private static void checkComparable(List<PruneRun> g) {
        double min = g.stream().mapToDouble(PruneRun::macsReduction).min().orElseThrow();
        double max = g.stream().mapToDouble(PruneRun::macsReduction).max().orElseThrow();
        if (sameTarget(min, max)) return;
        throw new IllegalArgumentException(String.format(
                "the %s runs with %d fine-tune epochs mix different MACs targets (reductions may differ by"
                        + " at most %.0f %%), so they cannot share a row: %s",
                g.get(0).method(),
                g.get(0).fineTuneEpochs(),
                100 * TARGET_TOLERANCE,
                g.stream()
                        .map(r -> String.format("%s (%s, %.2fx)", r.file(), r.model(), r.macsReduction()))
                        .collect(Collectors.joining(", "))));
    }

    private static boolean sameTarget(double reductionA, double reductionB) {
        return Math.max(reductionA, reductionB) <= Math.min(reductionA, reductionB) * (1 + TARGET_TOLERANCE);
    }

    static String markdown(List<Row> rows) {
        StringBuilder md = new StringBuilder();
        md.append("| method | model | fine-tune epochs | runs (seeds) | MACs reduction | dense | after regularization"
                + " | removed | removed + BN re-estimated | final | final − dense (pt) | vs one-shot L1 (pt)"
                + " | b1 latency | b64 inference | training |\n");
        md.append("|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            md.append(String.format(
                    "| %s | %s | %d | %d (%s) | %.2fx | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    r.method(),
                    r.model(),
                    r.fineTuneEpochs(),
                    r.runs().size(),
                    r.seeds().stream().map(String::valueOf).collect(Collectors.joining(", ")),
                    r.macsReduction().mean(),
                    percent(r.dense().mean()),
                    accuracy(r.afterRegularization()),
                    accuracy(r.removed()),
                    accuracy(r.removedBn()),
                    accuracy(r.finalAccuracy()),
                    points(r.finalMinusDense()),
                    points(r.vsL1()),
                    speedup(r.latency(), r.latencyEfficiency()),
                    speedup(r.infer(), r.inferEfficiency()),
                    speedup(r.train(), r.trainEfficiency())));
        }
        return md.append('\n').append(LEGEND).append('\n').toString();
    }

    /** The same figures for machines: accuracies as fractions, absent values as null (JSON has no NaN). */
    static List<Map<String, Object>> json(List<Row> rows) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("method", r.method());
            m.put("model", r.model());
            m.put("fineTuneEpochs", r.fineTuneEpochs());
            m.put("runs", r.runs().size());
            m.put("seeds", r.seeds());
            m.put("files", r.runs().stream().map(x -> x.file().toString()).toList());
            m.put("macsReduction", orNull(r.macsReduction().mean()));
            m.put("dense", orNull(r.dense().mean()));
            m.put("afterRegularization", stat(r.afterRegularization()));
            m.put("removed", stat(r.removed()));
            m.put("removedBnReestimated", stat(r.removedBn()));
            m.put("final", stat(r.finalAccuracy()));
            m.put("finalMinusDense", orNull(r.finalMinusDense()));
            m.put("vsOneShotL1", orNull(r.vsL1()));
            m.put("latencySpeedup", orNull(r.latency().mean()));
            m.put("latencyEfficiency", orNull(r.latencyEfficiency().mean()));
            m.put("inferSpeedup", orNull(r.infer().mean()));
            m.put("inferEfficiency", orNull(r.inferEfficiency().mean()));
            m.put("trainSpeedup", orNull(r.train().mean()));
            m.put("trainEfficiency", orNull(r.trainEfficiency().mean()));
            out.add(m);
        }
        return out;
    }

    private static Map<String, Object> stat(Stat s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean", orNull(s.mean()));
        m.put("spread", orNull(s.spread()));
        m.put("n", s.n());
        return m;
    }

    private static Double orNull(double v) {
        return Double.isNaN(v) ? null : v;
    }

    private static String accuracy(Stat s) {
        if (s.n() == 0) return "—";
        if (s.n() == 1) return percent(s.mean());
        return String.format("%.2f ± %.2f", 100 * s.mean(), 100 * s.spread());
    }

    private static String percent(double fraction) {
        return Double.isNaN(fraction) ? "—" : String.format("%.2f", 100 * fraction);
    }

    private static String points(double fraction) {
        return Double.isNaN(fraction) ? "—" : String.format("%+.2f", 100 * fraction);
    }

    private static String speedup(Stat speedup, Stat efficiency) {
        if (speedup.n() == 0) return "—";
        if (efficiency.n() == 0) return String.format("%.2fx", speedup.mean());
        return String.format("%.2fx (%.0f %%)", speedup.mean(), 100 * efficiency.mean());
    }
}
