package dev.whittle.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad pruning input is refused with one clear line before any data is read or training starts: every case points
 * --data at a directory that does not exist, so reaching the data loader would print a data error instead.
 */
class PruneInputCliTest {
    static final String NO_DATA = "/nonexistent/whittle-no-data";

    static CliTest.Run prune(String... extra) {
        String[] base = {"prune", "--model", "vgg_small", "--data", NO_DATA, "--threads", "1", "--no-speed"};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return CliTest.run(all);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({
        "greg1,     --target-macs, NaN,       --target-macs must be a finite number, found NaN",
        "greg1,     --target-macs, Infinity,  --target-macs must be a finite number, found Infinity",
        "greg1,     --target-macs, 0,         '(0, 1)'",
        "greg1,     --target-macs, 1,         '(0, 1)'",
        "greg1,     --target-macs, 1.5,       '(0, 1)'",
        "l1,        --target-macs, -0.25,     '(0, 1)'",
        "l1,        --ratio,       NaN,       --ratio must be a finite number, found NaN",
        "l1,        --ratio,       1,         'pruning ratio must be in (0, 1), found 1.0'",
        "magnitude, --sparsity,    NaN,       --sparsity must be a finite number, found NaN",
        "magnitude, --sparsity,    1,         '--sparsity must be in (0, 1), found 1.0'",
        "magnitude, --target-macs, 0.25,      prunes individual weights",
        "greg1,     --sparsity,    0.9,       give exactly one of --target-macs or --ratio",
        "nope,      --target-macs, 0.25,      unknown pruning method 'nope'",
    })
    void badTargetIsRefusedBeforeData(String method, String option, String value, String message) {
        CliTest.Run r = prune("--method", method, option, value);
        r.assertKnownError(message);
        assertFalse(r.err().contains(NO_DATA), "reached the data loader:\n" + r.err());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"magnitude, --sparsity, 0.9", "l0, --sparsity, 0.9"})
    void saveMaskedWithAWeightLevelMethodIsRefused(String method, String option, String value) {
        prune("--method", method, option, value, "--save-masked")
                .assertKnownError("--save-masked is for filter methods", "'" + method + "'");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"greg1"})
    void missingFromFileIsNamedBeforeData(String method) {
        CliTest.Run r = prune("--method", method, "--target-macs", "0.25", "--from", "/nonexistent/dense.whittle");
        r.assertKnownError("/nonexistent/dense.whittle", "no such file");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "lambda=1,               'unknown method option [lambda]', l0FilterLambda",
        "l0FilterLambda=big,     'method option l0FilterLambda=big: expected a finite double', 'big'",
        "progPenalty=gamma,      'expected one of [NORMS, WEIGHTS]', gamma",
        "progEpsilon=2,          'progEpsilon must be in (0, 1), found 2.0', progEpsilon",
    })
    void badMethodOptionIsRefusedBeforeData(String option, String message, String named) {
        CliTest.Run r = prune("--method", "progressive", "--target-macs", "0.25", "--method-option", option);
        r.assertKnownError(message, named);
        assertFalse(r.err().contains(NO_DATA), "reached the data loader:\n" + r.err());
    }
}
