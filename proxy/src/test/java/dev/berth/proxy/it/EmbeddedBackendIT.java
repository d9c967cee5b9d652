package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proxy.it.support.BerthProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's try-it command: the packaged berth.jar with {@code --backend embedded} serves a session on a machine
 * with no MySQL server (no TestDatabase here, whatever BERTH_TEST_MYSQL says), and leaves no data behind.
 */
class EmbeddedBackendIT {

    private static final Pattern DATA = Pattern.compile("its data, in (\\S+),");

    @Test
    void servesASessionFromItsOwnMariaDbAndDeletesItsDataAtExit() throws Exception {
        Path data;
        try (BerthProcess berth = BerthProcess.launch("embedded", List.of(), Map.of(),
                List.of("--backend", "embedded", "--user", "app:secret"))) {
            Matcher logged = DATA.matcher(berth.log());
            assertTrue(logged.find(), berth.output());
            data = Path.of(logged.group(1));
            assertTrue(Files.isDirectory(data), berth.output());
            try (Connection connection = DriverManager.getConnection(
                    "jdbc:mariadb://" + berth.hostPort() + "/?sslMode=disable&connectTimeout=10000", "app", "secret");
                 Statement statement = connection.createStatement()) {
                statement.execute("CREATE DATABASE tryit");
                statement.execute("CREATE TABLE tryit.t (a INT)");
                statement.execute("INSERT INTO tryit.t VALUES (42)");
                try (ResultSet rs = statement.executeQuery("SELECT a, VERSION(), CURRENT_USER() FROM tryit.t")) {
                    assertTrue(rs.next());
                    assertEquals(42, rs.getInt(1));
                    assertTrue(rs.getString(2).contains("MariaDB"), rs.getString(2));
                    assertEquals("root@127.0.0.1", rs.getString(3));
                }
            }
        }
        assertFalse(Files.exists(data), data + " is left after Berth stopped");
    }
}
