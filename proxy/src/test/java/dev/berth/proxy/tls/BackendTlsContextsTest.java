package dev.berth.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.config.BackendTlsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendTlsContextsTest {

    @TempDir
    Path dir;

    @Test
    void aCaFileWithoutCertificatesIsNamed() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
        BackendTlsConfig config = new BackendTlsConfig(true, BackendTlsConfig.Verify.FULL, Optional.of(ca));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TlsContexts.forBackend(config));

        assertEquals("--backend-tls-ca " + ca + ": cannot use it for TLS (found no certificates in input stream)",
                e.getMessage());
    }
}
