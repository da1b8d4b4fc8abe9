package dev.whittle.prune.method;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Method knobs by name, the CLI's {@code --method-option name=value}: names are {@link MethodConfig}'s record
 * components, enums by constant name in any case. An unknown name or an unparsable value is refused with the valid
 * names or the expected type; the record's own range checks then apply as to any config.
 */
final class MethodOptions {
    private MethodOptions() {}

    static MethodConfig apply(MethodConfig base, Map<String, String> options) {
        if (options.isEmpty()) return base;
        var components = MethodConfig.class.getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        Map<String, String> left = new LinkedHashMap<>(options);
        try {
            for (int i = 0; i < components.length; i++) {
                var rc = components[i];
                types[i] = rc.getType();
                String given = left.remove(rc.getName());
                values[i] = given == null ? rc.getAccessor().invoke(base) : parse(rc.getName(), rc.getType(), given);
            }
            if (!left.isEmpty()) {
                List<String> names =
                        Arrays.stream(components).map(RecordComponent::getName).toList();
                throw new IllegalArgumentException(
                        "unknown method option " + left.keySet() + ", expected one of " + names);
            }
            return MethodConfig.class.getDeclaredConstructor(types).newInstance(values);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException iae) throw iae;
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object parse(String name, Class<?> type, String v) {
        try {
            if (type == int.class) return Integer.parseInt(v.trim());
            if (type == long.class) return Long.parseLong(v.trim());
            if (type == double.class) {
                double d = Double.parseDouble(v.trim());
                if (!Double.isFinite(d)) throw new NumberFormatException();
                return d;
            }
            if (type == boolean.class) {
                if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) throw new NumberFormatException();
                return Boolean.parseBoolean(v);
            }
            if (type.isEnum()) {
                for (Object c : type.getEnumConstants())
                    if (((Enum<?>) c).name().equalsIgnoreCase(v.trim())) return c;
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            String expected = type.isEnum()
                    ? "one of " + Arrays.toString(type.getEnumConstants())
                    : "a finite " + type.getSimpleName();
            throw new IllegalArgumentException(
                    "method option " + name + "=" + v + ": expected " + expected + ", found '" + v + "'");
        }
        throw new IllegalStateException("no parser for " + type);
    }
}
