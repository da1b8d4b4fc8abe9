package dev.whittle.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code key=value} arguments of the profiling mains ({@link LayerProfile}, {@link OrtLayerProfile}): each key
 * at most once, only the keys a main names, each read with its default.
 */
final class KeyValueArgs {
    private final Map<String, String> values = new HashMap<>();

    /** Parses args, rejecting an argument without '=' or a key not among {@code keys}, naming what was expected. */
    KeyValueArgs(String[] args, String... keys) {
        List<String> allowed = List.of(keys);
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 0) throw new IllegalArgumentException("argument '" + a + "' expected key=value");
            String k = a.substring(0, eq);
            if (!allowed.contains(k))
                throw new IllegalArgumentException("unknown argument '" + k + "', expected " + String.join(", ", keys));
            values.put(k, a.substring(eq + 1));
        }
    }

    String get(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    int getInt(String key, int fallback) {
        String v = values.get(key);
        return v == null ? fallback : Integer.parseInt(v);
    }

    double getDouble(String key, double fallback) {
        String v = values.get(key);
        return v == null ? fallback : Double.parseDouble(v);
    }
}
