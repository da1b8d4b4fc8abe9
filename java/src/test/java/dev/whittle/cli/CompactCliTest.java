package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.data.Dataset;
import dev.whittle.data.Synthetic;
import dev.whittle.graph.Graph;
import dev.whittle.io.ModelFile;
import dev.whittle.io.SavedModel;
import dev.whittle.measure.SpeedComparison;
import dev.whittle.measure.Stats;
import dev.whittle.model.Models;
import dev.whittle.prune.ChannelGroup;
import dev.whittle.prune.ChannelGroups;
import dev.whittle.prune.ChannelMasks;
import dev.whittle.prune.PrunePipeline;
import dev.whittle.prune.PruneResult;
import dev.whittle.prune.SparseInference;
import dev.whittle.prune.method.MethodConfig;
import dev.whittle.runtime.Parallel;
import dev.whittle.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `prune --save-masked` → `compact` gives the same architecture the pipeline compacted to; `compact` refuses a file
 * without channel masks; weight-level results are saved with their masks (file v2) and `info --file` shows the
 * footprint; the report divides a weight-level speedup by the nonzero-weight MACs reduction, not by 1.00x.
 */
class CompactCliTest {
    @TempDir
    Path dir;

    static PrunePipeline.Options options(String method, double macs, double sparsity, boolean speed) {
        return new PrunePipeline.Options(
                "lenet5",
                method,
                macs,
                Double.NaN,
                sparsity,
                1,
                false,
                null,
                0,
                0,
                0.01f,
                0,
                0.01f,
                32,
                1,
                speed,
                20,
                MethodConfig.defaults());
    }

    static PrunePipeline.Outcome run(PrunePipeline.Options o) {
        Dataset train = Synthetic.make(64, 10, 1, 28, 28, 1), test = Synthetic.make(32, 10, 1, 28, 28, 2);
        try (Parallel p = new Parallel(1)) {
            return new PrunePipeline(o, p, epochs -> new Trainer.Listener() {}).run(train, test);
        }
    }

    @Test
    void saveMaskedThenCompactRebuildsThePipelinesCompactArchitecture() {
        PrunePipeline.Outcome o = run(options("l1", 0.5, Double.NaN, false));
        String prefix = dir.resolve("p").toString();
        try (Parallel p = new Parallel(1)) {
            PruneReport.write(o, "lenet5", "l1", "test", prefix, p, true);
        }
        SavedModel masked = ModelFile.load(Path.of(prefix + "-masked.whittle"));
        assertTrue(!masked.masks().isEmpty(), "masked file has channel masks");
        Path out = dir.resolve("c.whittle");
        CliTest.Run r = CliTest.run("compact", "--from", prefix + "-masked.whittle", "--out", out.toString());
        r.assertOk();
        Graph compact = ModelFile.load(out).graph();
        assertEquals(o.pruned().parameterCount(), compact.parameterCount());
        assertEquals(o.pruned().macs(), compact.macs());
        assertTrue(r.out().contains("fewer"), r.out());
    }

    @Test
    void compactOfAFileWithoutChannelMasksIsAClearError() {
        Path f = dir.resolve("dense.whittle");
        Graph g = Models.lenet5(10);
        g.initialize(1);
        ModelFile.save(SavedModel.dense(g, "{}"), f);
        CliTest.run(
                        "compact",
                        "--from",
                        f.toString(),
                        "--out",
                        dir.resolve("x.whittle").toString())
                .assertKnownError(f.toString(), "has no channel masks");
    }

    @Test
    void compactWithAMaskForAnUnknownGroupNamesTheFileAndGroup() {
        Path f = dir.resolve("odd.whittle");
        Graph g = Models.lenet5(10);
        g.initialize(1);
        ModelFile.save(new SavedModel(g, Map.of("no-such-group", new boolean[] {true, false}), "{}"), f);
        CliTest.run(
                        "compact",
                        "--from",
                        f.toString(),
                        "--out",
                        dir.resolve("x.whittle").toString())
                .assertKnownError(f.toString(), "no-such-group");
    }

    @Test
    void compactedRandomMasksKeepExactlyTheAliveChannels() {
        Graph g = Models.lenet5(10);
        g.initialize(2);
        List<ChannelGroup> groups = ChannelGroups.derive(g);
        ChannelMasks m = new ChannelMasks(groups);
        SplittableRandom r = new SplittableRandom(3);
        for (ChannelGroup grp : groups) {
            if (!grp.prunable()) continue;
            boolean[] a = new boolean[grp.channels()];
            for (int i = 0; i < a.length; i++) a[i] = r.nextBoolean();
            a[0] = true;
            m.set(grp.id(), a);
        }
        Path f = dir.resolve("m.whittle"), out = dir.resolve("c.whittle");
        ModelFile.save(new SavedModel(g, m.named(), "{}"), f);
        CliTest.run("compact", "--from", f.toString(), "--out", out.toString()).assertOk();
        Graph c = ModelFile.load(out).graph();
        assertEquals(dev.whittle.prune.Compactor.compact(g, m).parameterCount(), c.parameterCount());
        assertTrue(ModelFile.load(out).masks().isEmpty());
    }

    @Test
    void weightLevelResultIsSavedWithItsMasksAndInfoShowsTheFootprint() throws IOException {
        PrunePipeline.Outcome o = run(options("magnitude", Double.NaN, 0.9, false));
        String prefix = dir.resolve("w").toString();
        try (Parallel p = new Parallel(1)) {
            PruneReport.write(o, "lenet5", "magnitude", "test", prefix, p, false);
        }
        Path f = Path.of(prefix + ".whittle");
        byte[] b = Files.readAllBytes(f);
        assertEquals(2, b[4], "file version");
        SavedModel m = ModelFile.load(f);
        assertTrue(!m.weightMasks().isEmpty());
        CliTest.Run r = CliTest.run("info", "--file", f.toString(), "--threads", "1");
        r.assertOk();
        assertTrue(r.out().contains("memory footprint"), r.out());
        assertTrue(r.out().contains(String.format("file           %,d bytes", b.length)), r.out());
        assertTrue(r.out().contains("as sparse rows"), r.out());
        assertTrue(r.out().matches("(?s).*conv/linear .*nonzero \\(9\\d\\.\\d % sparse\\).*"), r.out());
    }

    @Test
    void weightLevelReportDividesByNonzeroMacsAndShowsTheKernelChoiceForEachTimedBatch() throws IOException {
        Graph dense = Models.lenet5(10);
        dense.initialize(1);
        Graph pruned = PrunePipeline.copy(dense);
        SplittableRandom r = new SplittableRandom(4);
        for (Graph.NamedParam p : pruned.namedParams())
            if (p.name().endsWith(".weight") && p.param().shape().length > 1) {
                float[] v = p.param().value();
                for (int i = 0; i < v.length; i++) if (r.nextDouble() < 0.9) v[i] = 0f;
            }
        Stats ms = new Stats(1, 1, 1, 1, 1), slow = new Stats(0.5, 0.5, 0.5, 0.5, 1);
        Stats ips = new Stats(100, 100, 100, 100, 1), fast = new Stats(200, 200, 200, 200, 1);
        // Pruned twice as fast everywhere: efficiency must be 2 / (nonzero-weight MACs reduction), not 2 / 1.00.
        SpeedComparison s =
                new SpeedComparison(1, dense.macs(), pruned.macs(), ms, slow, 64, ips, fast, 128, ips, fast);
        Map<String, Object> keep = new LinkedHashMap<>();
        // Batch 1 and batch 64 get their own per-layer kernel choices (the break-even depends on the batch).
        var at64 = List.of(
                new SparseInference.Decision("conv1", "conv2d", 0.1, 0.3, true, 600, 120),
                new SparseInference.Decision("fc1", "linear", 0.1, 0.05, false, 4000, 800));
        var at1 = List.of(
                new SparseInference.Decision("conv1", "conv2d", 0.1, 0.5, true, 600, 120),
                new SparseInference.Decision("fc1", "linear", 0.1, 0.4, true, 4000, 800));
        var o = new PrunePipeline.Outcome(
                dense, pruned, new PruneResult(null, Map.of()), List.of(), List.of(), s, 0.9, keep, null, at64, at1);
        String prefix = dir.resolve("eff").toString();
        try (Parallel p = new Parallel(1)) {
            PruneReport.write(o, "lenet5", "magnitude", "test", prefix, p, false);
        }
        double reduction = dense.macs() / SparseInference.nonzeroMacs(pruned);
        assertTrue(reduction > 5, "90 % zeros must cut nonzero MACs by far more than 1x: " + reduction);
        String md = Files.readString(Path.of(prefix + ".md"));
        String eff = String.format("| 2.00x | %.0f %% |", 100 * 2 / reduction);
        assertTrue(md.contains(eff), "expected efficiency cell " + eff + " in\n" + md);
        assertTrue(md.contains("nonzero-weight MACs reduction"), md);
        assertTrue(md.contains("2 of 2 layers at batch 1"), md);
        assertTrue(md.contains("1 of 2 at the batch-64 per-thread batch"), md);
        String json = Files.readString(Path.of(prefix + ".json"));
        assertTrue(json.contains("\"sparseLayersBatch1\""), json);
        assertTrue(!md.contains("| 2.00x | 200 % |"), md);
    }
}
