package dev.berth.mysql.fuzz;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Byte-level mutations of a packet, chosen for what breaks decoders: bits flipped, protocol-significant bytes
 * planted, the packet cut short or padded, a length field nudged off by a little, huge length-encoded prefixes.
 */
public final class Mutator {
    /** Bytes that mean something to the protocol: NUL, OK/AuthMoreData headers, lenenc prefixes, EOF, ERR. */
    private static final byte[] SIGNIFICANT = {0x00, 0x01, 0x7f, (byte) 0x80, (byte) 0xfa, (byte) 0xfb, (byte) 0xfc,
        (byte) 0xfd, (byte) 0xfe, (byte) 0xff};
    /** Length-encoded integers announcing far more than any packet holds (the last: 2^64 - 1, negative as a long). */
    private static final byte[][] HUGE_LENENC = {
        {(byte) 0xfc, (byte) 0xff, (byte) 0xff},
        {(byte) 0xfd, (byte) 0xff, (byte) 0xff, (byte) 0xff},
        {(byte) 0xfe, 0, 0, 0, (byte) 0x80, 0, 0, 0, 0},
        {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x7f, 0, 0, 0, 0},
        {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
            (byte) 0xff}};

    private final RandomGenerator random;

    public Mutator(RandomGenerator random) {
        this.random = random;
    }

    /** One to four mutations of {@code packet}, which is left as it was. */
    public byte[] mutate(byte[] packet) {
        byte[] out = packet;
        for (int n = 1 + random.nextInt(4); n > 0; n--) {
            out = mutateOnce(out);
        }
        return out;
    }

    private byte[] mutateOnce(byte[] in) {
        if (in.length == 0) {
            return randomBytes(1 + random.nextInt(8));
        }
        int at = random.nextInt(in.length);
        return switch (random.nextInt(10)) {
            case 0 -> set(in, at, in[at] ^ 1 << random.nextInt(8));
            case 1 -> set(in, at, SIGNIFICANT[random.nextInt(SIGNIFICANT.length)]);
            case 2 -> set(in, at, in[at] + random.nextInt(9) - 4); // a length (or anything) off by a little
            case 3 -> Arrays.copyOf(in, at); // cut short
            case 4 -> delete(in, at, 1 + random.nextInt(Math.min(8, in.length - at)));
            case 5 -> insert(in, at, randomBytes(1 + random.nextInt(8)));
            case 6 -> insert(in, at, HUGE_LENENC[random.nextInt(HUGE_LENENC.length)]);
            case 7 -> overwrite(in, at, HUGE_LENENC[random.nextInt(HUGE_LENENC.length)]);
            case 8 -> insert(in, at, Arrays.copyOfRange(in, at, at + random.nextInt(in.length - at + 1)));
            default -> overwrite(in, at, randomBytes(1 + random.nextInt(4)));
        };
    }

    public byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] set(byte[] in, int at, int value) {
        byte[] out = in.clone();
        out[at] = (byte) value;
        return out;
    }

    private static byte[] insert(byte[] in, int at, byte[] bytes) {
        byte[] out = new byte[in.length + bytes.length];
        System.arraycopy(in, 0, out, 0, at);
        System.arraycopy(bytes, 0, out, at, bytes.length);
        System.arraycopy(in, at, out, at + bytes.length, in.length - at);
        return out;
    }

    private static byte[] delete(byte[] in, int at, int length) {
        byte[] out = new byte[in.length - length];
        System.arraycopy(in, 0, out, 0, at);
        System.arraycopy(in, at + length, out, at, out.length - at);
        return out;
    }

    /** {@code bytes} written over the packet from {@code at}, extending it if they run past its end. */
    private static byte[] overwrite(byte[] in, int at, byte[] bytes) {
        byte[] out = Arrays.copyOf(in, Math.max(in.length, at + bytes.length));
        System.arraycopy(bytes, 0, out, at, bytes.length);
        return out;
    }
}
