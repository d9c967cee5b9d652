package dev.berth.proxy.tls;

import dev.berth.config.BackendTlsConfig;
import dev.berth.config.ClientTlsConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Netty TLS contexts for both sides of the proxy, TLSv1.3 and TLSv1.2 only.
 *
 * <p>MySQL clients start TLS mid-handshake (SSLRequest after the greeting), so these contexts are used to build
 * an {@code SslHandler} that is added to the pipeline at that point, not at connect.
 */
public final class TlsContexts {

    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    /** Common name of the certificate generated when no --tls-cert is given. */
    static final String SELF_SIGNED_NAME = "berth";

    private TlsContexts() {
    }

    /**
     * The server context offered to clients: from the PEM certificate chain and private key (PKCS#8, or PKCS#1
     * as MySQL's own {@code server-key.pem}) when configured, otherwise a self-signed RSA certificate generated
     * now, as MySQL does at first start. Generating one takes up to a second; call this once at start.
     *
     * @throws IllegalArgumentException when client TLS is disabled, or the files cannot be read or do not hold
     *                                  a certificate and matching key; the message names the files
     */
    public static SslContext forClients(ClientTlsConfig config) {
        if (!config.enabled()) {
            throw new IllegalArgumentException("client TLS is disabled (--no-tls); there is no context to build");
        }
        if (config.certificate().isPresent()) {
            Path certificate = config.certificate().get();
            Path key = config.privateKey().orElseThrow();
            try {
                return SslContextBuilder.forServer(certificate.toFile(), key.toFile()).protocols(PROTOCOLS).build();
            } catch (SSLException | IllegalArgumentException e) {
                throw new IllegalArgumentException("--tls-cert " + certificate + " / --tls-key " + key
                        + ": cannot use them for TLS (" + rootMessage(e) + ")", e);
            }
        }
        SelfSignedCertificate selfSigned;
        try {
            selfSigned = new SelfSignedCertificate(SELF_SIGNED_NAME);
        } catch (CertificateException e) {
            throw new IllegalStateException("cannot generate a self-signed certificate for client TLS ("
                    + rootMessage(e) + "); give --tls-cert and --tls-key, or --no-tls", e);
        }
        try {
            return SslContextBuilder.forServer(selfSigned.key(), selfSigned.cert()).protocols(PROTOCOLS).build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build client TLS from the self-signed certificate", e);
        } finally {
            // The generator writes the pair to temporary files; the context holds them in memory.
            selfSigned.delete();
        }
    }

    /**
     * The client context for connections to the backend. It checks the server's certificate chain against
     * {@code --backend-tls-ca}, or else the JVM's default trust store, and the host name of {@code --backend} as
     * HTTPS clients do (the {@code SslHandler} must be made with that host), unless {@code --backend-tls-verify}
     * says less. With {@code none} any certificate is trusted, as by the MySQL client's {@code --ssl-mode=REQUIRED}:
     * that protects against passive eavesdropping, not against an active man in the middle.
     *
     * @throws IllegalArgumentException when the {@code --backend-tls-ca} file holds no usable certificate
     */
    public static SslContext forBackend(BackendTlsConfig config) {
        SslContextBuilder builder = SslContextBuilder.forClient()
                .protocols(PROTOCOLS)
                // Set for every mode: Netty 4.2 checks host names unless told not to.
                .endpointIdentificationAlgorithm(config.verify() == BackendTlsConfig.Verify.FULL ? "HTTPS" : null);
        if (config.verify() == BackendTlsConfig.Verify.NONE) {
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
        } else if (config.ca().isPresent()) {
            Path ca = config.ca().get();
            try {
                builder.trustManager(ca.toFile());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--backend-tls-ca " + ca + ": cannot use it for TLS ("
                        + rootMessage(e) + ")", e);
            }
        }
        try {
            return builder.build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the TLS context for backend connections", e);
        }
    }

    /**
     * When {@code failure} is a backend's certificate refused by a {@link #forBackend} context: what was wrong with
     * it, and the flags that change what is checked.
     */
    public static Optional<String> rejectedCertificate(Throwable failure, BackendTlsConfig config) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof CertificateException) {
                String remedies = config.verify() == BackendTlsConfig.Verify.FULL
                        ? "trust its CA with --backend-tls-ca, skip the host name check with --backend-tls-verify ca, "
                                + "or trust any certificate with --backend-tls-verify none"
                        : "trust its CA with --backend-tls-ca, or trust any certificate with --backend-tls-verify none";
                return Optional.of("its TLS certificate was refused (" + rootMessage(cause) + "); " + remedies);
            }
        }
        return Optional.empty();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
