package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import dev.berth.mysql.auth.NativePassword;
import dev.berth.mysql.fuzz.Generator;
import dev.berth.mysql.message.HandshakeResponse41;
import dev.berth.mysql.protocol.Capabilities;
import dev.berth.mysql.protocol.Command;
import dev.berth.proxy.it.support.RawMysqlClient;
import dev.berth.proxy.frontend.RateLimitedLog;
import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.it.support.TestDatabase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * A bounded fuzz run against a running Berth over raw sockets, several connections at a time: before login
 * (mutated handshake responses, SSLRequest variants, garbage) and after a proper login (mutated commands of every
 * kind, each followed by a marker query whose answer shows the command was dealt with). Every connection must get
 * its answer or be closed in bounded time, Berth must log no failure (an unexpected exception, a buffer leaked under
 * Netty's paranoid leak detector), and afterwards every backend is back in the pool and a new client logs in and
 * runs SELECT 1 within a second.
 *
 * <p>Runs for {@code -Dberth.fuzz.seconds} (default 30) or {@code -Dberth.fuzz.scale} × 50,000 exchanges (a
 * fuzzed packet and what Berth answers), whichever ends first; {@code -Dberth.fuzz.seed} replays a run's choices.
 * Nothing sent can change the shared test server: no command Berth forwards that creates, drops or flushes
 * anything, no KILL in a query.
 */
@Timeout(value = 2, unit = TimeUnit.HOURS) // bounded by -Dberth.fuzz.seconds, which may be longer than the default
class RawSocketFuzzIT {
    private static final int WORKERS = 4;
    /** Far longer than any answer takes on a busy machine. */
    private static final int ANSWER_WITHIN_MILLIS = 10_000;
    /** Berth's --handshake-timeout (1 s) ends every connection not logged in, with time to spare. */
    private static final int LOGIN_ENDS_WITHIN_MILLIS = 5_000;
    /** Forwarded by Berth, and would change the shared server: COM_CREATE_DB, COM_DROP_DB, COM_REFRESH, COM_DEBUG. */
    private static final Set<Integer> UNSAFE_COMMANDS = Set.of(0x05, 0x06, 0x07, 0x0d);
    private static final long CLIENT_CAPABILITIES = Capabilities.CLIENT_LONG_PASSWORD | Capabilities.CLIENT_PROTOCOL_41
            | Capabilities.CLIENT_TRANSACTIONS | Capabilities.CLIENT_SECURE_CONNECTION
            | Capabilities.CLIENT_MULTI_RESULTS | Capabilities.CLIENT_PLUGIN_AUTH | Capabilities.CLIENT_CONNECT_WITH_DB;

    private static RunningBerth berth;
    private static ResourceLeakDetector.Level leakLevel;
    private static final List<ILoggingEvent> berthWarnings = new ArrayList<>();
    private static final AppenderBase<ILoggingEvent> warningCollector = new AppenderBase<>() {
        @Override
        protected synchronized void append(ILoggingEvent event) {
            // Warnings about what a client did (bad logins, timeouts) are expected here; Berth's own faults are not.
            boolean clientEvent = event.getMarkerList() != null
                    && event.getMarkerList().contains(RateLimitedLog.CLIENT_EVENT);
            if (event.getLevel().isGreaterOrEqual(Level.WARN) && !clientEvent) {
                berthWarnings.add(event);
            }
        }
    };

    /** Failures by kind, each with its first example. */
    private final Map<String, String> failures = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws InterruptedException {
        leakLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        // TLS on (the default), so that an SSLRequest really starts a TLS handshake.
        berth = RunningBerth.start("--handshake-timeout", "1s", "--max-packet-size", "1M", "--max-open-conns", "8",
                "--acquire-timeout", "5s");
        warningCollector.start();
        root().addAppender(warningCollector);
    }

    @AfterAll
    static void stop() {
        root().detachAppender(warningCollector);
        if (berth != null) {
            berth.close();
        }
        ResourceLeakDetector.setLevel(leakLevel);
    }

    @Test
    void berthSurvivesRandomAndMutatedPackets() throws Exception {
        long seed = new Generator().seed();
        long start = System.nanoTime();
        Run run = new Run(start + TimeUnit.SECONDS.toNanos(Long.getLong("berth.fuzz.seconds", 30)),
                Generator.packets(50_000));
        ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < WORKERS; i++) {
                Generator g = new Generator(seed + i);
                running.add(workers.submit(() -> fuzz(g, run)));
            }
            for (Future<?> worker : running) {
                worker.get();
            }
        } finally {
            workers.shutdownNow();
        }
        System.out.printf("RawSocketFuzzIT: %,d exchanges in %.1f s (seed %d)%n", run.exchanges.get(),
                (System.nanoTime() - start) / 1e9, seed);
        new TreeMap<>(outcomes).forEach((outcome, n) -> System.out.printf("  %,8d  %s%n", n.sum(), outcome));

        checkBerthAfterwards();
        synchronized (warningCollector) {
            for (ILoggingEvent event : berthWarnings) {
                failures.putIfAbsent(signature(event), example(event));
            }
        }
        assertTrue(failures.isEmpty(), () -> "seed " + seed + " (replay with -Dberth.fuzz.seed=" + seed + "):\n"
                + String.join("\n", failures.entrySet().stream().map(e -> "- " + e.getKey() + "\n    e.g. "
                        + e.getValue()).toList()));
    }

    /** Until {@code deadline}, or until {@code limit} exchanges (a fuzzed packet and Berth's answer) are done. */
    private record Run(long deadline, long limit, AtomicLong exchanges) {
        Run(long deadline, long limit) {
            this(deadline, limit, new AtomicLong());
        }

        boolean next() {
            return System.nanoTime() < deadline && exchanges.incrementAndGet() <= limit;
        }
    }

    private void fuzz(Generator g, Run run) {
        while (run.next()) {
            try {
                if (g.oneIn(3)) {
                    beforeLogin(g);
                } else {
                    afterLogin(g, run);
                }
            } catch (IOException e) {
                failures.putIfAbsent("a connection failed: " + e.getClass().getSimpleName(), e.toString());
            }
        }
    }

    // ---- before login -------------------------------------------------------------------------------------------

    private void beforeLogin(Generator g) throws IOException {
        try (RawMysqlClient c = RawMysqlClient.connect("127.0.0.1", berth.port(), LOGIN_ENDS_WITHIN_MILLIS)) {
            byte[] response = handshakeResponse(g, c.readGreeting().seed());
            String variant;
            byte[] sent;
            switch (g.nextInt(5)) {
                case 0 -> {
                    variant = "valid handshake response";
                    sent = RawMysqlClient.frame(1, response);
                }
                // After an SSLRequest, garbage or silence: the connection must close within the handshake timeout,
                // with no ERR in clear text (none can go through an unfinished TLS session).
                case 1 -> {
                    variant = "SSLRequest, then garbage";
                    sent = concat(RawMysqlClient.frame(1, sslRequest()), g.randomBytes(300));
                }
                case 2 -> {
                    variant = "mutated SSLRequest";
                    sent = g.frames(List.of(g.mutate(sslRequest())), true);
                }
                case 3 -> {
                    variant = "garbage";
                    sent = g.randomBytes(300);
                }
                default -> {
                    variant = "mutated handshake response";
                    sent = g.frames(List.of(g.mutate(response)), true);
                }
            }
            send(c, g, sent);
            try {
                count("before login, " + variant + ": " + loginOutcome(c));
            } catch (SocketTimeoutException e) {
                failures.putIfAbsent("neither logged in nor closed within 5 s (" + variant + ")", hex(sent));
            }
        }
    }

    /** Until Berth says OK or closes the connection (which the 1 s handshake timeout guarantees otherwise). */
    private static String loginOutcome(RawMysqlClient c) throws SocketTimeoutException {
        boolean err = false;
        try {
            RawMysqlClient.Packet p;
            while ((p = c.readPacket()) != null) {
                if (p.isOk()) {
                    return "logged in";
                }
                err |= p.isErr();
            }
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            // reset, or TLS records read as a frame: closed all the same
        }
        return err ? "closed after ERR" : "closed without ERR";
    }

    private static byte[] handshakeResponse(Generator g, byte[] seed) {
        long capabilities = CLIENT_CAPABILITIES | (g.oneIn(2) ? Capabilities.CLIENT_CONNECT_ATTRS : 0)
                | (g.oneIn(2) ? Capabilities.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA : 0)
                | (g.oneIn(2) ? Capabilities.CLIENT_DEPRECATE_EOF : 0);
        HandshakeResponse41 response = new HandshakeResponse41(capabilities, 1 << 24,
                RawMysqlClient.UTF8MB4_GENERAL_CI, RunningBerth.USER,
                NativePassword.scramble(RunningBerth.PASSWORD.getBytes(StandardCharsets.UTF_8), seed),
                TestDatabase.DATABASE, NativePassword.NAME, Map.of("_client_name", "berth-fuzz"));
        return encoded(response::encode);
    }

    /** Connector/J's SSLRequest: the 32-byte fixed part of a response, with CLIENT_SSL. */
    private static byte[] sslRequest() {
        return encoded(out -> HandshakeResponse41.writeFixedPart(out, CLIENT_CAPABILITIES | Capabilities.CLIENT_SSL,
                1 << 24, RawMysqlClient.UTF8MB4_GENERAL_CI));
    }

    private static byte[] encoded(Consumer<ByteBuf> encoder) {
        ByteBuf out = Unpooled.buffer();
        try {
            encoder.accept(out);
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            return bytes;
        } finally {
            out.release();
        }
    }

    // ---- after login --------------------------------------------------------------------------------------------

    private void afterLogin(Generator g, Run run) throws IOException {
        try (RawMysqlClient c = RawMysqlClient.login("127.0.0.1", berth.port(), RunningBerth.USER,
                RunningBerth.PASSWORD, TestDatabase.DATABASE)) {
            c.setReadTimeout(ANSWER_WITHIN_MILLIS);
            List<byte[]> valid = commands(prepare(c));
            for (int i = 0; i < 20 && (i == 0 || run.next()); i++) { // fuzz() counted the first
                byte[] command = command(g, valid);
                byte[] marker = ascii("berth-fuzz-" + g.nextInt(Integer.MAX_VALUE));
                byte[] sent = concat(RawMysqlClient.frame(g.oneIn(8) ? g.nextInt(256) : 0, command),
                        RawMysqlClient.frame(0, command(Command.COM_QUERY, ascii("SELECT '"), marker, ascii("'"))));
                send(c, g, sent);
                String outcome;
                try {
                    outcome = answer(c, concat(bytes(marker.length), marker)); // its row: one lenenc string
                } catch (SocketTimeoutException e) {
                    failures.putIfAbsent("no answer and no close after " + label(command), hex(sent));
                    return;
                }
                count("after login, " + label(command) + ": " + outcome);
                if (outcome.startsWith("closed")) {
                    return;
                }
            }
        }
    }

    /**
     * Reads past the marker query's row (and the packet ending its result), or to the close. A second of quiet after
     * an answer also ends the exchange: an ERR may have answered the marker query in the place of a command that has
     * no answer of its own (the server refusing COM_STMT_SEND_LONG_DATA, say); the next exchange shows whether the
     * connection still works. Silence from the start is a hang.
     */
    private static String answer(RawMysqlClient c, byte[] markerRow) throws IOException {
        boolean err = false;
        boolean answered = false;
        try {
            RawMysqlClient.Packet p;
            while ((p = c.readPacket()) != null) {
                if (Arrays.equals(p.payload(), markerRow)) {
                    c.readPacket();
                    return "answered";
                }
                err |= p.isErr();
                answered = true;
                c.setReadTimeout(1_000);
            }
        } catch (SocketTimeoutException e) {
            if (!answered) {
                throw e;
            }
            return err ? "ERR, then quiet" : "answered, then quiet";
        } catch (IOException e) {
            // reset: closed all the same
        } finally {
            c.setReadTimeout(ANSWER_WITHIN_MILLIS);
        }
        return err ? "closed after ERR" : "closed without ERR";
    }

    /** Prepares SELECT ?, ? (to give COM_STMT_* a real statement id) and returns its id, or 1 if refused. */
    private static int prepare(RawMysqlClient c) throws IOException {
        c.command(Command.COM_STMT_PREPARE, ascii("SELECT ?, ?"));
        RawMysqlClient.Packet ok = c.read(1).get(0);
        if (!ok.isOk()) {
            return 1;
        }
        c.read(2 + 1 + 2 + 1); // two parameter definitions and an EOF, two column definitions and an EOF
        return (ok.payload()[1] & 0xff) | (ok.payload()[2] & 0xff) << 8 | (ok.payload()[3] & 0xff) << 16
                | (ok.payload()[4] & 0xff) << 24;
    }

    /** Valid commands of every kind Berth handles or forwards, statements on {@code statement}. */
    private static List<byte[]> commands(int statement) {
        byte[] id = {(byte) statement, (byte) (statement >> 8), (byte) (statement >> 16), (byte) (statement >> 24)};
        return List.of(
                command(Command.COM_QUERY, ascii("SELECT 1")),
                command(Command.COM_QUERY, ascii("SELECT 'a', NULL, 2.5, CONNECTION_ID()")),
                command(Command.COM_QUERY, ascii("SELECT COLLATION_NAME FROM information_schema.COLLATIONS LIMIT 3")),
                command(Command.COM_QUERY, ascii("SET @fuzz = 'x'")),
                command(Command.COM_QUERY, ascii("DO 1")),
                command(Command.COM_STMT_PREPARE, ascii("SELECT ?")),
                command(Command.COM_STMT_EXECUTE, id, bytes(0x00, 1, 0, 0, 0), // no cursor, one iteration
                        bytes(0x00, 0x01, 0xfe, 0x00, 0x08, 0x00), // NULL bitmap, types bound: STRING, LONGLONG
                        bytes(3, 'a', 'b', 'c', 7, 0, 0, 0, 0, 0, 0, 0)),
                command(Command.COM_STMT_EXECUTE, id, bytes(0x01, 1, 0, 0, 0, 0x03, 0x00)), // cursor, both NULL
                command(Command.COM_STMT_FETCH, id, bytes(1, 0, 0, 0)),
                command(Command.COM_STMT_RESET, id),
                command(Command.COM_STMT_SEND_LONG_DATA, id, bytes(0, 0, 'd', 'a', 't', 'a')),
                command(Command.COM_STMT_CLOSE, id),
                command(Command.COM_CHANGE_USER, ascii("app\0"), bytes(20), new byte[20],
                        ascii(TestDatabase.DATABASE + "\0"), bytes(45, 0), ascii("mysql_native_password\0")),
                command(Command.COM_PROCESS_KILL, bytes(0xff, 0xff, 0xff, 0x7f)), // no such id
                // A short COM_PROCESS_KILL gets an ERR and the session goes on.
                command(Command.COM_PROCESS_KILL, bytes(0xff, 0xff)),
                command(Command.COM_PROCESS_KILL),
                command(Command.COM_FIELD_LIST, ascii("no_such_table\0%")),
                command(Command.COM_INIT_DB, ascii(TestDatabase.DATABASE)),
                command(Command.COM_PING),
                command(Command.COM_STATISTICS),
                command(Command.COM_SET_OPTION, bytes(0, 0)),
                command(Command.COM_RESET_CONNECTION));
    }

    /** One of {@code valid}, a mutation of one, or a random command byte with random bytes; never an unsafe one. */
    private static byte[] command(Generator g, List<byte[]> valid) {
        byte[] command = switch (g.nextInt(8)) {
            case 0 -> g.pick(valid).clone();
            case 1 -> concat(bytes(g.nextInt(256)), g.randomBytes(40));
            default -> g.mutate(g.pick(valid));
        };
        if (command.length > 0 && UNSAFE_COMMANDS.contains(first(command))) {
            command[0] = Command.COM_PING;
        }
        return command;
    }

    // ---- afterwards ---------------------------------------------------------------------------------------------

    private void checkBerthAfterwards() throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (berth.poolStats().inUse() > 0 && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        if (berth.poolStats().inUse() > 0) {
            failures.put("backends still in use 10 s after the last client left", berth.poolStats().toString());
        }
        System.gc(); // so that the leak detector finds buffers dropped unreleased, at Berth's next allocations
        Thread.sleep(100);
        long t0 = System.nanoTime();
        try (RawMysqlClient c = RawMysqlClient.login("127.0.0.1", berth.port(), RunningBerth.USER,
                RunningBerth.PASSWORD, TestDatabase.DATABASE)) {
            String one = c.queryValue("SELECT 1");
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            if (!one.equals("1") || took.toMillis() > 1_000) {
                failures.put("login and SELECT 1 afterwards", "answered " + one + " in " + took.toMillis() + " ms");
            }
        } catch (IOException e) {
            failures.put("login and SELECT 1 afterwards", e.toString());
        }
    }

    /** What a logged warning is about, without what differs between occurrences (ids, indexes). */
    private static String signature(ILoggingEvent event) {
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            return "Berth logged \"" + event.getMessage() + "\": " + thrown.getClassName() + " "
                    + Arrays.stream(thrown.getStackTraceElementProxyArray()).map(Object::toString)
                            .filter(frame -> frame.contains("dev.berth")).findFirst().orElse("").trim();
        }
        if (event.getFormattedMessage().startsWith("LEAK")) {
            return "a buffer leaked (Netty's leak detector)";
        }
        return "Berth logged " + event.getLevel() + " \"" + event.getMessage() + "\"";
    }

    /** The message and cause; for a leak, the places in Berth its access records show. */
    private static String example(ILoggingEvent event) {
        String message = event.getFormattedMessage();
        if (message.startsWith("LEAK")) {
            return "accessed " + message.lines().filter(line -> line.contains("dev.berth")).map(String::trim)
                    .distinct().collect(Collectors.joining(", "));
        }
        IThrowableProxy thrown = event.getThrowableProxy();
        return message + (thrown == null ? "" : " " + thrown.getClassName() + ": " + thrown.getMessage());
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /** Writes {@code bytes} in a few pieces cut at random points; a close by Berth shows in what is read next. */
    private static void send(RawMysqlClient c, Generator g, byte[] bytes) {
        try {
            for (byte[] piece : g.reads(bytes)) {
                c.writeRaw(piece);
            }
        } catch (IOException e) {
            // Berth closed the connection before taking it all
        }
    }

    private void count(String outcome) {
        outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    /** The command's name; unknown command bytes all under one label. */
    private static String label(byte[] command) {
        return switch (first(command)) {
            case -1 -> "empty packet";
            case Command.COM_PROCESS_KILL -> "COM_PROCESS_KILL";
            default -> Command.name(first(command)).startsWith("command") ? "other command bytes"
                    : Command.name(first(command));
        };
    }

    private static int first(byte[] command) {
        return command.length == 0 ? -1 : command[0] & 0xff;
    }

    private static byte[] command(int command, byte[]... arguments) {
        return concat(bytes(command), concat(arguments));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 200));
    }
}
