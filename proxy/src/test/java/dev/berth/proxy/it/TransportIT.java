package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.it.support.TestDatabase;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each --transport serves clients over TCP, and epoll and io_uring over a unix socket too, with what the server
 * sends coming back whole (a 1 MB value, several reads and writes).
 */
class TransportIT {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "io_uring", "nio"})
    void servesClients(String transport) throws Exception {
        Assumptions.assumeTrue(!transport.equals("epoll") || Epoll.isAvailable(), "no epoll here");
        Assumptions.assumeTrue(!transport.equals("io_uring") || IoUring.isAvailable(), "no io_uring here");
        Path socket = dir.resolve("berth.sock");
        boolean unix = !transport.equals("nio");
        try (RunningBerth berth = unix
                ? RunningBerth.start("--no-tls", "--transport", transport, "--listen", "unix:" + socket)
                : RunningBerth.start("--no-tls", "--transport", transport)) {
            assertEquals(transport, berth.server().transportName());
            try (Connection c = berth.mariadbConnection("")) {
                assertLargeValueComesBack(c);
            }
            if (unix) {
                try (Connection c = DriverManager.getConnection("jdbc:mariadb://localhost/" + TestDatabase.DATABASE
                        + "?localSocket=" + socket, RunningBerth.USER, RunningBerth.PASSWORD)) {
                    assertLargeValueComesBack(c);
                }
            }
        }
    }

    private static void assertLargeValueComesBack(Connection c) throws SQLException {
        try (ResultSet r = c.createStatement().executeQuery("SELECT REPEAT('x', 1048576), CONNECTION_ID()")) {
            r.next();
            assertEquals(1_048_576, r.getString(1).length());
        }
    }
}
