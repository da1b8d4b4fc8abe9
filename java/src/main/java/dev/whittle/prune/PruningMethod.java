package dev.whittle.prune;

import dev.whittle.train.Trainer;
import java.util.List;
import java.util.Map;

/**
 * One pruning method (pruning-methods.md §6a). The trainer calls the {@link Trainer.Hooks} in iteration order;
 * {@link #finish} returns the final channel masks (and, for weight-level methods, weight masks). Every
 * method records its own state over time so a user can see why a filter died.
 */
public interface PruningMethod extends Trainer.Hooks {
    /** Short name as the CLI spells it, e.g. "greg1". */
    String name();

    /** Enumerate groups, initial scores and selection; λ = 0. Called once before the regularization phase. */
    void init(PruneContext ctx);

    /** Final masks: channel masks for structured methods; the context's weight masks for weight-level ones. */
    PruneResult finish();

    /** Per-group state samples recorded so far (iteration, group, λ, kept/pruned norm ratio, gate open fraction…). */
    List<Map<String, Object>> log();
}
