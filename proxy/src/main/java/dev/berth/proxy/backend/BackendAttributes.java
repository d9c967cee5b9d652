package dev.berth.proxy.backend;

import dev.berth.proxy.cli.VersionProvider;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The connection attributes Berth gives the server, which its monitoring shows (MySQL's and MariaDB's
 * {@code performance_schema.session_connect_attrs}). A connection logs in with Berth's own ({@link #LOGIN}: Berth is
 * the program). When its session is restarted for a client ({@link SessionRestart}, COM_CHANGE_USER, the only other
 * place attributes are sent) it carries the client's, with Berth's added under keys of its own ({@value #PREFIX}),
 * so that applications can still be told apart; the pool restarts it back to {@link #LOGIN} when the client is done.
 */
public final class BackendAttributes {
    /** The keys that are Berth's; a client's attributes under them are dropped, a client does not speak for Berth. */
    public static final String PREFIX = "_berth_";
    /** What a connection says of itself from its login on. */
    public static final Map<String, String> LOGIN = login();

    private BackendAttributes() {
    }

    private static Map<String, String> login() {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("_client_name", "berth");
        attributes.put("program_name", "berth");
        attributes.put(PREFIX + "version", VersionProvider.version());
        return Collections.unmodifiableMap(attributes);
    }

    /**
     * A client's attributes as the server should see them on a connection serving it: the client's own, then Berth's
     * version, the connection id of Berth's greeting and the address the client connected from (the server sees
     * Berth's).
     */
    public static Map<String, String> forClient(Map<String, String> client, long connectionId, String clientHost) {
        Map<String, String> attributes = new LinkedHashMap<>();
        client.forEach((key, value) -> {
            if (!key.startsWith(PREFIX)) {
                attributes.put(key, value);
            }
        });
        attributes.put(PREFIX + "version", VersionProvider.version());
        attributes.put(PREFIX + "connection_id", Long.toString(connectionId));
        attributes.put(PREFIX + "client_host", clientHost);
        return Collections.unmodifiableMap(attributes);
    }
}
