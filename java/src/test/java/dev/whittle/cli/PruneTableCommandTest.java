package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `prune-table` over synthetic prune reports: the aggregated numbers, grouping, formatting and input errors. */
class PruneTableCommandTest {
    private static final double EPS = 1e-9;

    @TempDir
    Path dir;

    /** Writes a minimal prune report; {@code seed} null leaves {@code --seed} out of the command (default 42). */
    private Path report(
            String name,
            String model,
            String method,
            Integer seed,
            double macs,
            double regAcc,
            double finalAcc,
            int fineTune,
            double latency)
            throws IOException {
        List<Map<String, Object>> stages = new ArrayList<>();
        stages.add(stage("dense", 0.93));
        if (!Double.isNaN(regAcc)) stages.add(stage("after regularization (dense weights)", regAcc));
        stages.add(stage("removed", 0.30));
        stages.add(stage("removed + BN re-estimated", 0.60));
        for (int e = 1; e <= fineTune; e++) stages.add(stage("fine-tune epoch " + e, e == fineTune ? finalAcc : 0.5));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put(
                "command",
                "whittle prune --model " + model + " --method " + method + " --epochs " + fineTune
                        + (seed == null ? "" : " --seed " + seed));
        r.put("model", model);
        r.put("method", method);
        r.put("macsReduction", macs);
        r.put("stages", stages);
        r.put(
                "speed",
                Map.of(
                        "latencySpeedup",
                        latency,
                        "latencyEfficiency",
                        latency / macs,
                        "inferSpeedup",
                        2.0,
                        "inferEfficiency",
                        0.5,
                        "trainSpeedup",
                        1.5,
                        "trainEfficiency",
                        0.375));
        Path f = dir.resolve(name + ".json");
        Files.writeString(f, TrainingRun.JSON.writeValueAsString(r));
        return f;
    }

    private static Map<String, Object> stage(String name, double acc) {
        return Map.of("name", name, "testAccuracy", acc);
    }

    private Path greg1(int seed, double finalAcc, double latency) throws IOException {
        return report("greg1-s" + seed, "vgg_small", "greg1", seed, 4.0, 0.90, finalAcc, 5, latency);
    }

    private Path l1(String name, double finalAcc, int fineTune) throws IOException {
        return report(name, "vgg_small", "l1", null, 4.0, Double.NaN, finalAcc, fineTune, 2.0);
    }

    private static List<PruneTable.Row> rows(Path... files) {
        return PruneTable.rows(List.of(files).stream().map(PruneRun::read).toList());
    }

    @Test
    void threeSeedsGiveTheMeanAndHalfTheRangeOfEveryStage() throws IOException {
        List<PruneTable.Row> rows = rows(greg1(1, 0.90, 2.0), greg1(2, 0.92, 2.2), greg1(3, 0.93, 2.4));
        assertEquals(1, rows.size());
        PruneTable.Row r = rows.get(0);
        assertEquals(List.of(1, 2, 3), r.seeds());
        assertEquals(0.91666666666, r.finalAccuracy().mean(), 1e-9);
        assertEquals(0.015, r.finalAccuracy().spread(), EPS);
        assertEquals(0.0, r.afterRegularization().spread(), EPS);
        assertEquals(0.91666666666 - 0.93, r.finalMinusDense(), 1e-9);
        assertEquals(2.2, r.latency().mean(), EPS);
        assertEquals(0.55, r.latencyEfficiency().mean(), EPS);
        String md = PruneTable.markdown(rows);
        assertTrue(md.contains("| greg1 | vgg_small | 5 | 3 (1, 2, 3) | 4.00x | 93.00 | 90.00 ± 0.00 |"), md);
        assertTrue(md.contains("| 91.67 ± 1.50 | -1.33 |"), md);
        assertTrue(md.contains("| 2.20x (55 %) | 2.00x (50 %) | 1.50x (38 %) |"), md);
    }

    @Test
    void vsOneShotL1IsTheFinalGapToTheL1RowWithTheSameFineTuneEpochs() throws IOException {
        List<PruneTable.Row> rows =
                rows(greg1(1, 0.90, 2.0), greg1(2, 0.92, 2.2), greg1(3, 0.93, 2.4), l1("l1", 0.88, 5));
        assertEquals("l1", rows.get(0).method(), "l1 row comes first");
        assertTrue(Double.isNaN(rows.get(0).vsL1()), "l1 is not compared with itself");
        assertEquals(0.91666666666 - 0.88, rows.get(1).vsL1(), 1e-9);
        assertTrue(PruneTable.markdown(rows).contains("| -1.33 | +3.67 |"), PruneTable.markdown(rows));
    }

    @Test
    void vsOneShotL1IsBlankWhenTheL1RowHasAnotherMacsTarget() throws IOException {
        // A weight-level method keeps every channel (MACs reduction 1.00x): a gap to L1 at 4x would not compare
        // methods.
        List<PruneTable.Row> rows =
                rows(l1("l1", 0.88, 5), report("l0", "vgg_small", "l0", 42, 1.0, 0.90, 0.91, 5, 1.0));
        assertTrue(Double.isNaN(rows.get(1).vsL1()));
    }

    @Test
    void differentFineTuneEpochsAreSeparateRowsSortedL1FirstThenAlphabetically() throws IOException {
        List<PruneTable.Row> rows = rows(
                report("slim", "vgg_small", "slimming", 42, 4.0, 0.85, 0.91, 5, 2.0),
                greg1(1, 0.93, 2.0),
                l1("l1-8", 0.90, 8),
                l1("l1-5", 0.88, 5));
        assertEquals(
                List.of("l1/5", "l1/8", "greg1/5", "slimming/5"),
                rows.stream().map(r -> r.method() + "/" + r.fineTuneEpochs()).toList());
        assertEquals(0.93 - 0.88, rows.get(2).vsL1(), EPS, "greg1 with 5 epochs is compared with l1 with 5, not 8");
        assertEquals(0.91 - 0.88, rows.get(3).vsL1(), EPS);
    }

    @Test
    void aSingleRunShowsPlainValuesAndTheDefaultSeed() throws IOException {
        List<PruneTable.Row> rows = rows(l1("l1", 0.8889, 5));
        PruneTable.Row r = rows.get(0);
        assertEquals(List.of(PruneRun.DEFAULT_SEED), r.seeds());
        assertTrue(Double.isNaN(r.finalAccuracy().spread()));
        String md = PruneTable.markdown(rows);
        assertTrue(
                md.contains("| l1 | vgg_small | 5 | 1 (42) | 4.00x | 93.00 | — | 30.00 | 60.00 | 88.89 | -4.11 | — |"),
                md);
        assertFalse(md.lines().filter(l -> l.startsWith("| l1")).anyMatch(l -> l.contains("±")), md);
        assertTrue(md.contains("a single run (n = 1) shows its value without ±"), md);
    }

    @Test
    void runsOfDifferentTargetsInOneRowAreAnErrorNamingTheFiles() throws IOException {
        Path a = greg1(1, 0.90, 2.0);
        Path b = report("greg1-half", "vgg_small", "greg1", 2, 2.0, 0.90, 0.92, 5, 1.5);
        CliTest.run("prune-table", a.toString(), b.toString())
                .assertKnownError("mix different MACs targets", a.toString(), b.toString());
    }

    @Test
    void runsOfDifferentModelsAreSeparateRowsComparedOnlyWithTheirOwnModelsL1() throws IOException {
        List<PruneTable.Row> rows = rows(
                greg1(1, 0.90, 2.0),
                report("greg1-lenet", "lenet5", "greg1", 2, 4.1, 0.90, 0.92, 5, 1.5),
                report("l1-lenet", "lenet5", "l1", 2, 4.1, 0.90, 0.89, 5, 1.5));
        assertEquals(
                List.of("lenet5/l1", "lenet5/greg1", "vgg_small/greg1"),
                rows.stream().map(r -> r.model() + "/" + r.method()).toList());
        assertEquals(0.92 - 0.89, rows.get(1).vsL1(), EPS);
        assertTrue(Double.isNaN(rows.get(2).vsL1()), "no vgg_small l1 row, so no gap");
    }

    @Test
    void aCorruptFileIsAnErrorNamingTheFile() throws IOException {
        Path bad = dir.resolve("broken.json");
        Files.writeString(bad, "{\"method\": \"l1\", \"stages\": [");
        CliTest.run("prune-table", greg1(1, 0.9, 2.0).toString(), bad.toString())
                .assertKnownError(bad.toString(), "not valid JSON");
    }

    @Test
    void aReportWithoutStagesIsAnErrorNamingTheFileAndTheField() throws IOException {
        Path f = dir.resolve("nostages.json");
        Files.writeString(f, "{\"model\": \"lenet5\", \"method\": \"l1\", \"macsReduction\": 4.0}");
        CliTest.run("prune-table", "--dir", dir.toString()).assertKnownError(f.toString(), "missing field 'stages'");
    }

    @Test
    void dirSkipsOtherJsonsWithANoteAndOutWritesMarkdownAndJson() throws IOException {
        greg1(1, 0.90, 2.0);
        greg1(2, 0.92, 2.2);
        Path metrics = dir.resolve("lenet5_30ep.json");
        Files.writeString(metrics, "{\"model\": \"lenet5\", \"epochs\": []}");
        String prefix = dir.resolve("summary").toString();
        CliTest.Run r = CliTest.run("prune-table", "--dir", dir.toString(), "--out", prefix);
        r.assertOk();
        assertTrue(r.err().contains("note: skipping " + metrics), r.err());
        assertTrue(r.out().contains("| greg1 | vgg_small | 5 | 2 (1, 2) |"), r.out());
        assertTrue(Files.readString(Path.of(prefix + ".md")).contains("| 91.00 ± 1.00 |"));
        JsonNode row = TrainingRun.JSON
                .readTree(Files.readString(Path.of(prefix + ".json")))
                .get("rows")
                .get(0);
        assertEquals(0.91, row.get("final").get("mean").asDouble(), EPS);
        assertEquals(0.01, row.get("final").get("spread").asDouble(), EPS);
        assertTrue(row.get("vsOneShotL1").isNull());

        // The summary it just wrote lies in the same directory; a second run must skip it, not fail on it.
        CliTest.Run again = CliTest.run("prune-table", "--dir", dir.toString());
        again.assertOk();
        assertTrue(again.err().contains("note: skipping " + prefix + ".json"), again.err());
    }
}
