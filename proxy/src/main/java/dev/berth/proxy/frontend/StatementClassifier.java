package dev.berth.proxy.frontend;

import dev.berth.proxy.pool.PinReason;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a COM_QUERY does to the session beyond what the server's session tracking reports, read from its text for
 * transaction pool mode: state that ties the client to its backend connection (a {@link PinReason}), state that ends
 * such a tie, and what makes the next statement depend on this one's connection. Strings, quoted names and comments
 * are left out; the text of an executable comment ({@code /*! ... *}{@code /}) counts, as the server runs it. When in
 * doubt it pins: a needless pin costs multiplexing, a missed one correctness.
 *
 * @param pins            reasons to keep the connection from this statement on
 * @param unpins          reasons this statement ends (the state is provably gone)
 * @param holdForNext     the statement's effect is on the next statement only ({@code SET TRANSACTION ...} without
 *                        SESSION): the next runs on the same connection
 * @param readsInsertId   reads LAST_INSERT_ID() or {@code @@identity}, which Berth brings to the client's value first
 * @param readsPrevious   reads what the statement before left (warnings, errors, ROW_COUNT(), FOUND_ROWS()), which
 *                        on a connection another client used last must not show that client's
 * @param readsConnectionId reads CONNECTION_ID(), which needs Berth's id set on the connection first
 * @param trackingSet     when a SET changes what the server tracks ({@code session_track_*}), every session variable
 *                        it assigns (lower case): the server then stops reporting what Berth needs, so Berth reads
 *                        them back itself and turns its tracking on again; empty otherwise
 * @param changesDefinitions DDL: what a statement prepared before it reads may now be defined otherwise
 * @param keepsDiagnostics uses no table, so the server keeps the warnings and errors of the statement before (its
 *                        list is reset only by a statement that uses a table), while reporting none of its own
 */
record StatementClassifier(Set<PinReason> pins, Set<PinReason> unpins, boolean holdForNext, boolean readsInsertId,
                           boolean readsPrevious, boolean readsConnectionId, List<String> trackingSet,
                           boolean changesDefinitions, boolean keepsDiagnostics) {
    private static final StatementClassifier NOTHING = new StatementClassifier(EnumSet.noneOf(PinReason.class),
            EnumSet.noneOf(PinReason.class), false, false, false, false, List.of(), false, false);
    private static final StatementClassifier NO_TABLE = new StatementClassifier(EnumSet.noneOf(PinReason.class),
            EnumSet.noneOf(PinReason.class), false, false, false, false, List.of(), false, true);
    /** SELECT, SET or DO without FROM (so without a table), or SHOW WARNINGS / ERRORS. */
    private static final Pattern NO_TABLE_STATEMENT =
            Pattern.compile("^((SELECT|SET|DO)\\b(?!.*\\bFROM\\b)|SHOW\\s+(COUNT\\b.*\\s)?(WARNINGS|ERRORS)\\b)", Pattern.DOTALL);
    private static final Pattern DDL = Pattern.compile("^(ALTER|CREATE|DROP|RENAME|TRUNCATE)\\b");
    private static final Pattern CONNECTION_ID = Pattern.compile("\\bCONNECTION_ID\\s*\\(");
    private static final List<String> CHARACTER_SET_VARIABLES = List.of("character_set_client",
            "character_set_connection", "character_set_results", "collation_connection");
    private static final Pattern SETS_TRACKING = Pattern.compile("^SET\\s.*\\bSESSION_TRACK_");

    /** {@code @name} that is not {@code @@name}, assigned: {@code SET @a}, {@code @a :=}, {@code INTO @a}. */
    private static final Pattern USER_VARIABLE_SET =
            Pattern.compile("^SET\\s.*(?<![@\\w])@[\\w$.`'\"]|:=|\\bINTO\\s+@(?!@)");
    private static final Pattern TEMPORARY_TABLE = Pattern.compile("^CREATE\\s+(OR\\s+REPLACE\\s+)?TEMPORARY\\b");
    private static final Pattern GET_LOCK = Pattern.compile("\\bGET_LOCK\\s*\\(");
    private static final Pattern RELEASE_ALL_LOCKS = Pattern.compile("\\bRELEASE_ALL_LOCKS\\s*\\(");
    private static final Pattern LOCK_TABLES =
            Pattern.compile("^(LOCK\\s+TABLES?\\b|FLUSH\\s+TABLES?\\b.*\\bWITH\\s+READ\\s+LOCK\\b|LOCK\\s+INSTANCE\\b)");
    private static final Pattern UNLOCK_TABLES = Pattern.compile("^UNLOCK\\s+(TABLES?|INSTANCE)\\b");
    private static final Pattern SQL_PREPARE = Pattern.compile("^PREPARE\\b");
    private static final Pattern HANDLER_OPEN = Pattern.compile("^HANDLER\\s.*\\bOPEN\\b");
    private static final Pattern XA = Pattern.compile("^XA\\b");
    private static final Pattern XA_END = Pattern.compile("^XA\\s+(COMMIT|ROLLBACK)\\b");
    private static final Pattern CALC_FOUND_ROWS = Pattern.compile("\\bSQL_CALC_FOUND_ROWS\\b");
    private static final Pattern SET_NEXT_TRANSACTION = Pattern.compile("^SET\\s+TRANSACTION\\b");
    /** LAST_INSERT_ID(expr) sets the value; Berth does not read it back, so the session stays where it is. */
    private static final Pattern SETS_INSERT_ID = Pattern.compile("\\bLAST_INSERT_ID\\s*\\(\\s*[^)\\s]");
    private static final Pattern PREVIOUS = Pattern.compile("\\b(ROW_COUNT|FOUND_ROWS)\\s*\\(|^SHOW\\s+(COUNT\\b.*\\s)?"
            + "(WARNINGS|ERRORS)\\b|@@(SESSION\\.)?(WARNING_COUNT|ERROR_COUNT)\\b|^GET\\s+(CURRENT\\s+|STACKED\\s+)?DIAGNOSTICS\\b");
    private static final Pattern INSERT_ID =
            Pattern.compile("\\bLAST_INSERT_ID\\b|@@(SESSION\\.)?(IDENTITY|LAST_INSERT_ID)\\b");

    static StatementClassifier classify(ByteBuf payload) {
        // Keywords are ASCII: a byte-for-char reading finds them in any of the client's character sets.
        String text = payload.toString(payload.readerIndex() + 1, Math.max(0, payload.readableBytes() - 1),
                StandardCharsets.ISO_8859_1);
        return classify(text);
    }

    static StatementClassifier classify(String sql) {
        List<String> statements = skeletons(sql);
        EnumSet<PinReason> pins = EnumSet.noneOf(PinReason.class);
        EnumSet<PinReason> unpins = EnumSet.noneOf(PinReason.class);
        boolean holdForNext = false;
        boolean readsInsertId = false;
        boolean readsPrevious = false;
        boolean readsConnectionId = false;
        boolean changesDefinitions = false;
        boolean keepsDiagnostics = !statements.isEmpty();
        List<String> trackingSet = new ArrayList<>();
        for (String s : statements) {
            if (USER_VARIABLE_SET.matcher(s).find()) {
                pins.add(PinReason.USER_VARIABLES);
            }
            if (TEMPORARY_TABLE.matcher(s).find()) {
                pins.add(PinReason.TEMPORARY_TABLES);
            }
            if (GET_LOCK.matcher(s).find()) {
                pins.add(PinReason.NAMED_LOCKS);
            } else if (RELEASE_ALL_LOCKS.matcher(s).find()) {
                unpins.add(PinReason.NAMED_LOCKS);
            }
            if (LOCK_TABLES.matcher(s).find()) {
                pins.add(PinReason.TABLE_LOCKS);
            } else if (UNLOCK_TABLES.matcher(s).find()) {
                unpins.add(PinReason.TABLE_LOCKS);
            }
            if (SQL_PREPARE.matcher(s).find()) {
                pins.add(PinReason.SQL_PREPARED_STATEMENTS);
            }
            if (HANDLER_OPEN.matcher(s).find()) {
                pins.add(PinReason.HANDLER);
            }
            if (XA_END.matcher(s).find()) {
                unpins.add(PinReason.XA);
            } else if (XA.matcher(s).find()) {
                pins.add(PinReason.XA);
            }
            if (CALC_FOUND_ROWS.matcher(s).find()) {
                pins.add(PinReason.FOUND_ROWS);
            }
            if (SETS_INSERT_ID.matcher(s).find()) {
                pins.add(PinReason.STATE_CHANGE);
            }
            holdForNext |= SET_NEXT_TRANSACTION.matcher(s).find();
            readsInsertId |= INSERT_ID.matcher(s).find();
            readsPrevious |= PREVIOUS.matcher(s).find();
            readsConnectionId |= CONNECTION_ID.matcher(s).find();
            changesDefinitions |= DDL.matcher(s).find();
            keepsDiagnostics &= NO_TABLE_STATEMENT.matcher(s).find();
            if (SETS_TRACKING.matcher(s).find()) {
                trackingSet.addAll(assignedVariables(s));
            }
        }
        unpins.removeAll(pins);
        if (pins.isEmpty() && unpins.isEmpty() && !holdForNext && !readsInsertId && !readsPrevious
                && !readsConnectionId && trackingSet.isEmpty() && !changesDefinitions) {
            return keepsDiagnostics ? NO_TABLE : NOTHING;
        }
        return new StatementClassifier(pins, unpins, holdForNext, readsInsertId, readsPrevious, readsConnectionId,
                List.copyOf(trackingSet), changesDefinitions, keepsDiagnostics);
    }

    /**
     * The session variables a SET statement's skeleton assigns, lower case: {@code NAMES} and {@code CHARACTER SET}
     * as the character set variables they set; user variables and GLOBAL ones left out.
     */
    static List<String> assignedVariables(String set) {
        List<String> names = new ArrayList<>();
        for (String item : topLevelItems(set.substring("SET ".length()))) {
            String target = item.strip().replaceFirst("^(SESSION\\s+|LOCAL\\s+|@@SESSION\\.|@@LOCAL\\.|@@)", "");
            if (target.startsWith("GLOBAL") || target.startsWith("@")) {
                continue;
            }
            if (target.startsWith("NAMES ") || target.startsWith("CHARACTER SET ") || target.startsWith("CHARSET ")) {
                names.addAll(CHARACTER_SET_VARIABLES);
                continue;
            }
            String name = target.split("[\\s=:]", 2)[0].toLowerCase(Locale.ROOT);
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return names;
    }

    /** {@code text} split at the commas outside parentheses. */
    private static List<String> topLevelItems(String text) {
        List<String> items = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                items.add(text.substring(start, i));
                start = i + 1;
            }
        }
        items.add(text.substring(start));
        return items;
    }

    /**
     * The statements of {@code sql}, upper-cased, with strings reduced to {@code ''}, quoted names to {@code ``},
     * comments to a space (an executable comment to its text), runs of whitespace to one space, trimmed.
     */
    static List<String> skeletons(String sql) {
        List<String> out = new ArrayList<>(1);
        StringBuilder s = new StringBuilder(Math.min(sql.length(), 256));
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"' || c == '`') {
                i = afterQuoted(sql, i, c);
                s.append(c == '`' ? "``" : "''");
            } else if (sql.startsWith("/*!", i) || sql.startsWith("/*M!", i)) {
                i += sql.startsWith("/*!", i) ? 3 : 4;
                while (i < n && Character.isDigit(sql.charAt(i))) {
                    i++; // the version the comment's text needs
                }
                s.append(' ');
            } else if (sql.startsWith("/*", i)) {
                int close = sql.indexOf("*/", i + 2);
                i = close < 0 ? n : close + 2;
                s.append(' ');
            } else if (sql.startsWith("*/", i)) {
                i += 2; // the end of an executable comment
                s.append(' ');
            } else if (c == '#' || sql.startsWith("-- ", i) || sql.startsWith("--\t", i) || sql.startsWith("--\n", i)) {
                int newline = sql.indexOf('\n', i);
                i = newline < 0 ? n : newline + 1;
                s.append(' ');
            } else if (c == ';') {
                add(out, s);
                i++;
            } else {
                s.append(Character.isWhitespace(c) ? ' ' : c);
                i++;
            }
        }
        add(out, s);
        return out;
    }

    private static void add(List<String> out, StringBuilder s) {
        String statement = s.toString().trim().replaceAll(" {2,}", " ").toUpperCase(Locale.ROOT);
        if (!statement.isEmpty()) {
            out.add(statement);
        }
        s.setLength(0);
    }

    /** The index after a quoted string or name opened at {@code open}: backslash escapes, doubled quotes. */
    private static int afterQuoted(String sql, int open, char quote) {
        int i = open + 1;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\\' && quote != '`') {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        return i;
    }
}
