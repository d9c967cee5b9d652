package dev.berth.mysql.fuzz;

import dev.berth.mysql.codec.Packets;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Seeded fuzz input, and the loop that feeds it: valid packets as they are, mutated, or replaced by random bytes;
 * packets framed into a stream whose headers sometimes lie; streams cut into reads at random points.
 *
 * <p>A run is fully determined by its seed, random unless {@code -Dberth.fuzz.seed} gives it, and printed with
 * a failure so that the failing run can be replayed. {@code -Dberth.fuzz.scale} multiplies the packet counts for
 * a longer run.
 */
public final class Generator {
    private final long seed;
    private final SplittableRandom random;
    private final Mutator mutator;
    private long packets;
    private byte[] input = new byte[0];

    /** A generator with the seed {@code -Dberth.fuzz.seed} gives, or a random one. */
    public Generator() {
        this(Long.parseLong(System.getProperty("berth.fuzz.seed", "" + ThreadLocalRandom.current().nextLong())));
    }

    public Generator(long seed) {
        this.seed = seed;
        random = new SplittableRandom(seed);
        mutator = new Mutator(random);
    }

    public long seed() {
        return seed;
    }

    /** How many packets a run feeds: {@code base} times {@code -Dberth.fuzz.scale} (default 1). */
    public static long packets(long base) {
        return base * Long.parseLong(System.getProperty("berth.fuzz.scale", "1"));
    }

    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    public boolean oneIn(int n) {
        return random.nextInt(n) == 0;
    }

    public <T> T pick(List<T> items) {
        return items.get(random.nextInt(items.size()));
    }

    public byte[] randomBytes(int maxLength) {
        return mutator.randomBytes(random.nextInt(maxLength + 1));
    }

    /** Mostly a mutation of one of {@code valid}; one time in eight as it is, one in eight random bytes. */
    public byte[] packet(List<byte[]> valid) {
        return switch (random.nextInt(8)) {
            case 0 -> pick(valid);
            case 1 -> randomBytes(oneIn(4) ? 300 : 40);
            default -> mutator.mutate(pick(valid));
        };
    }

    public byte[] mutate(byte[] packet) {
        return mutator.mutate(packet);
    }

    /**
     * A payload of exactly 0xFFFFFF bytes, {@code start} then 'a's: its logical packet goes on in the next frame. (Not
     * zeros: once a mutation shifts the framing, those would be read as millions of empty frames, which the paranoid
     * leak detector, a stack trace per buffer access, takes a quarter of a minute over.)
     */
    public static byte[] fullFrame(byte[] start) {
        byte[] payload = new byte[Packets.MAX_PAYLOAD];
        Arrays.fill(payload, (byte) 'a');
        System.arraycopy(start, 0, payload, 0, Math.min(start.length, payload.length));
        return payload;
    }

    /**
     * The payloads as frames with consecutive sequence ids. When {@code lie}, some headers announce another length
     * than their payload's: a little more or less, anything, or a full frame (a continuation to come).
     */
    public byte[] frames(List<byte[]> payloads, boolean lie) {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        int sequenceId = random.nextInt(256);
        for (byte[] payload : payloads) {
            int length = payload.length;
            if (lie && oneIn(8)) {
                length = switch (random.nextInt(3)) {
                    case 0 -> Math.max(0, length + random.nextInt(9) - 4);
                    case 1 -> random.nextInt(Packets.MAX_PAYLOAD + 1);
                    default -> Packets.MAX_PAYLOAD;
                };
            }
            stream.write(length);
            stream.write(length >> 8);
            stream.write(length >> 16);
            stream.write(sequenceId++);
            stream.writeBytes(payload);
        }
        return stream.toByteArray();
    }

    /** The stream as the reads of a socket: one, a few cut at random points, or (short streams) byte by byte. */
    public List<byte[]> reads(byte[] stream) {
        List<byte[]> reads = new ArrayList<>();
        if (stream.length <= 32 && oneIn(8)) {
            for (byte b : stream) {
                reads.add(new byte[] {b});
            }
            return reads;
        }
        int[] cuts = random.ints(random.nextInt(4), 0, stream.length + 1).sorted().toArray();
        int from = 0;
        for (int cut : cuts) {
            reads.add(Arrays.copyOfRange(stream, from, cut));
            from = cut;
        }
        reads.add(Arrays.copyOfRange(stream, from, stream.length));
        return reads;
    }

    /** Notes what a case is about to feed the target (shown if it fails) and how many packets that is. */
    public void feeding(byte[] input, int packets) {
        this.input = input;
        this.packets += packets;
    }

    /**
     * Runs {@code fuzzCase} until the cases have fed at least {@code count} packets to {@code target}, then prints
     * the figures. The first failure (any exception or error escaping a case) stops the run and is rethrown with the
     * seed and the input that caused it.
     *
     * <p>The loop runs on a thread of its own because Netty's paranoid leak detector records a stack trace at
     * nearly every buffer access: from there the traces are a dozen frames deep instead of JUnit's eighty, which
     * makes the run five times faster.
     */
    public void run(String target, long count, Runnable fuzzCase) throws InterruptedException {
        AssertionError[] failure = new AssertionError[1];
        long start = System.nanoTime();
        Thread thread = new Thread(() -> {
            for (long n = 0; packets < count; n++) {
                try {
                    fuzzCase.run();
                } catch (Throwable e) {
                    failure[0] = new AssertionError("case " + n + " of the run with seed " + seed
                            + " (replay with -Dberth.fuzz.seed=" + seed + "): " + e + "\ninput: "
                            + HexFormat.of().formatHex(input), e);
                    return;
                }
            }
        }, "fuzz " + target);
        thread.start();
        thread.join();
        if (failure[0] != null) {
            throw failure[0];
        }
        System.out.printf("%s: %,d packets in %.1f s (seed %d)%n", target, packets,
                (System.nanoTime() - start) / 1e9, seed);
    }
}
