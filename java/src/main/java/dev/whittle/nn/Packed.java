package dev.whittle.nn;

/**
 * Packed activations of a masked model in training. A channel group whose every reader and writer is a conv, batch
 * norm, ReLU or max pool ({@code prune/MaskBinding} decides, {@code setPacked} on each layer) stores only its
 * alive channels, first and contiguous: image n's j-th plane is alive channel alive[j]. The kernels then run dense
 * on the packed planes with the alive parameters gathered, as on the compact model, and the parameter gradients
 * are scattered back. Why: in the full layout the alive planes lie scattered among dead ones, and a half-masked
 * VGG-small's training step took 1.43× its compact twin's, against 1.13× with the alive channels first
 * ({@code bench/…/MaskedVsCompact}). Only training executors (those with gradient buffers) pack; inference
 * executors keep the full layout their fused paths read. {@code -Dwhittle.packed=false} keeps the full layout
 * everywhere (A/B runs).
 */
final class Packed {
    private Packed() {}

    static final boolean ENABLED = !"false".equals(System.getProperty("whittle.packed"));

    /** Whether this node's executor packs (a training executor). */
    static boolean executorPacks(NodeContext ctx) {
        return ENABLED && ctx.dOut != null;
    }

    /** Whether a layer set to pack ({@code packed}) with this alive list runs packed in this node's executor now. */
    static boolean now(boolean packed, int[] alive, NodeContext ctx) {
        return packed && alive != null && executorPacks(ctx);
    }

    /** into[j] = full[list[j]] for the list's entries; returns into. */
    static float[] gather(float[] full, int[] list, float[] into) {
        for (int j = 0; j < list.length; j++) into[j] = full[list[j]];
        return into;
    }

    /** full[list[j]] = packed[j]. */
    static void scatter(float[] packed, int[] list, float[] full) {
        for (int j = 0; j < list.length; j++) full[list[j]] = packed[j];
    }

    /** full[list[j]] += packed[j]. */
    static void scatterAdd(float[] packed, int[] list, float[] full) {
        for (int j = 0; j < list.length; j++) full[list[j]] += packed[j];
    }
}
