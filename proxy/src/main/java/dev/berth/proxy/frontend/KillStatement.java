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
    // KILL [HARD | SOFT] [CONNECTION | QUERY] id  (MariaDB's HARD/SOFT accepted; a trailing ';' allowed)
    private static final Pattern KILL = Pattern.compile(
            "\\s*kill\\s+(?:(?:hard|soft)\\s+)?(?:(connection|query)\\s+)?(\\d+)\\s*;?\\s*",
            Pattern.CASE_INSENSITIVE);

    /** Whether the statement text of a COM_QUERY payload (after the command byte) starts with KILL. */
    static boolean looksLikeKill(ByteBuf payload) {
        int i = payload.readerIndex() + 1;
        int end = payload.writerIndex();
        while (i < end && Character.isWhitespace(payload.getByte(i))) {
            i++;
        }
        return end - i >= 4 && (payload.getByte(i) | 0x20) == 'k' && (payload.getByte(i + 1) | 0x20) == 'i'
                && (payload.getByte(i + 2) | 0x20) == 'l' && (payload.getByte(i + 3) | 0x20) == 'l';
    }

    /** Parses a KILL statement; null when it is another form (KILL USER, a subquery id), which Berth refuses. */
    static KillStatement parse(ByteBuf payload) {
        String sql = payload.toString(payload.readerIndex() + 1, payload.readableBytes() - 1, StandardCharsets.UTF_8);
        Matcher m = KILL.matcher(sql);
        if (!m.matches()) {
            return null;
        }
        boolean query = m.group(1) != null && m.group(1).toLowerCase(Locale.ROOT).equals("query");
        return new KillStatement(Long.parseLong(m.group(2)), query);
    }
}
