package dev.whittle.prune.method;

import dev.whittle.nn.Param;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies hard-concrete gates multiplicatively to layer parameters without touching the layers' code.
 *
 * <p>Design (the layers compute with whatever is in {@code param.value()}, and the trainer's SGD updates that
 * same array, so the gated value and the raw θ must take turns in it):
 * <ul>
 *   <li>{@link #gate} (beforeForward): stash the raw θ, write θ·z (z a fresh sample) into the layer;</li>
 *   <li>{@link #ungate} (afterBackward): the layer's gradient is g' = ∂L/∂(θ·z); by the chain rule
 *       ∂L/∂θ = g'·z goes back into {@code param.grad()} for SGD, ∂L/∂z = Σ g'·θ over the gate's elements
 *       becomes ∂L/∂log α = ∂L/∂z · dz/dlog α; then θ is restored so the optimizer steps the raw weights;</li>
 *   <li>{@link #showTestGates} (afterStep): stash the updated θ and write θ·ẑ (deterministic test-time gate),
 *       so evaluation between iterations — and the model after the run — use ẑ (§4h.4).</li>
 * </ul>
 * Weight decay of the trainer's SGD acts on θ in full (the reference code applies it in expectation, §4a):
 * a deviation we accept to keep one optimizer for all weights.
 *
 * <p>Each gated parameter maps element i to gate {@code i / per}: per = 1 for one gate per weight, per =
 * filter size (or 1 for γ, β, bias) for one gate per channel.
 */
final class GateSwap {
    private record Entry(Param param, HardConcreteGates gates, int per, float[] raw) {}

    private final List<Entry> entries = new ArrayList<>();
    private boolean rawInLayer = true;

    void add(Param p, HardConcreteGates gates, int per) {
        if (p.size() != gates.size() * per) {
            throw new IllegalArgumentException(
                    p + " has " + p.size() + " elements but " + gates.size() + " gates × " + per);
        }
        entries.add(new Entry(p, gates, per, p.value().clone()));
    }

    private void stash() {
        if (rawInLayer) for (Entry e : entries) System.arraycopy(e.param.value(), 0, e.raw, 0, e.raw.length);
    }

    /** Layer ← θ·z with the gates' current samples. */
    void gate() {
        stash();
        for (Entry e : entries) {
            float[] w = e.param.value(), z = e.gates.z;
            for (int i = 0; i < w.length; i++) w[i] = e.raw[i] * z[i / e.per];
        }
        rawInLayer = false;
    }

    /** Chain rule into θ's and log α's gradients; layer ← θ. */
    void ungate() {
        for (Entry e : entries) {
            float[] w = e.param.value(),
                    g = e.param.grad(),
                    z = e.gates.z,
                    dz = e.gates.dzDlogAlpha,
                    gla = e.gates.grad;
            for (int i = 0; i < w.length; i++) {
                int j = i / e.per;
                gla[j] += g[i] * e.raw[i] * dz[j];
                g[i] *= z[j];
                w[i] = e.raw[i];
            }
        }
        rawInLayer = true;
    }

    /** Layer ← θ·ẑ (after the optimizer step; θ stays stashed). */
    void showTestGates() {
        stash();
        for (Entry e : entries) {
            float[] w = e.param.value(), zt = e.gates.testGates();
            for (int i = 0; i < w.length; i++) w[i] = e.raw[i] * zt[i / e.per];
        }
        rawInLayer = false;
    }

    /** The raw θ of a gated parameter as of now. */
    float[] raw(Param p) {
        stash();
        for (Entry e : entries) if (e.param == p) return e.raw;
        throw new IllegalArgumentException(p + " is not gated");
    }
}
