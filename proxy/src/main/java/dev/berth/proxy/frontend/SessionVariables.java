package dev.berth.proxy.frontend;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The system variables a client changed in its session, as the server reported them through session tracking
 * (name in lower case, value as the server shows it), in the order they were changed. In transaction pool mode Berth
 * sets them on each backend connection that runs the client's statements ({@link BackendAligner}). Written from the
 * backend's loop while the client holds a connection, read on the client's loop when it takes another.
 */
final class SessionVariables {
    private final Map<String, String> values = new LinkedHashMap<>();

    synchronized void changed(String name, String value) {
        String key = name.toLowerCase(Locale.ROOT);
        values.remove(key); // moves to the end: set after what it was changed after
        values.put(key, value);
    }

    synchronized String get(String name) {
        return values.get(name);
    }

    synchronized void clear() {
        values.clear();
    }

    synchronized Map<String, String> snapshot() {
        return values.isEmpty() ? Map.of() : new LinkedHashMap<>(values);
    }
}
