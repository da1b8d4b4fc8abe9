package dev.whittle.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import dev.whittle.measure.Timed;
import dev.whittle.nn.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The ORT counterpart of {@code dev.whittle.measure.Workload} (inference only): one session at one batch size,
 * its random input (Gaussian, seeded as {@code whittle bench} seeds its workloads) in a direct buffer wrapped
 * once by an {@link OnnxTensor}, so a timed call is the session run and reading its output.
 */
final class OrtLoad implements Timed, AutoCloseable {
    /** An ORT error inside a timed call, unchecked so the timing loops stay as plain as SpeedMeter's. */
    static final class Failure extends RuntimeException {
        Failure(OrtException e) {
            super(e.getMessage(), e);
        }
    }

    private final OrtSession session;
    private final int batch;
    private final FloatBuffer data; // the tensor reads this memory in place; keep it reachable
    private final OnnxTensor input;
    private final Map<String, OnnxTensor> feed;

    OrtLoad(OrtEnvironment env, OrtSession session, Shape in, int batch, long seed) throws OrtException {
        this.session = session;
        this.batch = batch;
        SplittableRandom r = new SplittableRandom(seed);
        data = ByteBuffer.allocateDirect(4 * batch * in.size())
                .order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        for (int i = 0; i < data.capacity(); i++) data.put(i, (float) r.nextGaussian());
        input = OnnxTensor.createTensor(env, data, new long[] {batch, in.c(), in.h(), in.w()});
        feed = Map.of("input", input);
    }

    @Override
    public int batch() {
        return batch;
    }

    /** Runs the session once; returns the first logit so nothing can treat the call as dead. */
    @Override
    public float runOnce() {
        try (OrtSession.Result res = session.run(feed)) {
            return ((OnnxTensor) res.get(0)).getFloatBuffer().get(0);
        } catch (OrtException e) {
            throw new Failure(e);
        }
    }

    @Override
    public void close() {
        input.close();
    }

    /**
     * The session options every ORT measurement uses: all graph optimisations, sequential execution, {@code threads}
     * intra-op threads, one inter-op thread; with two sessions sharing the cores (pair mode), idle pool threads stop
     * spinning so the one not being timed does not take a core.
     */
    static SessionOptions sessionOptions(int threads, boolean pair) throws OrtException {
        SessionOptions so = new SessionOptions();
        so.setOptimizationLevel(SessionOptions.OptLevel.ALL_OPT);
        so.setExecutionMode(SessionOptions.ExecutionMode.SEQUENTIAL);
        so.setIntraOpNumThreads(threads);
        so.setInterOpNumThreads(1);
        if (pair && threads > 1) so.addConfigEntry("session.force_spinning_stop", "1");
        return so;
    }

    static Map<String, Object> sessionDescription(boolean pair) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("executionProvider", "CPU");
        m.put("optimizationLevel", "ALL_OPT");
        m.put("executionMode", "SEQUENTIAL");
        m.put("intraOpNumThreads", "threads");
        m.put("interOpNumThreads", 1);
        if (pair) m.put("config", Map.of("session.force_spinning_stop", "1 when threads > 1"));
        m.put("input", "OnnxTensor created once per workload over a direct FloatBuffer");
        m.put("perCall", "OrtSession.run, logits copied out (getFloatBuffer), Result closed");
        return m;
    }

    static String sessionSentence(boolean pair) {
        return "ORT CPU execution provider; session options: graph optimisation ALL_OPT, sequential execution,"
                + " intra-op threads = threads, inter-op threads 1"
                + (pair ? ", `session.force_spinning_stop=1` when threads > 1 (two sessions share the cores)" : "")
                + ". Input tensors created once per workload (direct buffers); each timed call copies the logits"
                + " out and closes its result.";
    }
}
