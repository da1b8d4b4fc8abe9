package dev.whittle.prune.method;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A method's per-group state over time, sampled every K iterations (default ~1 % of the budget, so a run
 * yields about a hundred samples per group). Bounded however long the run: when it would exceed
 * {@link #MAX_ROWS} rows, K doubles and the rows off the new grid are dropped, so the log stays an even
 * sample of the whole run rather than its beginning.
 */
final class MethodLog {
    static final int MAX_ROWS = 4096;

    private final List<Map<String, Object>> rows = new ArrayList<>();
    private long every;

    /** @param logEvery explicit interval, or 0 for ~1 % of {@code budgetIterations} */
    MethodLog(long budgetIterations, int logEvery) {
        every = logEvery > 0 ? logEvery : Math.max(1, budgetIterations / 100);
    }

    boolean due(long iteration) {
        return iteration % every == 0;
    }

    /** A new row with the two keys every row has, already added; the caller puts the method's fields. */
    Map<String, Object> row(long iteration, String group) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("iteration", iteration);
        r.put("group", group);
        rows.add(r);
        if (rows.size() > MAX_ROWS) thin();
        return r;
    }

    private void thin() {
        every *= 2;
        rows.removeIf(r -> (Long) r.get("iteration") % every != 0);
    }

    List<Map<String, Object>> rows() {
        List<Map<String, Object>> out = new ArrayList<>(rows.size());
        for (Map<String, Object> r : rows) out.add(Collections.unmodifiableMap(new LinkedHashMap<>(r)));
        return Collections.unmodifiableList(out);
    }
}
