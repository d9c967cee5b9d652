package dev.berth.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * TLS offered to clients. Without a certificate and key, Berth generates a self-signed pair at start,
 * as MySQL does.
 *
 * @param required refuse clients that do not switch to TLS (ER_SECURE_TRANSPORT_REQUIRED)
 */
public record ClientTlsConfig(boolean enabled, Optional<Path> certificate, Optional<Path> privateKey, boolean required) {
    public ClientTlsConfig {
        if (certificate.isPresent() != privateKey.isPresent()) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together; give both or neither");
        }
        if (required && !enabled) {
            throw new IllegalArgumentException("--require-tls needs TLS to be enabled");
        }
    }

    public static ClientTlsConfig selfSigned() {
        return new ClientTlsConfig(true, Optional.empty(), Optional.empty(), false);
    }
}
