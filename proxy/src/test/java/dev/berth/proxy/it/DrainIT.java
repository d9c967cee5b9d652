package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proxy.it.support.BerthProcess;
import dev.berth.proxy.it.support.Eventually;
import dev.berth.proxy.it.support.Scrape;
import dev.berth.proxy.it.support.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a real Berth process while 16 clients run statements and one is inside a transaction: no statement that
 * started before the signal fails, the transaction commits after it, readiness answers 503 from the signal on, and
 * the process exits 0 once the clients are done, well before --shutdown-timeout. A second SIGTERM cuts the drain;
 * SIGHUP reloads.
 */
class DrainIT {
    private static final int CLIENTS = 16;

    @Test
    void sigtermLetsRunningWorkFinish() throws Exception {
        try (Connection direct = TestDatabase.get().rootConnection(); Statement ddl = direct.createStatement()) {
            ddl.execute("CREATE TABLE IF NOT EXISTS drain_it (id INT PRIMARY KEY)");
            ddl.execute("DELETE FROM drain_it");
        }
        BerthProcess berth = BerthProcess.start("drain", BerthProcess.RECOMMENDED_JVM_FLAGS, "--no-tls",
                "--max-open-conns", "20", "--http-listen", "127.0.0.1:0", "--shutdown-timeout", "20s");
        try {
            Scrape scrape = new Scrape(berth.httpPort());
            assertEquals(200, scrape.status("/readiness"));

            ConcurrentLinkedQueue<String> failedBeforeSignal = new ConcurrentLinkedQueue<>();
            AtomicInteger finishedBeforeOrAcross = new AtomicInteger();
            CountDownLatch running = new CountDownLatch(CLIENTS);
            long[] signalAt = {Long.MAX_VALUE};
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            for (int i = 0; i < CLIENTS; i++) {
                clients.submit(() -> {
                    try (Connection c = berth.mariadbConnection(""); Statement s = c.createStatement()) {
                        running.countDown();
                        while (true) {
                            long started = System.nanoTime();
                            try {
                                s.executeQuery("SELECT SLEEP(0.3)").close();
                                finishedBeforeOrAcross.incrementAndGet();
                            } catch (SQLException e) {
                                synchronized (signalAt) {
                                    if (started < signalAt[0]) {
                                        failedBeforeSignal.add(e.getMessage());
                                    }
                                }
                                return null; // closed by the drain: a statement sent after the signal
                            }
                        }
                    }
                });
            }
            Connection tx = berth.mariadbConnection("");
            tx.setAutoCommit(false);
            tx.createStatement().execute("INSERT INTO drain_it VALUES (1)");
            assertTrue(running.await(20, TimeUnit.SECONDS));
            Thread.sleep(500); // every client inside a statement or between two

            synchronized (signalAt) {
                signalAt[0] = System.nanoTime();
                berth.terminate();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            int readiness;
            do {
                readiness = statusOrRefused(scrape);
            } while (readiness == 200 && System.nanoTime() < deadline);
            assertEquals(503, readiness, "readiness after SIGTERM\n" + berth.output());

            // The transaction goes on after the signal and commits.
            tx.createStatement().execute("INSERT INTO drain_it VALUES (2)");
            tx.commit();
            tx.close();

            clients.shutdown();
            assertTrue(clients.awaitTermination(30, TimeUnit.SECONDS), "clients still running");
            assertEquals(List.of(), new ArrayList<>(failedBeforeSignal), berth.output());
            assertTrue(finishedBeforeOrAcross.get() >= CLIENTS, "statements finished: " + finishedBeforeOrAcross);
            Integer exit = berth.exitCode(15);
            assertEquals(0, exit, berth.output());
            assertTrue(berth.output().contains("draining"), berth.output());
        } finally {
            berth.close();
        }
        try (Connection direct = TestDatabase.get().rootConnection(); Statement s = direct.createStatement();
             ResultSet rows = s.executeQuery("SELECT COUNT(*) FROM drain_it")) {
            rows.next();
            assertEquals(2, rows.getInt(1), "the transaction's rows after its commit through a draining Berth");
        }
    }

    private static int statusOrRefused(Scrape scrape) {
        try {
            return scrape.status("/readiness");
        } catch (java.io.IOException e) {
            return -1; // the endpoint closed: Berth has exited
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Test
    void aSecondSigtermCutsTheDrain() throws Exception {
        BerthProcess berth = BerthProcess.start("drain-cut", List.of(), "--no-tls", "--shutdown-timeout", "60s");
        try (Connection tx = berth.mariadbConnection("")) {
            tx.createStatement().execute("START TRANSACTION"); // keeps the drain waiting
            berth.terminate();
            Thread.sleep(1000);
            assertTrue(berth.isAlive(), "Berth exited with a transaction open, before --shutdown-timeout");
            berth.terminate();
            assertEquals(0, berth.exitCode(10), berth.output());
            assertTrue(berth.output().contains("again: stopping now"), berth.output());
        } finally {
            berth.close();
        }
    }

    @Test
    void sighupReloadsTheUsersFile(@TempDir Path dir) throws Exception {
        Path users = dir.resolve("users");
        Files.writeString(users, "first:one\n");
        BerthProcess berth = BerthProcess.start("reload", List.of(), "--no-tls", "--users-file", users.toString());
        try {
            String url = berth.mariadbUrl("");
            assertEquals(1045, assertThrows(SQLException.class, () -> DriverManager.getConnection(url, "second",
                    "two")).getErrorCode());
            Files.writeString(users, "first:one\nsecond:two\n");
            berth.signal("HUP");
            Eventually.await(Duration.ofSeconds(10), () -> berth.output().contains("RELOAD: applied"),
                    berth::output);
            DriverManager.getConnection(url, "second", "two").close();
        } finally {
            berth.close();
        }
    }
}
