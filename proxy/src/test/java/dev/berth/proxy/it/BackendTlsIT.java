package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.berth.proxy.it.support.RawMysqlClient;
import dev.berth.proxy.it.support.RunningBerth;
import dev.berth.proxy.it.support.TestPki;
import dev.berth.proxy.it.support.TlsBackendStandIn;
import dev.berth.proxy.server.BerthServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@code --backend-tls} verifies the backend: the certificate chain against the JVM's trust store or
 * {@code --backend-tls-ca}, and the host name of {@code --backend}, unless {@code --backend-tls-verify} asks for less.
 * A refused certificate reaches the client as ERR 1105 naming the problem and the flags, and the backend password is
 * never sent. The backend is a stand-in that starts TLS as MySQL does (the test MariaDB has no TLS), with a
 * certificate for "localhost" only, signed by a test CA.
 */
class BackendTlsIT {
    private static final String BACKEND_USER = "berth";

    @TempDir
    static Path dir;
    private static TestPki pki;
    private static String caPem;

    private final Logger serverLog = (Logger) LoggerFactory.getLogger(BerthServer.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private TlsBackendStandIn backend;

    @BeforeAll
    static void generateCertificates() {
        pki = TestPki.generate("localhost");
        caPem = pki.writeCaPem(dir.resolve("ca.pem")).toString();
    }

    @BeforeEach
    void start() throws Exception {
        backend = TlsBackendStandIn.start(pki.serverContext());
        logged.start();
        serverLog.addAppender(logged);
    }

    @AfterEach
    void stop() throws Exception {
        serverLog.detachAppender(logged);
        backend.close();
    }

    @Test
    void aCertificateTheJvmDoesNotTrustIsRefusedAndTheClientIsToldWhy() throws Exception {
        String address = "localhost:" + backend.port();
        String message = refusal(address, "--backend-tls");
        assertTrue(message.contains(address), message);
        assertTrue(message.contains("unable to find valid certification path"), message);
        assertTrue(message.contains("--backend-tls-ca"), message);
        assertTrue(message.contains("--backend-tls-verify"), message);
    }

    @Test
    void aCertificateFromTheGivenCaForTheBackendsHostNameIsAccepted() throws Exception {
        assertAccepted("localhost:" + backend.port(), "--backend-tls", "--backend-tls-ca", caPem);
    }

    @Test
    void aHostNameTheCertificateDoesNotNameIsRefusedByDefault() throws Exception {
        String message = refusal("127.0.0.1:" + backend.port(), "--backend-tls", "--backend-tls-ca", caPem);
        assertTrue(message.contains("127.0.0.1"), message);
        assertTrue(message.contains("--backend-tls-verify ca"), message);
    }

    @Test
    void verifyCaAcceptsAHostNameTheCertificateDoesNotName() throws Exception {
        assertAccepted("127.0.0.1:" + backend.port(), "--backend-tls", "--backend-tls-ca", caPem,
                "--backend-tls-verify", "ca");
    }

    @Test
    void verifyCaStillChecksTheChain() throws Exception {
        String message = refusal("127.0.0.1:" + backend.port(), "--backend-tls", "--backend-tls-verify", "ca");
        assertTrue(message.contains("unable to find valid certification path"), message);
        assertTrue(message.contains("--backend-tls-ca"), message);
    }

    @Test
    void verifyNoneTrustsAnyCertificateAndSaysSoAtStart() throws Exception {
        assertAccepted("127.0.0.1:" + backend.port(), "--backend-tls", "--backend-tls-verify", "none");
        List<String> warnings = logged.list.stream().filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("--backend-tls-verify none"), warnings.get(0));
        assertTrue(warnings.get(0).contains("not verified"), warnings.get(0));
    }

    /** Starts Berth with {@code flags} against {@code address}; a client gets Berth's greeting, so the login worked. */
    private void assertAccepted(String address, String... flags) throws Exception {
        try (RunningBerth berth = startBerth(address, flags);
             RawMysqlClient client = RawMysqlClient.connect("127.0.0.1", berth.port(), 5_000)) {
            RawMysqlClient.Packet first = client.readPacket();
            assertNotNull(first, "closed without a greeting");
            assertFalse(first.isErr(), first.describe());
            assertEquals(BACKEND_USER, backend.logins().get(0));
        }
    }

    /** Starts Berth with {@code flags} against {@code address} and returns the ERR a client gets. */
    private String refusal(String address, String... flags) throws Exception {
        try (RunningBerth berth = startBerth(address, flags);
             RawMysqlClient client = RawMysqlClient.connect("127.0.0.1", berth.port(), 5_000)) {
            RawMysqlClient.Packet first = client.readPacket();
            assertNotNull(first, "closed without an ERR");
            assertTrue(first.isErr(), first.describe());
            assertEquals(1105, first.err().code(), first.describe());
            assertEquals(List.of(), backend.logins(), "the backend password went to an unverified server");
            return first.err().message();
        }
    }

    private static RunningBerth startBerth(String address, String... flags) throws InterruptedException {
        String[] all = new String[flags.length + 1];
        all[0] = "--no-tls";
        System.arraycopy(flags, 0, all, 1, flags.length);
        return RunningBerth.startAgainst(address, BACKEND_USER, "backend-secret", all);
    }
}
