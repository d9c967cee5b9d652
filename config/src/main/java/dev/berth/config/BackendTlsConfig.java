package dev.berth.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * TLS to the backend, and how much of the server's certificate Berth checks.
 *
 * @param ca CA certificates (PEM) the chain must lead to; without them, the JVM's default trust store
 */
public record BackendTlsConfig(boolean enabled, Verify verify, Optional<Path> ca) {

    /** How much of the backend's certificate is checked. */
    public enum Verify {
        /** The chain and the host name of --backend, as HTTPS clients check them. */
        FULL,
        /** The chain only: for certificates that do not name the host Berth connects to. */
        CA,
        /** Nothing: encrypted, but an active man in the middle is not detected. */
        NONE
    }

    public static final BackendTlsConfig OFF = new BackendTlsConfig(false, Verify.FULL, Optional.empty());

    public BackendTlsConfig {
        if (ca.isPresent() && !enabled) {
            throw new IllegalArgumentException("--backend-tls-ca needs --backend-tls");
        }
        if (ca.isPresent() && verify == Verify.NONE) {
            throw new IllegalArgumentException("--backend-tls-ca has no use with --backend-tls-verify none, "
                    + "which trusts any certificate; drop one of them");
        }
    }
}
