package dev.whittle.prune.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Method knobs set by name (the CLI's --method-option). */
class MethodConfigTest {

    @Test
    void namedOptionsReplaceOnlyTheirKnobsWithTheirTypesParsed() {
        MethodConfig d = MethodConfig.defaults();
        MethodConfig c = d.with(Map.of(
                "l0FilterLambda", "0.5", "progPenalty", "weights", "gregUpdateInterval", "7", "progSquared", "true"));
        assertEquals(0.5, c.l0FilterLambda());
        assertEquals(MethodConfig.ProgressivePenalty.WEIGHTS, c.progPenalty());
        assertEquals(7, c.gregUpdateInterval());
        assertTrue(c.progSquared());
        assertEquals(
                d.toBuilder()
                        .l0FilterLambda(0.5)
                        .progPenalty(MethodConfig.ProgressivePenalty.WEIGHTS)
                        .gregUpdateInterval(7)
                        .progSquared(true)
                        .build(),
                c);
        assertSame(d, d.with(Map.of()));
    }

    @Test
    void anUnknownNameOrABadValueIsRefusedWithWhatWasExpected() {
        MethodConfig d = MethodConfig.defaults();
        var unknown = assertThrows(IllegalArgumentException.class, () -> d.with(Map.of("lambda", "1")));
        assertTrue(
                unknown.getMessage().contains("[lambda]")
                        && unknown.getMessage().contains("l0FilterLambda"),
                unknown.getMessage());
        var number = assertThrows(IllegalArgumentException.class, () -> d.with(Map.of("l0FilterLambda", "big")));
        assertTrue(number.getMessage().contains("expected a finite double, found 'big'"), number.getMessage());
        var nan = assertThrows(IllegalArgumentException.class, () -> d.with(Map.of("progEpsilon", "NaN")));
        assertTrue(nan.getMessage().contains("progEpsilon=NaN"), nan.getMessage());
        var enumValue = assertThrows(IllegalArgumentException.class, () -> d.with(Map.of("progPenalty", "gamma")));
        assertTrue(enumValue.getMessage().contains("[NORMS, WEIGHTS]"), enumValue.getMessage());
        // The record's own range checks still apply.
        var range = assertThrows(IllegalArgumentException.class, () -> d.with(Map.of("progEpsilon", "2")));
        assertTrue(range.getMessage().contains("progEpsilon must be in (0, 1)"), range.getMessage());
    }
}
