package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proxy.it.support.BerthProcess;
import dev.berth.proxy.it.support.HandshakeFlood;
import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.it.support.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Thousands of clients that start a login and never finish it, against Berth as its own process with the JVM flags
 * docs/BENCHMARKS.md recommends (128 MB of direct memory). Before: each could make Berth buffer up to 64 KB; 3,000
 * exhausted direct memory, every later allocation slept half a second in the JDK's reservation on the event loop,
 * and no client was served for minutes, long after the flood had gone. Now a login may send 8 KB at most, all logins
 * together hold at most --max-handshake-memory (16 MB), and an allocation that fails fails at once.
 */
class LoginFloodIT {
    private static final long SLOWEST_PROBE_MILLIS = 1_000;

    /** Logs in and runs SELECT 1 every 200 ms on a fresh connection, keeping the slowest time and any failure. */
    private static final class Prober implements AutoCloseable {
        private final String url;
        private final Thread thread;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final List<String> failures = new ArrayList<>();
        private final List<Long> millis = new ArrayList<>();

        Prober(String hostPort) {
            url = "jdbc:mariadb://" + hostPort + "/" + TestDatabase.DATABASE + "?sslMode=disable&connectTimeout=5000"
                    + "&socketTimeout=5000";
            thread = new Thread(this::run, "prober");
        }

        /** One login and SELECT 1; returns its time in milliseconds. */
        long probe() throws Exception {
            long t0 = System.nanoTime();
            try (Connection c = DriverManager.getConnection(url, RunningBerth.USER, RunningBerth.PASSWORD);
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT 1")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1));
            }
            return (System.nanoTime() - t0) / 1_000_000;
        }

        private void run() {
            while (!stop.get()) {
                try {
                    long millis = probe();
                    synchronized (this) {
                        this.millis.add(millis);
                    }
                } catch (Exception | AssertionError e) {
                    synchronized (this) {
                        failures.add(e.toString());
                    }
                }
                try {
                    Thread.sleep(200); // the probing interval
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        Prober startProbing() {
            thread.start();
            return this;
        }

        synchronized String report() {
            return millis.size() + " probes " + millis + " ms, " + failures.size() + " failed"
                    + (failures.isEmpty() ? "" : ": " + failures.subList(0, Math.min(3, failures.size())));
        }

        synchronized void assertAllFast() {
            assertTrue(failures.isEmpty() && !millis.isEmpty()
                    && millis.stream().allMatch(m -> m < SLOWEST_PROBE_MILLIS), report());
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(10_000);
        }
    }

    @Test
    void aFloodOfUnfinishedLoginsLeavesOtherClientsServedWithinASecond() throws Exception {
        try (BerthProcess berth = BerthProcess.start("login-flood", BerthProcess.RECOMMENDED_JVM_FLAGS)) {
            Prober prober = new Prober(berth.hostPort());
            for (int i = 0; i < 20; i++) {
                prober.probe(); // the driver's code compiled
            }
            // Berth's refusals compiled: the floods measure a warm Berth, as one would meet it in service.
            flood(berth, 300, 65_000, 64_000, 2);
            flood(berth, 300, 8_000, 7_999, 2);
            String during;
            String after;
            List<String> floods = new ArrayList<>();
            try (Prober probing = prober.startProbing()) {
                // As in the issue: a packet just under the old 64 KB bound, 3,000 times over.
                floods.add("65,000-byte packets: " + flood(berth, 3_000, 65_000, 64_000, 8));
                // The largest packet a login may send now: together past --max-handshake-memory.
                floods.add("8,000-byte packets: " + flood(berth, 3_000, 8_000, 7_999, 4));
                during = probing.report();
                System.out.println("LoginFloodIT: " + floods + "; during: " + during);
                probing.assertAllFast();
            }
            try (Prober probing = new Prober(berth.hostPort()).startProbing()) {
                Thread.sleep(2_000); // probing right after the floods
                after = probing.report();
                System.out.println("LoginFloodIT, after: " + after);
                probing.assertAllFast();
            }
            String log = berth.log();
            assertFalse(log.contains("OutOfDirectMemoryError") || log.contains("Cannot reserve"),
                    "direct memory ran out; see " + berth.logFile());
            assertTrue(berth.isAlive());
        }
    }

    /**
     * With the memory for logins unbounded and direct memory small, the flood does exhaust it: the connections that
     * find no memory are closed at once, and the moment the flood ends Berth serves again.
     */
    @Test
    void whenDirectMemoryRunsOutBerthServesAgainTheMomentTheFloodEnds() throws Exception {
        List<String> jvmFlags = new ArrayList<>(BerthProcess.RECOMMENDED_JVM_FLAGS);
        jvmFlags.replaceAll(flag -> flag.startsWith("-XX:MaxDirectMemorySize=") ? "-XX:MaxDirectMemorySize=24m" : flag);
        try (BerthProcess berth = BerthProcess.start("direct-memory-out", jvmFlags, "--max-handshake-memory", "1G")) {
            Prober prober = new Prober(berth.hostPort());
            prober.probe();
            String flood = flood(berth, 3_000, 8_000, 7_999, 4);
            assertTrue(berth.log().contains("out of memory: ") && berth.log().contains("OutOfDirectMemoryError"),
                    "direct memory was not exhausted: " + flood);
            try (Prober probing = prober.startProbing()) {
                Thread.sleep(2_000); // probing right after the flood
                System.out.println("LoginFloodIT, 24 MB of direct memory: " + flood + "; after: " + probing.report());
                probing.assertAllFast();
            }
            assertFalse(berth.log().contains("Cannot reserve"), "the JDK's reservation was used");
        }
    }

    /** Floods Berth, trickling the bytes in {@code rounds} rounds 250 ms apart, then ends the flood. */
    private static String flood(BerthProcess berth, int connections, int announced, int sent, int rounds)
            throws InterruptedException {
        long t0 = System.nanoTime();
        try (HandshakeFlood flood = HandshakeFlood.start(berth.port(), connections, announced, sent, rounds)) {
            for (int i = 1; i < rounds; i++) {
                Thread.sleep(250); // the trickle's pace
                flood.trickle(sent / rounds + 1);
            }
            Thread.sleep(500); // hold the connections a little longer
            return flood.summary() + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms";
        }
    }
}
