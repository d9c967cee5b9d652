package dev.berth.proxy.it.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The JDBC compatibility matrix: a driver (MySQL Connector/J or MariaDB Connector/J) with server-side prepared
 * statements on or off, reaching the test server either {@link Path#DIRECT directly} or {@link Path#BERTH through
 * Berth}, plus helpers that turn what a driver returns into plain comparable values.
 */
public final class JdbcTargets {
    private JdbcTargets() {
    }

    public enum Driver { MYSQL, MARIADB }

    /** How a connection reaches the server. */
    public enum Path {
        DIRECT, BERTH;

        /** A short suffix for per-path table names, so both paths can run the same scenario side by side. */
        public String suffix() {
            return this == DIRECT ? "d" : "b";
        }
    }

    /** One cell of the matrix. */
    public record Mode(Driver driver, boolean serverPrep) {
        public boolean mysql() {
            return driver == Driver.MYSQL;
        }

        /** A table name unique to this mode and path: {@code base_my_sp_b}. */
        public String table(String base, Path path) {
            return base + "_" + (mysql() ? "my" : "ma") + "_" + (serverPrep ? "sp" : "cp") + "_" + path.suffix();
        }

        /** Driver options for this mode plus {@code extra} ({@code k=v&k=v}, may be empty). */
        public String options(String extra) {
            String o = "useServerPrepStmts=" + serverPrep;
            return extra.isEmpty() ? o : o + "&" + extra;
        }

        @Override
        public String toString() {
            return (mysql() ? "Connector/J" : "MariaDB") + (serverPrep ? " server-prepared" : " client-prepared");
        }
    }

    /** All four cells: both drivers, server-side prepared statements on and off. */
    public static Stream<Mode> modes() {
        return Stream.of(new Mode(Driver.MYSQL, true), new Mode(Driver.MYSQL, false),
                new Mode(Driver.MARIADB, true), new Mode(Driver.MARIADB, false));
    }

    /** Opens a connection for {@code mode} over {@code path}; {@code extra} are further URL options. */
    public static Connection connect(RunningBerth berth, Mode mode, Path path, String extra) throws SQLException {
        String options = mode.options(extra);
        String url = mode.mysql() ? berth.mysqlUrl(options) : berth.mariadbUrl(options);
        if (path == Path.BERTH) {
            return DriverManager.getConnection(url, RunningBerth.USER, RunningBerth.PASSWORD);
        }
        TestDatabase db = TestDatabase.get();
        url = url.replace("//" + berth.hostPort() + "/", "//" + db.hostPort() + "/");
        return DriverManager.getConnection(url, db.rootUser(), db.rootPassword());
    }

    /** Runs DDL/DML as the server's administrator, directly. */
    public static void admin(String... sql) throws SQLException {
        try (Connection c = TestDatabase.get().rootConnection(); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    /**
     * Every row of {@code rs} as strings: each column's {@code getString} and {@code getObject} (class and value;
     * byte arrays in hex). A conversion the driver refuses is recorded as its exception, which is just as
     * deterministic for the same driver on the same bytes.
     */
    public static List<String> rows(ResultSet rs) throws SQLException {
        List<String> out = new ArrayList<>();
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
            StringBuilder row = new StringBuilder();
            for (int i = 1; i <= n; i++) {
                row.append(i == 1 ? "" : " | ").append(value(rs, i));
            }
            out.add(row.toString());
        }
        return out;
    }

    /** Column metadata of {@code rs} as strings: label, JDBC type, type name, precision, scale, signed, nullable. */
    public static List<String> metadata(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            out.add(md.getColumnLabel(i) + " type=" + md.getColumnType(i) + "/" + md.getColumnTypeName(i)
                    + " precision=" + md.getPrecision(i) + " scale=" + md.getScale(i) + " signed=" + md.isSigned(i)
                    + " nullable=" + md.isNullable(i) + " class=" + md.getColumnClassName(i));
        }
        return out;
    }

    private static String value(ResultSet rs, int i) {
        String s;
        try {
            s = rs.getString(i);
        } catch (SQLException | RuntimeException e) {
            s = "getString threw " + e;
        }
        String o;
        try {
            Object v = rs.getObject(i);
            o = v == null ? "null" : v.getClass().getSimpleName() + ":"
                    + (v instanceof byte[] b ? HexFormat.of().formatHex(b) : v.toString());
        } catch (SQLException | RuntimeException e) {
            o = "getObject threw " + e;
        }
        return s + " / " + o;
    }

    /**
     * Drains every result of an executed statement: result sets (metadata and rows) and update counts, in order,
     * as a driver's caller sees them.
     */
    public static List<String> allResults(Statement s, boolean first) throws SQLException {
        List<String> out = new ArrayList<>();
        boolean isResultSet = first;
        while (true) {
            if (isResultSet) {
                try (ResultSet rs = s.getResultSet()) {
                    out.add("resultset " + metadata(rs));
                    out.addAll(rows(rs));
                }
            } else {
                int count = s.getUpdateCount();
                if (count == -1) {
                    return out;
                }
                out.add("update count " + count);
            }
            isResultSet = s.getMoreResults();
        }
    }

    /** An SQLException as the application sees it: class, vendor code, SQLState and message. */
    public static String describe(SQLException e) {
        return e.getClass().getSimpleName() + " " + e.getErrorCode() + "/" + e.getSQLState() + ": "
                + CONNECTION_ID.matcher(String.valueOf(e.getMessage())).replaceAll("(conn=N)");
    }

    /** MariaDB Connector/J prefixes messages with the connection id; through Berth that is Berth's own. */
    private static final java.util.regex.Pattern CONNECTION_ID = java.util.regex.Pattern.compile("\\(conn=\\d+\\)");

    /**
     * Asserts that what the application observed through Berth equals what it observed directly; on a difference,
     * reports the first differing observation of each (not the whole, possibly huge, lists).
     */
    /** A scenario run over one path, returning what the application observed. */
    @FunctionalInterface
    public interface Scenario {
        List<String> run(Path path) throws Exception;
    }

    /** Runs the scenario directly and through Berth and asserts the observations are identical. */
    public static List<String> sameOnBoth(Scenario scenario) throws Exception {
        List<String> direct = scenario.run(Path.DIRECT);
        List<String> viaBerth = scenario.run(Path.BERTH);
        assertSame(direct, viaBerth);
        return direct;
    }

    public static void assertSame(List<String> direct, List<String> viaBerth) {
        direct = direct.stream().map(JdbcTargets::unsuffixed).toList();
        viaBerth = viaBerth.stream().map(JdbcTargets::unsuffixed).toList();
        if (direct.equals(viaBerth)) {
            return;
        }
        int i = 0;
        while (i < direct.size() && i < viaBerth.size() && direct.get(i).equals(viaBerth.get(i))) {
            i++;
        }
        throw new org.opentest4j.AssertionFailedError("through Berth the application saw something else than on a"
                + " direct connection: " + direct.size() + " vs " + viaBerth.size() + " observations, first difference"
                + " at #" + i + (i > 0 ? " (after: " + clip(direct.get(i - 1)) + ")" : "") + "\n  direct: "
                + (i < direct.size() ? clip(direct.get(i)) : "<nothing more>") + "\n  berth:  "
                + (i < viaBerth.size() ? clip(viaBerth.get(i)) : "<nothing more>"));
    }

    private static final java.util.regex.Pattern PER_PATH_TABLE =
            java.util.regex.Pattern.compile("\\b(\\w+_(?:my|ma)_(?:sp|cp))_[db]\\b");

    /** Per-path table names ({@link Mode#table}) with the path suffix replaced by {@code _X}. */
    static String unsuffixed(String observation) {
        return PER_PATH_TABLE.matcher(observation).replaceAll("$1_X");
    }

    private static String clip(String s) {
        return s.length() <= 600 ? s : s.substring(0, 600) + "...(" + s.length() + " chars)";
    }

    /** Runs one query returning a single value, as a string (or null). */
    public static String scalar(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw new SQLException("no row from " + sql);
            }
            return rs.getString(1);
        }
    }
}
