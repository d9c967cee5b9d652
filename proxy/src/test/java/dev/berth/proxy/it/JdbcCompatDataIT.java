package dev.berth.proxy.it;

import static dev.berth.proxy.it.support.JdbcTargets.admin;
import static dev.berth.proxy.it.support.JdbcTargets.assertSame;
import static dev.berth.proxy.it.support.JdbcTargets.connect;
import static dev.berth.proxy.it.support.JdbcTargets.metadata;
import static dev.berth.proxy.it.support.JdbcTargets.rows;
import static dev.berth.proxy.it.support.JdbcTargets.sameOnBoth;
import static dev.berth.proxy.it.support.JdbcTargets.scalar;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proxy.it.support.JdbcTargets;
import dev.berth.proxy.it.support.JdbcTargets.Mode;
import dev.berth.proxy.it.support.JdbcTargets.Path;
import dev.berth.proxy.it.support.RunningBerth;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Data through Berth, for both JDBC drivers with server-side prepared statements on and off: each scenario runs
 * once over a direct connection and once through Berth, against the same server in the same run, and what the
 * application sees must be identical (and, where it is known, right).
 */
class JdbcCompatDataIT {
    private static final int STREAM_ROWS = 100_000;
    private static final String STREAM_TABLE = "jcd_stream";
    private static RunningBerth berth;

    @BeforeAll
    static void start() throws Exception {
        berth = RunningBerth.start();
        // 100,000 rows from a cross join of digits (works on MariaDB and MySQL alike, no recursion limits).
        String digits = "(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4"
                + " UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)";
        admin("DROP TABLE IF EXISTS " + STREAM_TABLE,
                "CREATE TABLE " + STREAM_TABLE + " (id INT PRIMARY KEY, txt VARCHAR(200) NOT NULL)"
                        + " DEFAULT CHARSET=utf8mb4",
                "INSERT INTO " + STREAM_TABLE + " SELECT n, CONCAT('row ', n, ' ', REPEAT('é', n % 37), _utf8mb4 0xF09F9880)"
                        + " FROM (SELECT 1 + a.d + 10*b.d + 100*c.d + 1000*e.d + 10000*f.d AS n FROM "
                        + digits + " a, " + digits + " b, " + digits + " c, " + digits + " e, " + digits + " f) x");
    }

    @AfterAll
    static void stop() {
        if (berth != null) {
            berth.close();
        }
    }

    static Stream<Mode> modes() {
        return JdbcTargets.modes();
    }

    private static Connection open(Mode mode, Path path, String extra) throws SQLException {
        return connect(berth, mode, path, extra);
    }

    // ---- CRUD ---------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void crud(Mode mode) throws Exception {
        List<String> seen = sameOnBoth(path -> {
            String t = mode.table("jcd_crud", path);
            admin("DROP TABLE IF EXISTS " + t,
                    "CREATE TABLE " + t + " (id INT PRIMARY KEY, name VARCHAR(50), qty INT) DEFAULT CHARSET=utf8mb4");
            List<String> out = new ArrayList<>();
            try (Connection c = open(mode, path, "")) {
                try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + t + " VALUES (?, ?, ?)")) {
                    for (int i = 1; i <= 3; i++) {
                        ins.setInt(1, i);
                        ins.setString(2, "item " + i);
                        ins.setInt(3, i * 10);
                        out.add("insert " + ins.executeUpdate());
                    }
                }
                out.addAll(select(c, "SELECT * FROM " + t + " ORDER BY id"));
                try (PreparedStatement upd = c.prepareStatement("UPDATE " + t + " SET qty = ? WHERE id >= ?")) {
                    upd.setInt(1, 99);
                    upd.setInt(2, 2);
                    out.add("update " + upd.executeUpdate());
                    out.add("update again (found rows) " + upd.executeUpdate());
                }
                try (Statement s = c.createStatement()) {
                    out.add("update text " + s.executeUpdate("UPDATE " + t + " SET name = 'one' WHERE id = 1"));
                    out.add("update none " + s.executeUpdate("UPDATE " + t + " SET name = 'x' WHERE id = 42"));
                }
                out.addAll(select(c, "SELECT * FROM " + t + " ORDER BY id"));
                try (PreparedStatement del = c.prepareStatement("DELETE FROM " + t + " WHERE id = ?")) {
                    del.setInt(1, 2);
                    out.add("delete " + del.executeUpdate());
                }
                out.addAll(select(c, "SELECT * FROM " + t + " ORDER BY id"));
                try (PreparedStatement sel = c.prepareStatement("SELECT name, qty FROM " + t + " WHERE id = ?")) {
                    sel.setInt(1, 3);
                    try (ResultSet rs = sel.executeQuery()) {
                        out.add("prepared " + metadata(rs));
                        out.addAll(rows(rs));
                    }
                }
            }
            return out;
        });
        assertEquals("insert 1", seen.get(0));
        assertTrue(seen.contains("update 2") && seen.contains("update again (found rows) 2")
                && seen.contains("delete 1"), seen.toString());
    }

    private static List<String> select(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            out.add(sql + " " + metadata(rs));
            out.addAll(rows(rs));
            return out;
        }
    }

    // ---- column types -------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void commonColumnTypes(Mode mode) throws Exception {
        String emoji = "héllo 😀 wörld 🚀 日本 \u0000 end";
        List<String> seen = sameOnBoth(path -> {
            String t = mode.table("jcd_types", path);
            admin("DROP TABLE IF EXISTS " + t, "CREATE TABLE " + t + " (id INT PRIMARY KEY,"
                    + " txt VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin, big TEXT CHARACTER SET utf8mb4,"
                    + " dec30 DECIMAL(30,10), d DATE, tm TIME(6), dt DATETIME(6), ts TIMESTAMP(6) NULL,"
                    + " ti TINYINT UNSIGNED, i INT UNSIGNED, bi BIGINT UNSIGNED, sti TINYINT, sbi BIGINT,"
                    + " dbl DOUBLE, bl BLOB, bit1 BIT(1)) DEFAULT CHARSET=utf8mb4");
            List<String> out = new ArrayList<>();
            try (Connection c = open(mode, path, "")) {
                try (PreparedStatement ins = c.prepareStatement(
                        "INSERT INTO " + t + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    // Row 1: maxima.
                    ins.setInt(1, 1);
                    ins.setString(2, emoji);
                    ins.setString(3, "😀".repeat(5000));
                    ins.setBigDecimal(4, new BigDecimal("12345678901234567890.0123456789"));
                    ins.setDate(5, Date.valueOf("2024-02-29"));
                    ins.setString(6, "23:59:59.999999");
                    ins.setTimestamp(7, Timestamp.valueOf("9999-12-31 23:59:59.999999"));
                    ins.setTimestamp(8, Timestamp.valueOf("2021-06-15 12:34:56.123456"));
                    ins.setInt(9, 255);
                    ins.setLong(10, 4294967295L);
                    ins.setBigDecimal(11, new BigDecimal("18446744073709551615"));
                    ins.setInt(12, 127);
                    ins.setLong(13, Long.MAX_VALUE);
                    ins.setDouble(14, Double.MAX_VALUE);
                    ins.setBytes(15, new byte[] {0, 1, 2, (byte) 0xFF, (byte) 0xFE, 0x27, 0x5C, 0x22});
                    ins.setBoolean(16, true);
                    out.add("insert " + ins.executeUpdate());
                    // Row 2: minima.
                    ins.setInt(1, 2);
                    ins.setString(2, "");
                    ins.setString(3, "");
                    ins.setBigDecimal(4, new BigDecimal("-99999999999999999999.9999999999"));
                    ins.setDate(5, Date.valueOf("1000-01-01"));
                    ins.setTime(6, Time.valueOf("00:00:00"));
                    ins.setTimestamp(7, Timestamp.valueOf("1000-01-01 00:00:00.000001"));
                    ins.setTimestamp(8, Timestamp.valueOf("1999-12-31 23:59:59.5"));
                    ins.setInt(9, 0);
                    ins.setLong(10, 0);
                    ins.setBigDecimal(11, BigDecimal.ZERO);
                    ins.setInt(12, -128);
                    ins.setLong(13, Long.MIN_VALUE);
                    ins.setDouble(14, -4.9e-324);
                    ins.setBytes(15, new byte[0]);
                    ins.setBoolean(16, false);
                    out.add("insert " + ins.executeUpdate());
                    // Row 3: all NULL.
                    ins.setInt(1, 3);
                    for (int i = 2; i <= 16; i++) {
                        ins.setNull(i, Types.NULL);
                    }
                    out.add("insert " + ins.executeUpdate());
                }
                try (Statement s = c.createStatement()) {
                    // Row 4: literals in the text protocol, fractions of every width.
                    out.add("insert text " + s.executeUpdate("INSERT INTO " + t + " VALUES (4, 'ok 👍', 'x',"
                            + " 0.0000000001, '2000-01-01', '-838:59:59.000000', '2020-02-02 02:02:02.020202',"
                            + " '2038-01-18 03:14:07.7', 128, 2147483648, 9223372036854775808, 0, 0, 3.141592653589793,"
                            + " x'00', b'1')"));
                }
                out.addAll(select(c, "SELECT * FROM " + t + " ORDER BY id"));
                try (PreparedStatement sel = c.prepareStatement("SELECT * FROM " + t + " WHERE id > ? ORDER BY id")) {
                    sel.setInt(1, 0);
                    try (ResultSet rs = sel.executeQuery()) {
                        out.add("prepared " + metadata(rs));
                        out.addAll(rows(rs));
                    }
                }
                out.add("emoji length " + scalar(c, "SELECT CHAR_LENGTH(txt) FROM " + t + " WHERE id = 1"));
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT txt, bi, dec30 FROM " + t + " WHERE id = 1")) {
                    rs.next();
                    out.add("typed " + rs.getString(1).equals(emoji) + " " + rs.getBigDecimal(2) + " "
                            + rs.getBigDecimal(3));
                }
            }
            return out;
        });
        assertTrue(seen.contains("typed true 18446744073709551615 12345678901234567890.0123456789"), seen.toString());
    }

    // ---- blobs --------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void blobsOf1And20MegabytesComeBackByteForByte(Mode mode) throws Exception {
        byte[] small = randomBytes(1 << 20, 1);
        byte[] large = randomBytes(20 << 20, 2);
        String t = mode.table("jcd_blob", Path.BERTH);
        admin("DROP TABLE IF EXISTS " + t, "CREATE TABLE " + t + " (id INT PRIMARY KEY, b LONGBLOB)");
        // Berth writes rows 1 and 2, the direct connection rows 3 and 4; both paths then read every row.
        write(mode, Path.BERTH, t, 1, small);
        write(mode, Path.BERTH, t, 2, large);
        write(mode, Path.DIRECT, t, 3, small);
        write(mode, Path.DIRECT, t, 4, large);
        for (int id = 1; id <= 4; id++) {
            byte[] expected = id % 2 == 1 ? small : large;
            byte[] direct = read(mode, Path.DIRECT, t, id);
            byte[] viaBerth = read(mode, Path.BERTH, t, id);
            assertArrayEquals(direct, viaBerth, "row " + id + " read through Berth differs from the direct read");
            assertArrayEquals(expected, viaBerth, "row " + id + " is not what was written");
        }
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static void write(Mode mode, Path path, String t, int id, byte[] data) throws SQLException {
        try (Connection c = open(mode, path, "");
             PreparedStatement ins = c.prepareStatement("INSERT INTO " + t + " VALUES (?, ?)")) {
            ins.setInt(1, id);
            ins.setBytes(2, data);
            assertEquals(1, ins.executeUpdate(), path + " insert of " + data.length + " bytes");
        }
    }

    private static byte[] read(Mode mode, Path path, String t, int id) throws SQLException {
        try (Connection c = open(mode, path, "");
             PreparedStatement sel = c.prepareStatement("SELECT b, LENGTH(b) FROM " + t + " WHERE id = ?")) {
            sel.setInt(1, id);
            try (ResultSet rs = sel.executeQuery()) {
                assertTrue(rs.next(), path + ": row " + id + " missing");
                byte[] b = rs.getBytes(1);
                assertEquals(rs.getLong(2), b.length, path + ": row " + id + " length");
                return b;
            }
        }
    }

    // ---- transactions -------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void transactionsCommitAndRollBackAsSeenFromASecondConnection(Mode mode) throws Exception {
        List<String> seen = sameOnBoth(path -> {
            String t = mode.table("jcd_tx", path);
            admin("DROP TABLE IF EXISTS " + t, "CREATE TABLE " + t + " (id INT PRIMARY KEY) ENGINE=InnoDB");
            List<String> out = new ArrayList<>();
            String count = "SELECT COUNT(*) FROM " + t;
            try (Connection a = open(mode, path, ""); Connection b = open(mode, path, "")) {
                a.setAutoCommit(false);
                try (PreparedStatement ins = a.prepareStatement("INSERT INTO " + t + " VALUES (?)")) {
                    ins.setInt(1, 1);
                    ins.executeUpdate();
                    out.add("uncommitted: a sees " + scalar(a, count) + ", b sees " + scalar(b, count));
                    a.commit();
                    out.add("committed: a sees " + scalar(a, count) + ", b sees " + scalar(b, count));
                    ins.setInt(1, 2);
                    ins.executeUpdate();
                    out.add("second uncommitted: a sees " + scalar(a, count) + ", b sees " + scalar(b, count));
                    a.rollback();
                    out.add("rolled back: a sees " + scalar(a, count) + ", b sees " + scalar(b, count));
                }
                a.setAutoCommit(true);
                try (Statement s = a.createStatement()) {
                    s.executeUpdate("INSERT INTO " + t + " VALUES (3)");
                }
                out.add("autocommit again: b sees " + scalar(b, count));
            }
            return out;
        });
        assertEquals(List.of("uncommitted: a sees 1, b sees 0", "committed: a sees 1, b sees 1",
                "second uncommitted: a sees 2, b sees 1", "rolled back: a sees 1, b sees 1",
                "autocommit again: b sees 2"), seen);
    }

    // ---- generated keys -----------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void generatedKeysAfterSingleAndMultiRowInserts(Mode mode) throws Exception {
        List<String> seen = sameOnBoth(path -> {
            String t = mode.table("jcd_keys", path);
            admin("DROP TABLE IF EXISTS " + t,
                    "CREATE TABLE " + t + " (id BIGINT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(10)) AUTO_INCREMENT=100");
            List<String> out = new ArrayList<>();
            try (Connection c = open(mode, path, "")) {
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("INSERT INTO " + t + " (v) VALUES ('a')", Statement.RETURN_GENERATED_KEYS);
                    out.add("single " + keys(s.getGeneratedKeys()));
                    s.executeUpdate("INSERT INTO " + t + " (v) VALUES ('b'), ('c'), ('d')",
                            Statement.RETURN_GENERATED_KEYS);
                    out.add("multi " + keys(s.getGeneratedKeys()));
                }
                try (PreparedStatement p = c.prepareStatement("INSERT INTO " + t + " (v) VALUES (?)",
                        Statement.RETURN_GENERATED_KEYS)) {
                    p.setString(1, "e");
                    p.executeUpdate();
                    out.add("prepared " + keys(p.getGeneratedKeys()));
                }
                try (PreparedStatement p = c.prepareStatement("INSERT INTO " + t + " (v) VALUES (?), (?)",
                        Statement.RETURN_GENERATED_KEYS)) {
                    p.setString(1, "f");
                    p.setString(2, "g");
                    p.executeUpdate();
                    out.add("prepared multi " + keys(p.getGeneratedKeys()));
                }
                out.add("last_insert_id " + scalar(c, "SELECT LAST_INSERT_ID()"));
            }
            return out;
        });
        assertEquals("single [100]", seen.get(0));
        if (mode.mysql()) { // MariaDB Connector/J 3 reports only the first key of a multi-row text INSERT
            assertEquals("multi [101, 102, 103]", seen.get(1));
        }
        assertEquals("prepared [104]", seen.get(2));
    }

    private static List<Long> keys(ResultSet rs) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (rs) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }

    // ---- batches ------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void batchInsert(Mode mode) throws Exception {
        // Connector/J rewrites the batch into multi-row INSERTs; MariaDB uses its default batch path.
        String batchOptions = mode.mysql() ? "rewriteBatchedStatements=true" : "";
        List<String> seen = sameOnBoth(path -> {
            String t = mode.table("jcd_batch", path);
            admin("DROP TABLE IF EXISTS " + t, "CREATE TABLE " + t
                    + " (id INT AUTO_INCREMENT PRIMARY KEY, n INT, s VARCHAR(40)) DEFAULT CHARSET=utf8mb4");
            List<String> out = new ArrayList<>();
            try (Connection c = open(mode, path, batchOptions)) {
                try (PreparedStatement p = c.prepareStatement("INSERT INTO " + t + " (n, s) VALUES (?, ?)")) {
                    for (int i = 0; i < 2000; i++) {
                        p.setInt(1, i);
                        p.setString(2, i % 7 == 0 ? null : "batch ✓ " + i);
                        p.addBatch();
                    }
                    out.add("prepared batch " + Arrays.toString(p.executeBatch()));
                }
                try (Statement s = c.createStatement()) {
                    s.addBatch("INSERT INTO " + t + " (n, s) VALUES (-1, 'x')");
                    s.addBatch("UPDATE " + t + " SET s = 'seven' WHERE s IS NULL");
                    s.addBatch("DELETE FROM " + t + " WHERE n >= 1990");
                    out.add("statement batch " + Arrays.toString(s.executeBatch()));
                }
                // Contents in insertion order. For MariaDB not the ids themselves: directly its driver sends the
                // batch as one COM_STMT_BULK_EXECUTE, for which InnoDB reserves auto-increment values in a block
                // (the next id after 2000 rows is 2048); Berth does not offer MariaDB's bulk capability, so the
                // driver executes row by row and the next id is 2001, as directly with useBulkStmts=false.
                out.addAll(select(c, "SELECT COUNT(*), COUNT(DISTINCT id), SUM(n), COUNT(DISTINCT s) FROM " + t));
                out.addAll(select(c, "SELECT " + (mode.mysql() ? "id, " : "") + "n, s FROM " + t + " ORDER BY id"));
            }
            return out;
        });
        // 2000 + 1 inserted, n 1990..1999 deleted.
        assertTrue(seen.get(3).startsWith("1991 / "), seen.subList(0, 4).toString());
    }

    // ---- streaming ----------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void streamingA100000RowResult(Mode mode) throws Exception {
        List<String> seen = sameOnBoth(path -> {
            List<String> out = new ArrayList<>();
            try (Connection c = open(mode, path, "")) {
                try (PreparedStatement p = c.prepareStatement("SELECT id, txt FROM " + STREAM_TABLE
                        + " WHERE id > ? ORDER BY id", ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
                    p.setFetchSize(mode.mysql() ? Integer.MIN_VALUE : 1000);
                    p.setInt(1, 0);
                    long count = 0;
                    long sum = 0;
                    CRC32 crc = new CRC32();
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            count++;
                            sum += rs.getInt(1);
                            crc.update(rs.getString(2).getBytes(StandardCharsets.UTF_8));
                        }
                    }
                    out.add("rows " + count + " sum " + sum + " crc " + Long.toHexString(crc.getValue()));
                }
                // The connection is in a clean state after the stream.
                out.add("after " + scalar(c, "SELECT COUNT(*) FROM " + STREAM_TABLE));
            }
            return out;
        });
        long n = STREAM_ROWS;
        assertTrue(seen.get(0).startsWith("rows " + n + " sum " + n * (n + 1) / 2 + " crc "), seen.get(0));
        assertEquals("after " + n, seen.get(1));
    }
}
