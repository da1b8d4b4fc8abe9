package dev.whittle.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns a JMH CSV result file ({@code -rf csv -rff FILE}) into a Markdown table of GFLOP/s per benchmark and
 * parameter set, with each row's fraction of the measured one-thread FMA peak ({@code FmaPeakBenchmark.oneThread}
 * in the same file). Only the {@code :flop} secondary results (see {@link FlopCounter}) are tabulated.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.whittle.bench.FlopTable results.csv > table.md}
 */
public final class FlopTable {
    private FlopTable() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: FlopTable <jmh-results.csv>");
            System.exit(2);
        }
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        List<String> header = parse(lines.get(0));
        int iBench = header.indexOf("Benchmark"),
                iThreads = header.indexOf("Threads"),
                iScore = header.indexOf("Score");
        int iErr = header.indexOf("Score Error (99.9%)"), iCnt = header.indexOf("Samples");
        List<Integer> params = new ArrayList<>();
        for (int i = 0; i < header.size(); i++) if (header.get(i).startsWith("Param: ")) params.add(i);
        double peak = Double.NaN;
        List<List<String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) continue;
            List<String> r = parse(line);
            if (!r.get(iBench).endsWith(":flop")) continue;
            rows.add(r);
            if (r.get(iBench).endsWith("FmaPeakBenchmark.oneThread:flop")) peak = num(r.get(iScore)) / 1e9;
        }
        System.out.println(
                "| benchmark | parameters | threads | samples | GFLOP/s | ± (99.9 %) | % of 1-thread FMA peak |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (List<String> r : rows) {
            StringBuilder p = new StringBuilder();
            for (int i : params) {
                if (!r.get(i).isEmpty())
                    p.append(p.isEmpty() ? "" : ", ")
                            .append(header.get(i).substring(7))
                            .append('=')
                            .append(r.get(i));
            }
            String name = r.get(iBench).replace("dev.whittle.bench.", "").replace(":flop", "");
            double g = num(r.get(iScore)) / 1e9, e = num(r.get(iErr)) / 1e9;
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %s | %s | %s | %.1f | %s | %s |%n",
                    name,
                    p,
                    r.get(iThreads),
                    r.get(iCnt),
                    g,
                    Double.isNaN(e) ? "n/a" : String.format(Locale.ROOT, "%.1f", e),
                    Double.isNaN(peak) ? "n/a" : String.format(Locale.ROOT, "%.0f %%", 100 * g / peak));
        }
        if (!Double.isNaN(peak))
            System.out.printf(Locale.ROOT, "%nMeasured 1-thread FP32 FMA peak: %.1f GFLOP/s.%n", peak);
    }

    private static double num(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException ex) {
            return Double.NaN;
        }
    }

    /** Splits one CSV line with double-quoted fields (JMH's format). */
    static List<String> parse(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cur.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
