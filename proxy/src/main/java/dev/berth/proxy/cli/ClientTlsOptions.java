package dev.berth.proxy.cli;

import dev.berth.config.ClientTlsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The flags for TLS offered to clients. */
public final class ClientTlsOptions {

    @Option(names = "--tls", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Offer TLS to clients (--no-tls: do not). Default: on")
    boolean enabled;

    @Option(names = "--tls-cert", paramLabel = "PEM",
            description = "Certificate chain for client TLS. Without --tls-cert and --tls-key, Berth generates "
                    + "a self-signed certificate at start, as MySQL does.")
    Path certificate;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "Private key of --tls-cert (PKCS#8 or PKCS#1).")
    Path privateKey;

    @Option(names = "--require-tls", description = "Refuse clients that do not switch to TLS.")
    boolean required;

    ClientTlsConfig toDomainObject() {
        ClientTlsConfig config = new ClientTlsConfig(enabled, Optional.ofNullable(certificate),
                Optional.ofNullable(privateKey), required);
        if (enabled) {
            // Caught here, the mistake exits with a usage error instead of a failed start.
            requireReadable("--tls-cert", certificate);
            requireReadable("--tls-key", privateKey);
        }
        return config;
    }

    private static void requireReadable(String option, Path file) {
        if (file != null && !Files.isReadable(file)) {
            throw new IllegalArgumentException(option + " " + file + ": "
                    + (Files.exists(file) ? "cannot be read" : "no such file"));
        }
    }
}
