package dev.berth.proxy.tls;

import dev.berth.config.ClientTlsConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.nio.file.Path;
import java.security.cert.CertificateException;
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
     * The client context for connections to the backend. It trusts any server certificate and does not check the
     * host name: the backend is usually a database on the same private network, often with MySQL's
     * auto-generated self-signed certificate, and this matches the MySQL client's default
     * {@code --ssl-mode=REQUIRED} (encrypted, not verified). It protects against passive eavesdropping, not
     * against an active man in the middle.
     */
    public static SslContext forBackend() {
        try {
            return SslContextBuilder.forClient()
                    .trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .protocols(PROTOCOLS)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the TLS context for backend connections", e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
