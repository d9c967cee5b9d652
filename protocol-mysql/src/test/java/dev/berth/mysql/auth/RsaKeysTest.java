package dev.berth.mysql.auth;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RsaKeysTest {
    /*
     * A public key as MySQL sends it after REQUEST_PUBLIC_KEY: MySQL writes it with OpenSSL's
     * PEM_write_bio_RSA_PUBKEY, which is what "openssl rsa -pubout" prints. Made with
     *   openssl genrsa -out k.pem 2048 && openssl rsa -in k.pem -pubout
     * and, for the PKCS#1 form of the same key, openssl rsa -in k.pem -RSAPublicKey_out.
     * The private half is CachingSha2PasswordTest.testPrivateKey().
     */
    private static final String OPENSSL_X509 = """
        -----BEGIN PUBLIC KEY-----
        MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAw13WdRN4Q+w4+VILyQz7
        5EPxJ+WE+YQM7VQmgn4EO6u4XF/IifTUqqzMUf69wuOaegt8+7lJzAgJZz3MlP/I
        yfIOTZbQQXxcUDnZVQqii5LoeuP6rsqFYZP1KbtqCglqIeMkN445S7jPJJMMCDOb
        Nv+/RqDpDxf27cKvn9sSAHWfGWABX/uFBW0w1XvrxcjBT/vKZRuOyD97PWrUJzoF
        hNGw8mbTIjNRq/A+xF/8sVoE3CsIBNfifrvfskPL+GJaxAorE/wG1PxM1mmveYi+
        UlwxCmqryIAHbLrlnnd1mV3X00y6zSRka6aJfppVCuark9hkcCrg/HxgybfH+7Zi
        lwIDAQAB
        -----END PUBLIC KEY-----
        """;
    private static final String OPENSSL_PKCS1 = """
        -----BEGIN RSA PUBLIC KEY-----
        MIIBCgKCAQEAw13WdRN4Q+w4+VILyQz75EPxJ+WE+YQM7VQmgn4EO6u4XF/IifTU
        qqzMUf69wuOaegt8+7lJzAgJZz3MlP/IyfIOTZbQQXxcUDnZVQqii5LoeuP6rsqF
        YZP1KbtqCglqIeMkN445S7jPJJMMCDObNv+/RqDpDxf27cKvn9sSAHWfGWABX/uF
        BW0w1XvrxcjBT/vKZRuOyD97PWrUJzoFhNGw8mbTIjNRq/A+xF/8sVoE3CsIBNfi
        frvfskPL+GJaxAorE/wG1PxM1mmveYi+UlwxCmqryIAHbLrlnnd1mV3X00y6zSRk
        a6aJfppVCuark9hkcCrg/HxgybfH+7ZilwIDAQAB
        -----END RSA PUBLIC KEY-----
        """;
    /** From "openssl rsa -in k.pem -noout -modulus". */
    private static final String MODULUS_PREFIX = "C35DD675137843EC38F9520BC90CFBE443F127E584F9840CED54";

    @Test
    void parsesOpenSslPem() {
        RSAPublicKey key = (RSAPublicKey) RsaKeys.parsePem(OPENSSL_X509.getBytes(US_ASCII));
        assertEquals(2048, key.getModulus().bitLength());
        assertEquals(BigInteger.valueOf(65537), key.getPublicExponent());
        assertTrue(key.getModulus().toString(16).toUpperCase().startsWith(MODULUS_PREFIX));
    }

    @Test
    void writesExactlyWhatOpenSslWrites() {
        PublicKey key = RsaKeys.parsePem(OPENSSL_X509.getBytes(US_ASCII));
        assertEquals(OPENSSL_X509, RsaKeys.toPem(key));
    }

    @Test
    void parsesPkcs1ToTheSameKey() {
        PublicKey x509 = RsaKeys.parsePem(OPENSSL_X509.getBytes(US_ASCII));
        PublicKey pkcs1 = RsaKeys.parsePem(OPENSSL_PKCS1.getBytes(US_ASCII));
        assertArrayEquals(x509.getEncoded(), pkcs1.getEncoded());
    }

    @Test
    void toleratesCrLfAndTrailingNul() {
        byte[] pem = (OPENSSL_X509.replace("\n", "\r\n") + "\0").getBytes(US_ASCII);
        assertArrayEquals(RsaKeys.parsePem(OPENSSL_X509.getBytes(US_ASCII)).getEncoded(), RsaKeys.parsePem(pem).getEncoded());
    }

    @Test
    void pemRoundTrip() {
        KeyPair pair = RsaKeys.generate();
        String pem = RsaKeys.toPem(pair.getPublic());
        assertTrue(pem.startsWith("-----BEGIN PUBLIC KEY-----\n"));
        assertTrue(pem.endsWith("\n-----END PUBLIC KEY-----\n"));
        String[] lines = pem.split("\n");
        for (int i = 1; i < lines.length - 2; i++) {
            assertEquals(64, lines[i].length(), "line " + i);
        }
        assertArrayEquals(pair.getPublic().getEncoded(), RsaKeys.parsePem(pem.getBytes(US_ASCII)).getEncoded());
        assertEquals(2048, ((RSAPublicKey) pair.getPublic()).getModulus().bitLength());
    }

    @Test
    void rejectsWhatIsNotAPublicKey() {
        assertThrows(IllegalArgumentException.class, () -> RsaKeys.parsePem(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> RsaKeys.parsePem("hello".getBytes(US_ASCII)));
        assertThrows(IllegalArgumentException.class,
            () -> RsaKeys.parsePem("-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n".getBytes(US_ASCII)));
        assertThrows(IllegalArgumentException.class,
            () -> RsaKeys.parsePem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n".getBytes(US_ASCII)));
        byte[] cut = Arrays.copyOf(OPENSSL_PKCS1.getBytes(US_ASCII), 120);
        assertThrows(IllegalArgumentException.class, () -> RsaKeys.parsePem(cut));
        assertThrows(IllegalArgumentException.class,
            () -> RsaKeys.parsePem("-----BEGIN RSA PUBLIC KEY-----\nMAA=\n-----END RSA PUBLIC KEY-----\n".getBytes(US_ASCII)));
    }
}
