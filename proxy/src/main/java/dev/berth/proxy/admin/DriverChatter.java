package dev.berth.proxy.admin;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plausible answers to what drivers and the mysql/mariadb command line send on their own, mostly right after login:
 * {@code SET ...} (MariaDB Connector/J's {@code set autocommit=1}), {@code SELECT @@x[, @@y ...] [LIMIT n]} (the CLI's
 * {@code select @@version_comment limit 1}, Connector/J's {@code SELECT @@session.auto_increment_increment AS ...}),
 * {@code SHOW VARIABLES [LIKE '...']} and {@code SHOW WARNINGS}. The console has no session: a SET changes nothing,
 * and the variables are a fixed set of what a MySQL 8 server would say, unknown ones NULL.
 *
 * <p>For {@link AdminCommands} to consult before its own statements.
 */
public final class DriverChatter {
    /** What {@code @@x} reads; names in lower case. */
    private static final Map<String, String> VARIABLES = new TreeMap<>(Map.ofEntries(
            Map.entry("auto_increment_increment", "1"),
            Map.entry("autocommit", "1"),
            Map.entry("character_set_client", "utf8mb4"),
            Map.entry("character_set_connection", "utf8mb4"),
            Map.entry("character_set_results", "utf8mb4"),
            Map.entry("character_set_server", "utf8mb4"),
            Map.entry("collation_connection", "utf8mb4_general_ci"),
            Map.entry("collation_server", "utf8mb4_general_ci"),
            Map.entry("init_connect", ""),
            Map.entry("interactive_timeout", "28800"),
            Map.entry("lower_case_table_names", "0"),
            Map.entry("max_allowed_packet", "16777216"),
            Map.entry("net_buffer_length", "16384"),
            Map.entry("net_write_timeout", "60"),
            Map.entry("performance_schema", "0"),
            Map.entry("query_cache_size", "0"),
            Map.entry("query_cache_type", "OFF"),
            Map.entry("sql_mode", ""),
            Map.entry("system_time_zone", "UTC"),
            Map.entry("time_zone", "SYSTEM"),
            Map.entry("transaction_isolation", "REPEATABLE-READ"),
            Map.entry("transaction_read_only", "0"),
            Map.entry("tx_isolation", "REPEATABLE-READ"),
            Map.entry("tx_read_only", "0"),
            Map.entry("version", AdminServer.SERVER_VERSION),
            Map.entry("version_comment", "Berth admin console"),
            Map.entry("wait_timeout", "28800")));

    /** Leading comments, as Connector/J puts its name and revision before its statements. */
    private static final Pattern LEADING_COMMENTS = Pattern.compile("^(\\s*/\\*.*?\\*/)+\\s*", Pattern.DOTALL);
    private static final Pattern SET = Pattern.compile("set\\s.*", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern SELECT = Pattern.compile("select\\s+(.*?)(?:\\s+limit\\s+\\d+)?",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    /** One item of the select list: {@code @@[session.|global.|local.]name [[AS] alias]}. */
    private static final Pattern VARIABLE = Pattern.compile(
            "@@(?:(?:session|global|local)\\.)?([a-z0-9_]+)(?:\\s+(?:as\\s+)?([`'\"]?)([^`'\"\\s]+)\\2)?",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern SHOW_VARIABLES = Pattern.compile(
            "show\\s+(?:session\\s+|global\\s+)?variables(?:\\s+like\\s+'([^']*)')?(?:\\s.*)?",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern SHOW_WARNINGS = Pattern.compile("show\\s+warnings(?:\\s.*)?",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

    /** The answer to {@code statement} if it is one of the statements drivers send on their own; else empty. */
    public Optional<AdminResult> answer(String statement) {
        String sql = LEADING_COMMENTS.matcher(statement.strip()).replaceFirst("");
        if (SET.matcher(sql).matches()) {
            return Optional.of(new AdminResult.Done(""));
        }
        Matcher select = SELECT.matcher(sql);
        if (select.matches()) {
            return selectVariables(select.group(1));
        }
        Matcher show = SHOW_VARIABLES.matcher(sql);
        if (show.matches()) {
            return Optional.of(showVariables(show.group(1)));
        }
        if (SHOW_WARNINGS.matcher(sql).matches()) {
            return Optional.of(new AdminResult.Rows(List.of("Level", "Code", "Message"), List.of()));
        }
        return Optional.empty();
    }

    /** One row of the variables' values, each column named as written (or its alias); empty unless all are @@. */
    private static Optional<AdminResult> selectVariables(String selectList) {
        List<String> columns = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (String item : selectList.split(",")) {
            Matcher variable = VARIABLE.matcher(item.strip());
            if (!variable.matches()) {
                return Optional.empty();
            }
            columns.add(variable.group(3) != null ? variable.group(3) : item.strip());
            values.add(VARIABLES.get(variable.group(1).toLowerCase(Locale.ROOT)));
        }
        return Optional.of(new AdminResult.Rows(columns, List.of(values)));
    }

    /** The variables whose names are LIKE {@code pattern} (all without one), as the server lists them. */
    private static AdminResult showVariables(String pattern) {
        Pattern like = pattern == null ? null : likePattern(pattern);
        List<List<String>> rows = new ArrayList<>();
        VARIABLES.forEach((name, value) -> {
            if (like == null || like.matcher(name).matches()) {
                rows.add(Arrays.asList(name, value));
            }
        });
        return new AdminResult.Rows(List.of("Variable_name", "Value"), rows);
    }

    /** SQL's LIKE, case-insensitive: % any run of characters, _ one, a backslash escaping the next. */
    private static Pattern likePattern(String like) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < like.length(); i++) {
            char c = like.charAt(i);
            if (c == '\\' && i + 1 < like.length()) {
                regex.append(Pattern.quote(String.valueOf(like.charAt(++i))));
            } else if (c == '%') {
                regex.append(".*");
            } else if (c == '_') {
                regex.append('.');
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    }
}
