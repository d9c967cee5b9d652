package dev.berth.mysql.message;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * What a session asks its server to track, the session_track_* variables: which changes the server reports in the
 * session-state-info block of its OKs (see {@link SessionStateInfo#shownTo(SessionTrackSettings)}).
 *
 * @param systemVariables session_track_system_variables: the names, lower case; {@code "*"} for all
 * @param schema session_track_schema
 * @param stateChange session_track_state_change
 * @param transactionInfo session_track_transaction_info
 */
public record SessionTrackSettings(Set<String> systemVariables, boolean schema, boolean stateChange,
        TransactionInfo transactionInfo) {

    /** The values of session_track_transaction_info. */
    public enum TransactionInfo {
        /** Nothing about transactions. */
        OFF,
        /** The transaction state. */
        STATE,
        /** The transaction state and characteristics. */
        CHARACTERISTICS
    }

    /** MariaDB 10.11's defaults. */
    public static final SessionTrackSettings SERVER_DEFAULTS = new SessionTrackSettings(
            Set.of("autocommit", "character_set_client", "character_set_connection", "character_set_results",
                    "time_zone"),
            true, false, TransactionInfo.OFF);

    /** Lower-cases the names, so that {@link #shows} can compare them with any server's spelling. */
    public SessionTrackSettings {
        Set<String> names = new HashSet<>();
        for (String name : systemVariables) {
            names.add(name.toLowerCase(Locale.ROOT));
        }
        systemVariables = Set.copyOf(names);
        if (transactionInfo == null) {
            throw new NullPointerException("transactionInfo");
        }
    }

    /**
     * The settings from the variables' values as {@code SELECT @@session_track_system_variables,
     * @@session_track_schema, @@session_track_state_change, @@session_track_transaction_info} returns them. All are
     * read case-insensitively: the first is a comma-separated list (spaces around names and empty items ignored;
     * empty or null for none), the two flags ON, OFF, 1 or 0, the last OFF, STATE or CHARACTERISTICS.
     *
     * @throws IllegalArgumentException when a flag or the transaction info is none of those
     */
    public static SessionTrackSettings parse(String systemVariables, String schema, String stateChange,
            String transactionInfo) {
        Set<String> names = new HashSet<>();
        if (systemVariables != null) {
            for (String name : systemVariables.split(",")) {
                if (!name.isBlank()) {
                    names.add(name.strip());
                }
            }
        }
        return new SessionTrackSettings(names, flag("session_track_schema", schema),
                flag("session_track_state_change", stateChange), transactionInfo(transactionInfo));
    }

    /** Whether a change of the variable is reported: it is listed (in any case) or {@code "*"} is. */
    public boolean shows(String variableName) {
        return systemVariables.contains("*") || systemVariables.contains(variableName.toLowerCase(Locale.ROOT));
    }

    private static boolean flag(String variable, String value) {
        String normalized = value == null ? "" : value.strip().toUpperCase(Locale.ROOT);
        return switch (normalized) {
            case "ON", "1" -> true;
            case "OFF", "0" -> false;
            default -> throw new IllegalArgumentException(variable + " is neither ON nor OFF: " + value);
        };
    }

    private static TransactionInfo transactionInfo(String value) {
        String normalized = value == null ? "" : value.strip().toUpperCase(Locale.ROOT);
        for (TransactionInfo info : TransactionInfo.values()) {
            if (info.name().equals(normalized)) {
                return info;
            }
        }
        throw new IllegalArgumentException("session_track_transaction_info is not OFF, STATE or CHARACTERISTICS: "
                + value);
    }
}
