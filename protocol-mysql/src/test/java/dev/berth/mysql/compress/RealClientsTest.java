package dev.berth.mysql.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real compressing clients through {@link CompressingRelay} to the MariaDB on 127.0.0.1:3306 (root, no password):
 * they must read what the encoder writes, and the server must get what the decoder reads. Each is skipped when
 * the server or the client program is missing.
 */
class RealClientsTest {
    private static final InetSocketAddress MARIADB = new InetSocketAddress("127.0.0.1", 3306);
    private static CompressingRelay relay;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws InterruptedException {
        assumeTrue(serverListening(), "no MySQL-protocol server on 127.0.0.1:3306");
        relay = new CompressingRelay(MARIADB);
    }

    @AfterAll
    static void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    /**
     * libmariadb: an upload of 50 KB by LOAD DATA LOCAL INFILE (the client's compressed packets after the server's
     * request), a result of 32 KB (compressed packets that split MySQL packets), then a short one.
     */
    @Test
    void mariadbCommandLineClient() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/mariadb")), "no mariadb client");
        Path data = dir.resolve("data.tsv");
        StringBuilder rows = new StringBuilder();
        for (int i = 1; i <= 2000; i++) {
            rows.append(i).append('\t').append("row ").append(i).append(" of the upload\n");
        }
        Files.writeString(data, rows);
        String sql = "create temporary table t (a int, b text);"
                + " load data local infile '" + data + "' into table t;"
                + " select count(*), sum(a), max(length(b)) from t;"
                + " select seq, repeat('x', 100) from seq_1_to_300;"
                + " select 'done'";
        List<String> lines = run("mariadb", "--compress", "--local-infile=1", "-h127.0.0.1", "-P" + relay.port(),
                "-uroot", "--batch", "--skip-column-names", "test", "-e", sql);
        assertEquals(302, lines.size(), String.join("\n", lines));
        assertEquals("2000\t2001000\t22", lines.get(0));
        assertEquals("1\t" + "x".repeat(100), lines.get(1));
        assertEquals("300\t" + "x".repeat(100), lines.get(300));
        assertEquals("done", lines.get(301));
    }

    /**
     * libmariadb with a 5 MB query and a 5 MB row: the query's compressed packet (libmariadb compresses a whole 5 MB
     * packet into one) is inflated as it arrives, and the row goes back in compressed packets of 64 KB.
     */
    @Test
    void mariadbCommandLineClientLargePackets() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/mariadb")), "no mariadb client");
        String value = new String(Wire.letters(5_000_000, 5), StandardCharsets.US_ASCII);
        Path sql = dir.resolve("large.sql");
        Files.writeString(sql, "select length(v), md5(v) from (select '" + value + "' as v) t;\n"
                + "select concat('<', repeat('y', 5000000), '>');\n");
        List<String> lines = run(sql, "mariadb", "--compress", "--max-allowed-packet=64M", "-h127.0.0.1",
                "-P" + relay.port(), "-uroot", "--batch", "--skip-column-names", "test");
        assertEquals(2, lines.size(), "lines");
        assertEquals("5000000\t" + md5(value), lines.get(0));
        assertEquals("<" + "y".repeat(5_000_000) + ">", lines.get(1));
    }

    /** mysqlnd (PHP mysqli with MYSQLI_CLIENT_COMPRESS): result sets, one a 3 MB row, and a prepared statement. */
    @Test
    void phpMysqli() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/php")), "no php");
        Path script = dir.resolve("compress.php");
        Files.writeString(script, """
                <?php
                mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
                $m = mysqli_init();
                $m->real_connect("127.0.0.1", "root", "", "test", (int) $argv[1], null, MYSQLI_CLIENT_COMPRESS);
                $rows = 0;
                $length = 0;
                foreach ($m->query("select seq, repeat('x', 100) from seq_1_to_300") as $row) {
                    $rows++;
                    $length += strlen($row['repeat(\\'x\\', 100)']);
                }
                $large = $m->query("select concat('<', repeat('z', 3000000), '>')")->fetch_row()[0];
                $rows += $large === '<' . str_repeat('z', 3000000) . '>' ? 0 : 1000;
                $s = $m->prepare("select ? + 1");
                $v = 41;
                $s->bind_param("i", $v);
                $s->execute();
                $s->bind_result($answer);
                $s->fetch();
                echo "$rows $length $answer\\n";
                """);
        List<String> lines = run("php", script.toString(), Integer.toString(relay.port()));
        assertEquals(List.of("300 30000 42"), lines);
    }

    private List<String> run(String... command) throws IOException, InterruptedException {
        return run(null, command);
    }

    /**
     * Runs {@code command} with {@code input} (a file, or nothing) as its standard input; its output goes to a file,
     * so that a client printing megabytes never waits on a full pipe.
     */
    private List<String> run(Path input, String... command) throws IOException, InterruptedException {
        Path output = Files.createTempFile(dir, "client", ".out");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        if (input != null) {
            builder.redirectInput(input.toFile());
        }
        Process process = builder.start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("client hung: " + String.join(" ", command));
        }
        String out = Files.readString(output, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), out);
        return new ArrayList<>(out.lines().toList());
    }

    private static String md5(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.US_ASCII)));
    }

    private static boolean serverListening() {
        try (Socket s = new Socket()) {
            s.connect(MARIADB, 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
