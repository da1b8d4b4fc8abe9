package dev.whittle.prune.method;

import dev.whittle.prune.PruningMethod;
import java.util.List;

/**
 * Creates a pruning method by the name the CLI uses. Channel (FILTER) methods: l1, slimming, greg1, greg2,
 * increg, progressive, l0-filter. Weight-level (WEIGHT) methods: magnitude, l0, greg1-weight. A method checks in
 * {@link PruningMethod#init} that the context's granularity matches.
 */
public final class PruningMethods {
    private PruningMethods() {}

    public static final List<String> FILTER_LEVEL =
            List.of("l1", "slimming", "greg1", "greg2", "increg", "progressive", "l0-filter");
    public static final List<String> WEIGHT_LEVEL = List.of("magnitude", "l0", "greg1-weight");
    public static final List<String> NAMES = List.of(
            "l1",
            "magnitude",
            "slimming",
            "greg1",
            "greg2",
            "increg",
            "progressive",
            "l0",
            "l0-filter",
            "greg1-weight");

    public static PruningMethod create(String name, MethodConfig cfg) {
        if (cfg == null)
            throw new IllegalArgumentException("method config must not be null (use MethodConfig.defaults())");
        return switch (name) {
            case "l1" -> new L1OneShot();
            case "magnitude" -> new MagnitudePruning(cfg);
            case "greg1" -> new GReg1(cfg);
            case "greg2" -> new GReg2(cfg);
            case "increg" -> new IncReg(cfg);
            case "progressive" -> new ProgressiveRegularization(cfg);
            case "slimming" -> new NetworkSlimming(cfg);
            case "l0" -> new L0WeightGates(cfg);
            case "l0-filter" -> new L0FilterGates(cfg);
            case "greg1-weight" -> new GReg1Weight(cfg);
            default ->
                throw new IllegalArgumentException("unknown pruning method '" + name + "', expected one of " + NAMES);
        };
    }
}
