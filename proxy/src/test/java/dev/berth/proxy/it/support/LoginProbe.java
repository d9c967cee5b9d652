package dev.berth.proxy.it.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Another application's client, in its own JVM: every 100 ms a new connection (MariaDB Connector/J) logs in and runs
 * SELECT 1, timed. In a process of its own, what it measures is how the server (Berth) answers it, not how a test JVM
 * busy with 24 clients of its own (and their garbage) schedules one more thread.
 *
 * <p>The child prints {@code ready} after a first, untimed login (class loading, JIT), then {@code ok <ms>} or
 * {@code fail <error>} per probe, and stops when its standard input closes.
 */
public final class LoginProbe implements AutoCloseable {
    private final Process process;
    private final Thread reader;
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong slowest = new AtomicLong();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final CountDownLatch ready = new CountDownLatch(1);

    private LoginProbe(Process process) {
        this.process = process;
        this.reader = new Thread(this::read, "login-probe-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts probing {@code url}; returns once the first login went through. */
    public static LoginProbe start(String url, String user, String password) throws IOException, InterruptedException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                LoginProbe.class.getName(), url, user, password);
        LoginProbe probe = new LoginProbe(new ProcessBuilder(command).redirectErrorStream(true).start());
        if (!probe.ready.await(30, TimeUnit.SECONDS)) {
            probe.close();
            throw new AssertionError("login probe not ready within 30 s: " + List.copyOf(probe.failures));
        }
        return probe;
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("ready")) {
                    ready.countDown();
                } else if (line.startsWith("ok ")) {
                    count.incrementAndGet();
                    slowest.accumulateAndGet(Long.parseLong(line.substring(3)), Math::max);
                } else {
                    failures.add(line);
                }
            }
        } catch (IOException | NumberFormatException e) {
            failures.add(e.toString());
        }
    }

    public long count() {
        return count.get();
    }

    /** The slowest login + SELECT 1 so far, in milliseconds. */
    public long slowestMillis() {
        return slowest.get();
    }

    /** Failed probes and anything else the child printed. */
    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** Stops the child and waits for its last lines. */
    @Override
    public void close() throws InterruptedException {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // it has gone already
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        reader.join(5000);
    }

    /** The child: {@code url user password}. */
    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        AtomicBoolean stopped = new AtomicBoolean();
        Thread stdin = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing is sent; end of input means stop
                }
            } catch (IOException ignored) {
                // the parent went away
            }
            stopped.set(true);
        });
        stdin.setDaemon(true);
        stdin.start();
        boolean first = true;
        while (!stopped.get()) {
            long t0 = System.nanoTime();
            try (Connection c = DriverManager.getConnection(args[0], args[1], args[2]);
                 Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                if (!rs.next() || rs.getInt(1) != 1) {
                    throw new IllegalStateException("SELECT 1 did not answer 1");
                }
                out.println(first ? "ready" : "ok " + (System.nanoTime() - t0) / 1_000_000);
                first = false;
            } catch (Exception e) {
                out.println("fail " + e);
            }
            out.flush();
            Thread.sleep(100); // a login every ~100 ms, not a busy loop
        }
    }
}
