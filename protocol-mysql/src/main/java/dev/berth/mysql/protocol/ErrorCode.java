package dev.berth.mysql.protocol;

/**
 * The server error codes and SQLSTATEs Berth itself sends, as the server would.
 *
 * @see <a href="https://dev.mysql.com/doc/mysql-errors/8.0/en/server-error-reference.html">Server Error Message Reference</a>
 */
public enum ErrorCode {
    /** ER_CON_COUNT_ERROR */
    TOO_MANY_CONNECTIONS(1040, "08004"),
    /** ER_HANDSHAKE_ERROR */
    BAD_HANDSHAKE(1043, "08S01"),
    /** ER_ACCESS_DENIED_ERROR */
    ACCESS_DENIED(1045, "28000"),
    /** ER_HOST_IS_BLOCKED: too many failed logins from the client's address */
    HOST_IS_BLOCKED(1129, "HY000"),
    /** ER_UNKNOWN_COM_ERROR */
    UNKNOWN_COMMAND(1047, "08S01"),
    /** ER_NOT_SUPPORTED_AUTH_MODE */
    NOT_SUPPORTED_AUTH_MODE(1251, "08004"),
    /** ER_NET_PACKET_TOO_LARGE */
    PACKET_TOO_LARGE(1153, "08S01"),
    /** ER_NET_READ_ERROR_FROM_PIPE / malformed packet */
    MALFORMED_PACKET(1835, "HY000"),
    /** ER_NOT_ALLOWED_COMMAND */
    NOT_ALLOWED_COMMAND(1148, "42000"),
    /** ER_NET_READ_INTERRUPTED: the handshake timed out */
    READ_TIMEOUT(1159, "08S01"),
    /** ER_SECURE_TRANSPORT_REQUIRED */
    SECURE_TRANSPORT_REQUIRED(3159, "HY000"),
    /** ER_NET_READ_ERROR: the backend connection of a session was lost mid-session */
    BACKEND_LOST(1158, "08S01"),
    /** ER_UNKNOWN_ERROR: the backend could not be reached or failed (the message says which) */
    BACKEND_UNAVAILABLE(1105, "HY000"),
    /** ER_UNKNOWN_ERROR: a fault in Berth itself */
    INTERNAL_ERROR(1105, "HY000"),
    /** ER_UNKNOWN_STMT_HANDLER: a statement id the client was not given */
    UNKNOWN_STATEMENT(1243, "HY000"),
    /** ER_MAX_PREPARED_STMT_COUNT_REACHED */
    MAX_PREPARED_STATEMENTS(1461, "42000"),
    /** ER_NO_SUCH_THREAD: KILL of an id no connection has */
    UNKNOWN_THREAD(1094, "HY000"),
    /** ER_PARSE_ERROR: a statement the admin console does not know */
    PARSE_ERROR(1064, "42000"),
    /** ER_WRONG_ARGUMENTS: an admin action's argument can't be used */
    WRONG_ARGUMENTS(1210, "HY000"),
    /** ER_CON_COUNT_ERROR: no pooled connection within the acquire deadline */
    POOL_TIMEOUT(1040, "08004");

    private final int code;
    private final String sqlState;

    ErrorCode(int code, String sqlState) {
        this.code = code;
        this.sqlState = sqlState;
    }

    public int code() {
        return code;
    }

    public String sqlState() {
        return sqlState;
    }
}
