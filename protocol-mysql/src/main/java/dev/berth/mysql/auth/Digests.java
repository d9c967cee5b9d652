package dev.berth.mysql.auth;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Hashing and XOR shared by the auth plugins. Package-private: the plugins are the API. */
final class Digests {
    private Digests() {
    }

    static byte[] sha1(byte[]... parts) {
        return digest("SHA-1", parts);
    }

    static byte[] sha256(byte[]... parts) {
        return digest("SHA-256", parts);
    }

    private static byte[] digest(String algorithm, byte[]... parts) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-1 and SHA-256.
            throw new IllegalStateException(algorithm + " unavailable", e);
        }
        for (byte[] part : parts) {
            md.update(part);
        }
        return md.digest();
    }

    /** {@code a XOR b}, with {@code b} (not empty) repeated as often as needed to cover {@code a}. */
    static byte[] xor(byte[] a, byte[] b) {
        if (b.length == 0) {
            throw new IllegalArgumentException("empty seed");
        }
        byte[] out = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (byte) (a[i] ^ b[i % b.length]);
        }
        return out;
    }
}
