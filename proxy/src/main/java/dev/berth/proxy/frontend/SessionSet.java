package dev.berth.proxy.frontend;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one SET statement that brings a backend connection's session variables to a client's view in transaction pool
 * mode, and what the connection holds once the server accepted it. Variables the connection has and the client does
 * not go back to {@code DEFAULT} first; then the character set by collation id (unless the client chose its character
 * set with SET NAMES or the like, which then comes with its variables), Berth's connection id, the client's variables
 * in the order it changed them, and LAST_INSERT_ID()'s value when the statement reads it. Empty when nothing differs.
 *
 * @param sql       the statement, or null when the connection already matches
 * @param variables the connection's variables once it ran
 */
record SessionSet(String sql, Map<String, String> variables) {
    /** Turns on what Berth needs to follow a session: every changed variable, the schema, other state changes. */
    static final String TRACKING = "session_track_system_variables='*', session_track_schema=ON, "
            + "session_track_state_change=ON";
    private static final Set<String> CHARACTER_SET_VARIABLES = Set.of("character_set_client",
            "character_set_connection", "character_set_results", "collation_connection");
    private static final Pattern NAME = Pattern.compile("[a-z0-9_]+");
    private static final Pattern NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?");
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_,.:+\\-/ ]*");

    /**
     * @param client           the client's changed variables, in the order it changed them
     * @param backend          the connection's variables as Berth knows them
     * @param tracking         whether tracking is already on in the connection's session
     * @param characterSet     the collation id of the client's handshake, or -1 when the connection already has it
     * @param connectionId     the pseudo_thread_id to set, or -1 when the connection already has it
     * @param lastInsertId     the value LAST_INSERT_ID() must return, or -1 when the statement does not read it
     */
    static SessionSet of(Map<String, String> client, Map<String, String> backend, boolean tracking, int characterSet,
                         long connectionId, long lastInsertId) {
        StringBuilder sql = new StringBuilder(64);
        if (!tracking) {
            sql.append(", ").append(TRACKING);
        }
        backend.keySet().stream().filter(name -> !client.containsKey(name))
                .forEach(name -> sql.append(", ").append(name).append("=DEFAULT"));
        if (characterSet >= 0 && !choosesCharacterSet(client)) {
            sql.append(", character_set_client=").append(characterSet).append(", character_set_results=")
                    .append(characterSet).append(", collation_connection=").append(characterSet);
        }
        if (connectionId >= 0) {
            sql.append(", pseudo_thread_id=").append(connectionId);
        }
        client.forEach((name, value) -> {
            if (!value.equals(backend.get(name))) {
                sql.append(", ").append(name).append('=').append(literal(name, value));
            }
        });
        if (lastInsertId >= 0) {
            sql.append(", last_insert_id=").append(lastInsertId);
        }
        if (sql.isEmpty()) {
            return new SessionSet(null, backend);
        }
        return new SessionSet("SET " + sql.substring(2), new HashMap<>(client));
    }

    /** Whether Berth can write {@code name} into a SET: the server's names are plain lower-case words. */
    static boolean settable(String name) {
        return NAME.matcher(name).matches();
    }

    /** Whether the client's variables include its own choice of character set. */
    static boolean choosesCharacterSet(Map<String, String> client) {
        return client.keySet().stream().anyMatch(CHARACTER_SET_VARIABLES::contains);
    }

    /**
     * The value as the server showed it, written so that SET reads it back: numbers bare (a numeric variable refuses
     * a quoted one), a character set the server showed empty as NULL, plain text quoted, anything else as a hex
     * string (no escaping to get wrong under NO_BACKSLASH_ESCAPES).
     */
    static String literal(String name, String value) {
        if (NUMBER.matcher(value).matches()) {
            return value;
        }
        if (value.isEmpty() && CHARACTER_SET_VARIABLES.contains(name)) {
            return "NULL";
        }
        if (PLAIN.matcher(value).matches()) {
            return "'" + value + "'";
        }
        return "X'" + HexFormat.of().formatHex(value.getBytes(StandardCharsets.UTF_8)) + "'";
    }
}
