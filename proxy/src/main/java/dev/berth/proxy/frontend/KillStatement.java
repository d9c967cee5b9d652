package dev.berth.proxy.frontend;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code KILL} statement found in a COM_QUERY. Its thread id is the one Berth gave in its greeting, not a backend
 * thread id, so Berth must translate it: passed through untouched it would kill whichever backend connection
 * happens to have that number, another client's perhaps.
 *
 * @param id        the connection id from Berth's greeting
 * @param queryOnly KILL QUERY (stop the statement) rather than KILL [CONNECTION]
 */
record KillStatement(long id, boolean queryOnly) {
    // KILL [HARD | SOFT] [CONNECTION | QUERY] id  (MariaDB's HARD/SOFT accepted; a trailing ';' allowed, and the
    // end of an executable comment the statement was written in)
    private static final Pattern KILL = Pattern.compile(
            "kill\\s+(?:(?:hard|soft)\\s+)?(?:(connection|query)\\s+)?(\\d+|\\?)\\s*(?:\\*/)?\\s*;?\\s*",
            Pattern.CASE_INSENSITIVE);
    /** The id of a prepared {@code KILL ?}, given at each execution. */
    static final long PARAMETER = -1;

    /**
     * Whether the statement of a COM_QUERY payload (after the command byte) is a KILL. Whitespace and comments before
     * it are skipped as the server skips them; the text of an executable comment ({@code /*! ... *}{@code /},
     * {@code /*M! ... *}{@code /}) is read as the statement, since the server runs it.
     */
    static boolean looksLikeKill(ByteBuf payload) {
        int i = statementStart(payload);
        int end = payload.writerIndex();
        return end - i >= 4 && (payload.getByte(i) | 0x20) == 'k' && (payload.getByte(i + 1) | 0x20) == 'i'
                && (payload.getByte(i + 2) | 0x20) == 'l' && (payload.getByte(i + 3) | 0x20) == 'l';
    }

    /**
     * For the first bytes of a query too large to hold whole: whether they can't rule out a KILL, its first keyword
     * being KILL or not all there (comments or whitespace running past what is held).
     */
    static boolean mayBeKill(ByteBuf payloadStart) {
        return payloadStart.writerIndex() - statementStart(payloadStart) < 4 || looksLikeKill(payloadStart);
    }

    /**
     * Whether a statement after the first of a multi-statement query is a KILL: its id would reach the server
     * untranslated (a backend thread id, another client's perhaps), so such a query is refused. Strings, quoted names
     * and comments are skipped; a query without a {@code ;} costs one scan for it.
     */
    static boolean laterStatementIsKill(ByteBuf payload) {
        int end = payload.writerIndex();
        if (payload.indexOf(payload.readerIndex() + 1, end, (byte) ';') < 0) {
            return false;
        }
        int i = statementStart(payload);
        while (i < end) {
            byte b = payload.getByte(i);
            if (b == '\'' || b == '"' || b == '`') {
                i = afterQuoted(payload, i, b);
            } else if (startsWith(payload, i, "/*") && !startsWith(payload, i, "/*!") && !startsWith(payload, i, "/*M!")) {
                int close = indexOf(payload, i + 2, "*/");
                i = close < 0 ? end : close + 2;
            } else if (b == '#' || startsWith(payload, i, "-- ")) {
                int newline = payload.indexOf(i, end, (byte) '\n');
                i = newline < 0 ? end : newline + 1;
            } else if (b == ';') {
                i = statementStart(payload, i + 1);
                if (end - i >= 4 && startsWith(payload, i, "kill")) {
                    return true;
                }
            } else {
                i++;
            }
        }
        return false;
    }

    /** The index after a quoted string or name opened at {@code open}; backslash escapes in strings. */
    private static int afterQuoted(ByteBuf payload, int open, byte quote) {
        int end = payload.writerIndex();
        for (int i = open + 1; i < end; i++) {
            byte b = payload.getByte(i);
            if (b == '\\' && quote != '`') {
                i++;
            } else if (b == quote) {
                return i + 1;
            }
        }
        return end;
    }

    /** Parses a KILL statement; null when it is another form (KILL USER, a subquery id), which Berth refuses. */
    static KillStatement parse(ByteBuf payload) {
        KillStatement kill = parseTemplate(payload);
        return kill == null || kill.id() == PARAMETER ? null : kill;
    }

    /**
     * Parses a KILL statement that may be prepared: its id may be {@code ?}, read as {@link #PARAMETER}. Null for other
     * forms.
     */
    static KillStatement parseTemplate(ByteBuf payload) {
        int start = statementStart(payload);
        String sql = payload.toString(start, payload.writerIndex() - start, StandardCharsets.UTF_8);
        Matcher m = KILL.matcher(sql);
        if (!m.matches()) {
            return null;
        }
        boolean query = m.group(1) != null && m.group(1).toLowerCase(Locale.ROOT).equals("query");
        return new KillStatement(m.group(2).equals("?") ? PARAMETER : Long.parseLong(m.group(2)), query);
    }

    /** The same KILL with the id an execution gave. */
    KillStatement withId(long id) {
        return new KillStatement(id, queryOnly);
    }

    /** Where the statement's first keyword starts, past whitespace, comments and executable-comment markers. */
    private static int statementStart(ByteBuf payload) {
        return statementStart(payload, payload.readerIndex() + 1);
    }

    /** Where the statement that starts at or after {@code from} has its first keyword. */
    private static int statementStart(ByteBuf payload, int from) {
        int i = from;
        int end = payload.writerIndex();
        while (i < end) {
            byte b = payload.getByte(i);
            if (Character.isWhitespace(b)) {
                i++;
            } else if (startsWith(payload, i, "/*!") || startsWith(payload, i, "/*M!")) {
                i += payload.getByte(i + 2) == '!' ? 3 : 4;
                while (i < end && Character.isDigit(payload.getByte(i))) {
                    i++; // the version the comment's text needs
                }
            } else if (startsWith(payload, i, "/*")) {
                int close = indexOf(payload, i + 2, "*/");
                i = close < 0 ? end : close + 2;
            } else if (b == '#' || startsWith(payload, i, "-- ")) {
                int newline = payload.indexOf(i, end, (byte) '\n');
                i = newline < 0 ? end : newline + 1;
            } else {
                return i;
            }
        }
        return end;
    }

    private static boolean startsWith(ByteBuf payload, int at, String prefix) {
        if (payload.writerIndex() - at < prefix.length()) {
            return false;
        }
        for (int k = 0; k < prefix.length(); k++) {
            if ((payload.getByte(at + k) | 0x20) != (prefix.charAt(k) | 0x20)) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(ByteBuf payload, int from, String text) {
        for (int i = from; i <= payload.writerIndex() - text.length(); i++) {
            if (startsWith(payload, i, text)) {
                return i;
            }
        }
        return -1;
    }
}
