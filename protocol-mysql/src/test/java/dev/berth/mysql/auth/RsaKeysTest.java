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
    /** The private half, CachingSha2PasswordTest.testPrivateKey(), as "openssl genrsa | openssl pkcs8 -topk8 -nocrypt". */
    static final String PKCS8_PRIVATE = """
        -----BEGIN PRIVATE KEY-----
        MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDDXdZ1E3hD7Dj5
        UgvJDPvkQ/En5YT5hAztVCaCfgQ7q7hcX8iJ9NSqrMxR/r3C45p6C3z7uUnMCAln
        PcyU/8jJ8g5NltBBfFxQOdlVCqKLkuh64/quyoVhk/Upu2oKCWoh4yQ3jjlLuM8k
        kwwIM5s2/79GoOkPF/btwq+f2xIAdZ8ZYAFf+4UFbTDVe+vFyMFP+8plG47IP3s9
        atQnOgWE0bDyZtMiM1Gr8D7EX/yxWgTcKwgE1+J+u9+yQ8v4YlrECisT/AbU/EzW
        aa95iL5SXDEKaqvIgAdsuuWed3WZXdfTTLrNJGRrpol+mlUK5quT2GRwKuD8fGDJ
        t8f7tmKXAgMBAAECggEAB7uVG3kzz2xwLN4kfUa4Saauyud4xe+GG3azN4MJY9s+
        JtnbtCouqLrCM5Sjqi0cFiySO9xvoVXIGYAGsvcU2XltO4D2qUDk3oALrCQJnwCn
        lwWjDHwTn3MdxxMV9WO+Aa1d550Hg4nDGS2A0mpIgHrK9V61GtXV/j8weGFRaxcr
        BfxTHdEzQW30J8EZ3UmXI72iEpuQJUtS+IFmtwLk1fU42euL6zINLyFEdrJuwhni
        NLkfZyJOjd1bXYZVMX1jdBugW8Fi8d/oCwORsi9O6lQ9gHB1bMHa9X/4CtHYinba
        i/D9SuwgKjNmAINp1ZN9aRfZevuhrrXqoC/bIpMfUQKBgQDqLjKMhyhN2lJTal4j
        sXHECRsj7kX9MgZchw64EWBSgcVqe8M/62vlXELX3dgarTYe1HT2x48JDCq8xzVz
        GEPCh+D3CmTPNAaPC6i9bahSppNYE6/SMKcySN453ngz3+fg0+pihL8H6nmjrzEo
        yo6e5lFEqIDfpdtR2UU5PTfZRQKBgQDVkdRUdn/Q3TfrqJMP4wyJFj8D/3THYvT/
        ixjhbFc/Q5XErEljkpAen/dC+yrGIhQT9Z5eliIxqKhOQSSUgFVfcI6cHfIjxDTp
        H9y0r5oLlV3ikXqEmbHHlahpJ9RKk20uL2SXc+BrFBFxKw1bhkhb92uhxS+QmfmM
        qMBkQ+WUKwKBgQCbwTBDwV1wMoZRDs0gRlQZg8j2Y/NPDSeoAPgsOvpqxf9M7JYX
        fHid63hV5Spny87UQJCu1lnvNZVzS7fkHj5rMz7QcKxOGBdIqwOHQlkS59HWYfmt
        /kgmLMsJiEtAjWrHYYtiDVKVbEGNOeejbt3fF+bzmHNmzQSLcswU3v+3VQKBgHvp
        SFBZEH+WWkOYYvrsuPEwvw8KwC6O86bwhVcFDPnftJ2PeGUVPBkIpuVt5LtgOlX6
        RBCM+vnk6QG+OgMPEnl1TMi3dy3ZQPmhSuRqne3qk7ZIwdT9d3BdHIEmYr2CG+6Y
        ALz+tk5qLlSCrhVUK9dwDjqltZsoOumpXzbNTf5RAoGBAKmESnu3V1+Q/Yaksozd
        TMCeMmn29Zo4zGUSuQ5J5TQD4BDDq1oy8K2lNgBceUC9n8w3NMOxyMBJ5WNzVYRN
        5mCf2IDqb6oEwcEPL0+ZG9AG7VS5X4yXXBtJXHHzua+k3Gcnz89OOGlkpY5cYsQo
        o6+Wkc2+vo6vMgD+QyQfeSEr
        -----END PRIVATE KEY-----
        """;
    /** The same, as MySQL's own private_key.pem holds it: "openssl pkey -in k8.pem -traditional". */
    private static final String PKCS1_PRIVATE = """
        -----BEGIN RSA PRIVATE KEY-----
        MIIEpAIBAAKCAQEAw13WdRN4Q+w4+VILyQz75EPxJ+WE+YQM7VQmgn4EO6u4XF/I
        ifTUqqzMUf69wuOaegt8+7lJzAgJZz3MlP/IyfIOTZbQQXxcUDnZVQqii5LoeuP6
        rsqFYZP1KbtqCglqIeMkN445S7jPJJMMCDObNv+/RqDpDxf27cKvn9sSAHWfGWAB
        X/uFBW0w1XvrxcjBT/vKZRuOyD97PWrUJzoFhNGw8mbTIjNRq/A+xF/8sVoE3CsI
        BNfifrvfskPL+GJaxAorE/wG1PxM1mmveYi+UlwxCmqryIAHbLrlnnd1mV3X00y6
        zSRka6aJfppVCuark9hkcCrg/HxgybfH+7ZilwIDAQABAoIBAAe7lRt5M89scCze
        JH1GuEmmrsrneMXvhht2szeDCWPbPibZ27QqLqi6wjOUo6otHBYskjvcb6FVyBmA
        BrL3FNl5bTuA9qlA5N6AC6wkCZ8Ap5cFowx8E59zHccTFfVjvgGtXeedB4OJwxkt
        gNJqSIB6yvVetRrV1f4/MHhhUWsXKwX8Ux3RM0Ft9CfBGd1JlyO9ohKbkCVLUviB
        ZrcC5NX1ONnri+syDS8hRHaybsIZ4jS5H2ciTo3dW12GVTF9Y3QboFvBYvHf6AsD
        kbIvTupUPYBwdWzB2vV/+ArR2Ip22ovw/UrsICozZgCDadWTfWkX2Xr7oa616qAv
        2yKTH1ECgYEA6i4yjIcoTdpSU2peI7FxxAkbI+5F/TIGXIcOuBFgUoHFanvDP+tr
        5VxC193YGq02HtR09sePCQwqvMc1cxhDwofg9wpkzzQGjwuovW2oUqaTWBOv0jCn
        MkjeOd54M9/n4NPqYoS/B+p5o68xKMqOnuZRRKiA36XbUdlFOT032UUCgYEA1ZHU
        VHZ/0N0366iTD+MMiRY/A/90x2L0/4sY4WxXP0OVxKxJY5KQHp/3QvsqxiIUE/We
        XpYiMaioTkEklIBVX3COnB3yI8Q06R/ctK+aC5Vd4pF6hJmxx5WoaSfUSpNtLi9k
        l3PgaxQRcSsNW4ZIW/drocUvkJn5jKjAZEPllCsCgYEAm8EwQ8FdcDKGUQ7NIEZU
        GYPI9mPzTw0nqAD4LDr6asX/TOyWF3x4net4VeUqZ8vO1ECQrtZZ7zWVc0u35B4+
        azM+0HCsThgXSKsDh0JZEufR1mH5rf5IJizLCYhLQI1qx2GLYg1SlWxBjTnno27d
        3xfm85hzZs0Ei3LMFN7/t1UCgYB76UhQWRB/llpDmGL67LjxML8PCsAujvOm8IVX
        BQz537Sdj3hlFTwZCKblbeS7YDpV+kQQjPr55OkBvjoDDxJ5dUzIt3ct2UD5oUrk
        ap3t6pO2SMHU/XdwXRyBJmK9ghvumAC8/rZOai5Ugq4VVCvXcA46pbWbKDrpqV82
        zU3+UQKBgQCphEp7t1dfkP2GpLKM3UzAnjJp9vWaOMxlErkOSeU0A+AQw6taMvCt
        pTYAXHlAvZ/MNzTDscjASeVjc1WETeZgn9iA6m+qBMHBDy9PmRvQBu1UuV+Ml1wb
        SVxx87mvpNxnJ8/PTjhpZKWOXGLEKKOvlpHNvr6OrzIA/kMkH3khKw==
        -----END RSA PRIVATE KEY-----
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
    void privateKeyInEitherFormWithItsPublicKey() {
        PublicKey expected = RsaKeys.parsePem(OPENSSL_X509.getBytes(US_ASCII));
        for (String pem : new String[] {PKCS8_PRIVATE, PKCS1_PRIVATE, PKCS1_PRIVATE.replace("\n", "\r\n")}) {
            KeyPair pair = RsaKeys.parsePrivatePem(pem.getBytes(US_ASCII));
            assertArrayEquals(expected.getEncoded(), pair.getPublic().getEncoded());
            assertEquals(OPENSSL_X509, RsaKeys.toPem(pair.getPublic()));
            byte[] seed = Scrambles.newSeed();
            byte[] encrypted = CachingSha2Password.encryptPassword("pw".getBytes(US_ASCII), seed, pair.getPublic());
            assertArrayEquals("pw".getBytes(US_ASCII), CachingSha2Password.decryptPassword(encrypted, seed,
                pair.getPrivate()));
        }
    }

    @Test
    void rejectsWhatIsNotAnUnencryptedPrivateKey() {
        assertThrows(IllegalArgumentException.class, () -> RsaKeys.parsePrivatePem(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> RsaKeys.parsePrivatePem(OPENSSL_X509.getBytes(US_ASCII)));
        assertThrows(IllegalArgumentException.class, () -> RsaKeys.parsePrivatePem(
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n".getBytes(US_ASCII)));
        assertThrows(IllegalArgumentException.class, () -> RsaKeys.parsePrivatePem(PKCS1_PRIVATE
            .replace("-----BEGIN RSA PRIVATE KEY-----\n", "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n")
            .getBytes(US_ASCII)));
        byte[] cut = Arrays.copyOf(PKCS1_PRIVATE.getBytes(US_ASCII), 200);
        assertThrows(IllegalArgumentException.class, () -> RsaKeys.parsePrivatePem(cut));
        assertThrows(IllegalArgumentException.class, () -> RsaKeys.parsePrivatePem(
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".getBytes(US_ASCII)));
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
