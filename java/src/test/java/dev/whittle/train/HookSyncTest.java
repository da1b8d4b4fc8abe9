package dev.whittle.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Parameters move between device and host only around the hook points a hooks object really implements. */
class HookSyncTest {

    @Test
    void onlyOverriddenHookPointsCauseTransfers() {
        int[] pulls = {0}, pushes = {0};
        HookSync sync = new HookSync(new HookSync.Transfer() {
            @Override
            public void pull() {
                pulls[0]++;
            }

            @Override
            public void push() {
                pushes[0]++;
            }
        });
        Trainer.Hooks afterStepOnly = new Trainer.Hooks() {
            @Override
            public void afterStep(long iteration) {}
        };
        assertFalse(HookSync.overrides(Trainer.Hooks.NONE, "afterBackward"));
        assertTrue(HookSync.overrides(afterStepOnly, "afterStep"));
        for (long i = 0; i < 3; i++) {
            sync.beforeForward(Trainer.Hooks.NONE, i);
            sync.afterBackward(Trainer.Hooks.NONE, i);
            sync.afterStep(Trainer.Hooks.NONE, i);
        }
        assertEquals(0, pulls[0], "plain training never copies");
        for (long i = 0; i < 3; i++) {
            sync.beforeForward(afterStepOnly, i);
            sync.afterBackward(afterStepOnly, i);
            sync.afterStep(afterStepOnly, i);
        }
        assertEquals(3, pulls[0]);
        assertEquals(3, pushes[0]);
    }
}
