package dev.berth.mysql.auth;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.KeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * RSA keys for the {@code caching_sha2_password} exchange without TLS, in the PEM form the server sends in
 * AuthMoreData after the client's {@link CachingSha2Password#REQUEST_PUBLIC_KEY}, and the server's private key as
 * PEM files hold it.
 *
 * @see <a href="https://dev.mysql.com/doc/refman/8.0/en/caching-sha2-pluggable-authentication.html">Caching SHA-2 Pluggable Authentication</a>
 */
public final class RsaKeys {
    private static final String X509_BEGIN = "-----BEGIN PUBLIC KEY-----";
    private static final String X509_END = "-----END PUBLIC KEY-----";
    private static final String PKCS1_BEGIN = "-----BEGIN RSA PUBLIC KEY-----";
    private static final String PKCS1_END = "-----END RSA PUBLIC KEY-----";
    private static final String PKCS8_PRIVATE_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String PKCS8_PRIVATE_END = "-----END PRIVATE KEY-----";
    private static final String PKCS1_PRIVATE_BEGIN = "-----BEGIN RSA PRIVATE KEY-----";
    private static final String PKCS1_PRIVATE_END = "-----END RSA PRIVATE KEY-----";

    private RsaKeys() {
    }

    /** A new 2048-bit RSA key pair, the size MySQL generates for {@code caching_sha2_password}. */
    public static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA unavailable", e);
        }
    }

    /** The key as X.509 SubjectPublicKeyInfo PEM, 64 columns, {@code \n} line ends, as OpenSSL (so MySQL) writes it. */
    public static String toPem(PublicKey key) {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded());
        return X509_BEGIN + "\n" + body + "\n" + X509_END + "\n";
    }

    /**
     * Parses a PEM public key: "BEGIN PUBLIC KEY" (X.509, what MySQL sends) or "BEGIN RSA PUBLIC KEY" (PKCS#1).
     * Line ends, surrounding whitespace and trailing NULs are tolerated.
     *
     * @throws IllegalArgumentException if it is neither
     */
    public static PublicKey parsePem(byte[] pem) {
        String text = new String(pem, StandardCharsets.ISO_8859_1).replace("\0", "").trim();
        try {
            KeyFactory rsa = KeyFactory.getInstance("RSA");
            KeySpec spec;
            if (text.startsWith(X509_BEGIN) && text.endsWith(X509_END)) {
                spec = new X509EncodedKeySpec(base64Body(text, X509_BEGIN, X509_END));
            } else if (text.startsWith(PKCS1_BEGIN) && text.endsWith(PKCS1_END)) {
                spec = pkcs1(base64Body(text, PKCS1_BEGIN, PKCS1_END));
            } else {
                throw new IllegalArgumentException("not a PEM public key");
            }
            return rsa.generatePublic(spec);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("unreadable RSA public key", e);
        }
    }

    /**
     * Reads an unencrypted PEM RSA private key, "BEGIN PRIVATE KEY" (PKCS#8, what OpenSSL 3 writes) or "BEGIN RSA
     * PRIVATE KEY" (PKCS#1, MySQL's own {@code private_key.pem}), with the public key it holds.
     *
     * @throws IllegalArgumentException if it is neither, is encrypted, or is not RSA
     */
    public static KeyPair parsePrivatePem(byte[] pem) {
        String text = new String(pem, StandardCharsets.ISO_8859_1).replace("\0", "").trim();
        try {
            KeyFactory rsa = KeyFactory.getInstance("RSA");
            KeySpec spec;
            if (text.startsWith(PKCS8_PRIVATE_BEGIN) && text.endsWith(PKCS8_PRIVATE_END)) {
                spec = new PKCS8EncodedKeySpec(base64Body(text, PKCS8_PRIVATE_BEGIN, PKCS8_PRIVATE_END));
            } else if (text.startsWith(PKCS1_PRIVATE_BEGIN) && text.endsWith(PKCS1_PRIVATE_END)) {
                if (text.contains("Proc-Type:")) {
                    throw new IllegalArgumentException("the key is encrypted; give it unencrypted");
                }
                spec = pkcs1Private(base64Body(text, PKCS1_PRIVATE_BEGIN, PKCS1_PRIVATE_END));
            } else {
                throw new IllegalArgumentException("not an unencrypted PEM RSA private key (BEGIN PRIVATE KEY or "
                        + "BEGIN RSA PRIVATE KEY)");
            }
            PrivateKey key = rsa.generatePrivate(spec);
            if (!(key instanceof RSAPrivateCrtKey crt)) {
                throw new IllegalArgumentException("the private key does not hold its public exponent");
            }
            PublicKey publicKey = rsa.generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
            return new KeyPair(publicKey, key);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("unreadable RSA private key", e);
        }
    }

    private static byte[] base64Body(String text, String begin, String end) {
        String body = text.substring(begin.length(), text.length() - end.length()).replaceAll("\\s", "");
        return Base64.getDecoder().decode(body); // IllegalArgumentException on bad base64
    }

    /** PKCS#1 {@code RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }}, DER. */
    private static RSAPublicKeySpec pkcs1(byte[] der) {
        Der in = new Der(der);
        Der seq = new Der(in.next(0x30));
        return new RSAPublicKeySpec(new BigInteger(seq.next(0x02)), new BigInteger(seq.next(0x02)));
    }

    /**
     * PKCS#1 {@code RSAPrivateKey ::= SEQUENCE { version, modulus, publicExponent, privateExponent, prime1, prime2,
     * exponent1, exponent2, coefficient }}, all INTEGERs, DER.
     */
    private static RSAPrivateCrtKeySpec pkcs1Private(byte[] der) {
        Der seq = new Der(new Der(der).next(0x30));
        seq.next(0x02); // version 0: two primes
        BigInteger[] values = new BigInteger[8];
        for (int i = 0; i < values.length; i++) {
            values[i] = new BigInteger(seq.next(0x02));
        }
        return new RSAPrivateCrtKeySpec(values[0], values[1], values[2], values[3], values[4], values[5], values[6],
                values[7]);
    }

    /** Just enough DER to read a PKCS#1 key: definite lengths, no nesting beyond what we ask for. */
    private static final class Der {
        private final byte[] bytes;
        private int pos;

        Der(byte[] bytes) {
            this.bytes = bytes;
        }

        /** The contents of the next element, which must have tag {@code tag}. */
        byte[] next(int tag) {
            if (pos + 2 > bytes.length || (bytes[pos] & 0xff) != tag) {
                throw new IllegalArgumentException("malformed PKCS#1 key: expected tag " + tag);
            }
            pos++;
            int length = bytes[pos++] & 0xff;
            if (length >= 0x80) {
                // Long form: the low bits say how many big-endian length bytes follow; 4 is plenty.
                int count = length & 0x7f;
                if (count == 0 || count > 4 || pos + count > bytes.length) {
                    throw new IllegalArgumentException("malformed PKCS#1 key: bad length");
                }
                length = 0;
                for (int i = 0; i < count; i++) {
                    length = (length << 8) | (bytes[pos++] & 0xff);
                }
            }
            if (length < 0 || length > bytes.length - pos) {
                throw new IllegalArgumentException("malformed PKCS#1 key: truncated");
            }
            byte[] contents = Arrays.copyOfRange(bytes, pos, pos + length);
            pos += length;
            return contents;
        }
    }
}
