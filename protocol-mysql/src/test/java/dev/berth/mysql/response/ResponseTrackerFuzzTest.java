package dev.berth.mysql.response;

import static dev.berth.mysql.Golden.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.mysql.ParanoidLeakDetection;
import dev.berth.mysql.TrackingAllocator;
import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.codec.PacketFrameDecoder;
import dev.berth.mysql.codec.Packets;
import dev.berth.mysql.fuzz.Generator;
import dev.berth.mysql.message.EofPacket;
import dev.berth.mysql.message.OkPacket;
import dev.berth.mysql.message.SessionStateInfo;
import dev.berth.mysql.protocol.Capabilities;
import dev.berth.mysql.protocol.Command;
import dev.berth.mysql.protocol.ServerStatus;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pipelined responses, valid in both EOF modes and then mutated (packets changed, dropped, repeated, swapped or
 * added, headers lying, the stream cut into reads), through {@link PacketFrameDecoder} and {@link ResponseTracker},
 * with each OK and terminator read as Berth's response writer reads it. The tracker classifies each frame or throws
 * {@link MalformedPacketException} (the connection is then closed: later frames are only released); it never
 * consumes a frame; unmutated responses all complete; every buffer is released.
 */
@ExtendWith(ParanoidLeakDetection.class)
class ResponseTrackerFuzzTest {
    private static final long PACKETS = Generator.packets(400_000);
    private static final int AUTOCOMMIT = ServerStatus.AUTOCOMMIT;
    private static final int MORE = ServerStatus.MORE_RESULTS_EXISTS | AUTOCOMMIT;
    private static final int CURSOR = ServerStatus.CURSOR_EXISTS | AUTOCOMMIT;
    private static final byte[] OK = hex(ResponseTrackerTest.OK);
    private static final byte[] OK_MORE = hex(ResponseTrackerTest.OK.replace("02 00", "0a 00"));
    private static final byte[] ERR = hex(ResponseTrackerTest.ERR);
    private static final byte[] COLUMN_DEF = hex(ResponseTrackerTest.COLUMN_DEF);
    private static final byte[] PARAM_DEF = hex(ResponseTrackerTest.PARAM_DEF);
    private static final byte[] LOCAL_INFILE = hex("fb '/tmp/data.csv'");
    private static final byte[] STATISTICS = hex("'Uptime: 1234  Threads: 1  Questions: 5'");
    private static final int[] COMMANDS = {Command.COM_QUERY, Command.COM_STMT_PREPARE, Command.COM_STMT_EXECUTE,
        Command.COM_STMT_FETCH, Command.COM_FIELD_LIST, Command.COM_STATISTICS, Command.COM_SET_OPTION,
        Command.COM_PING, Command.COM_INIT_DB, Command.COM_STMT_RESET, Command.COM_RESET_CONNECTION};

    private final Generator g = new Generator();
    private final TrackingAllocator alloc = new TrackingAllocator();

    @Test
    void randomAndMutatedResponses() throws InterruptedException {
        g.run("ResponseTracker", PACKETS, () -> {
            boolean deprecateEof = g.oneIn(2);
            List<Integer> commands = new ArrayList<>();
            List<byte[]> payloads = new ArrayList<>();
            for (int i = 1 + g.nextInt(3); i > 0; i--) {
                int command = COMMANDS[g.nextInt(COMMANDS.length)];
                commands.add(command);
                payloads.addAll(response(command, deprecateEof));
            }
            boolean mutated = !g.oneIn(4);
            if (mutated) {
                mutate(payloads);
            }
            byte[] stream = g.frames(payloads, mutated && g.oneIn(4));
            if (mutated && g.oneIn(8)) {
                stream = g.mutate(stream);
            }
            g.feeding(stream, payloads.size());
            track(deprecateEof, commands, stream, !mutated);
        });
    }

    private void track(boolean deprecateEof, List<Integer> commands, byte[] stream, boolean valid) {
        long capabilities = Capabilities.CLIENT_PROTOCOL_41
                | (deprecateEof ? Capabilities.CLIENT_DEPRECATE_EOF : 0)
                | (g.oneIn(2) ? Capabilities.CLIENT_SESSION_TRACK : 0);
        ResponseTracker tracker = new ResponseTracker(deprecateEof);
        commands.forEach(tracker::expect);
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        ch.pipeline().addLast(new PacketFrameDecoder(Long.MAX_VALUE)); // as on a backend connection
        int completed = 0;
        boolean closed = false;
        for (byte[] read : g.reads(stream)) {
            ch.writeInbound(alloc.wrap(read));
            ByteBuf frame;
            while ((frame = ch.readInbound()) != null) {
                try {
                    if (!closed) {
                        int readerIndex = frame.readerIndex();
                        PacketKind kind = tracker.onFrame(frame);
                        assertEquals(readerIndex, frame.readerIndex(), "the tracker consumed the frame");
                        completed += tracker.responseComplete() ? 1 : 0;
                        readAsTheResponseWriterDoes(kind, frame, capabilities);
                        if (tracker.awaitingLocalInfile()) {
                            tracker.localInfileSent(); // the client's empty packet ends its file
                        }
                    }
                } catch (MalformedPacketException e) {
                    closed = true;
                } finally {
                    frame.release();
                }
            }
        }
        assertFalse(ch.finish());
        alloc.assertAllReleased();
        if (valid) {
            assertFalse(closed, "a valid response was refused");
            assertEquals(commands.size(), completed);
            assertTrue(tracker.idle());
        }
    }

    /** What {@code ClientResponseWriter} decodes: OKs with a trailer, and terminators. */
    private static void readAsTheResponseWriterDoes(PacketKind kind, ByteBuf frame, long capabilities) {
        ByteBuf payload = Packets.payload(frame);
        boolean deprecateEof = Capabilities.has(capabilities, Capabilities.CLIENT_DEPRECATE_EOF);
        if (kind == PacketKind.OK && OkPacket.hasTrailer(payload) || kind == PacketKind.TERMINATOR && deprecateEof) {
            OkPacket ok = OkPacket.decode(payload, capabilities);
            if (ok.sessionState() != null) {
                SessionStateInfo.schema(ok.sessionState());
            }
        } else if (kind == PacketKind.TERMINATOR) {
            EofPacket.decode(payload);
        }
    }

    /** One to three of: a packet mutated, dropped, repeated, swapped with the next, or a packet added. */
    private void mutate(List<byte[]> payloads) {
        for (int i = 1 + g.nextInt(3); i > 0; i--) {
            int at = g.nextInt(payloads.size());
            switch (g.nextInt(5)) {
                case 0 -> payloads.remove(at);
                case 1 -> payloads.add(at, payloads.get(at));
                case 2 -> payloads.add(at, g.oneIn(2) ? g.randomBytes(40) : g.pick(List.of(OK, ERR, COLUMN_DEF,
                        eof(AUTOCOMMIT), terminator(true, AUTOCOMMIT), LOCAL_INFILE)));
                case 3 -> Collections.swap(payloads, at, Math.min(at + 1, payloads.size() - 1));
                default -> payloads.set(at, g.mutate(payloads.get(at)));
            }
            if (payloads.isEmpty()) {
                payloads.add(g.randomBytes(40));
            }
        }
    }

    /** A valid response to {@code command}, as payloads. */
    private List<byte[]> response(int command, boolean deprecateEof) {
        List<byte[]> out = new ArrayList<>();
        if (g.oneIn(8)) {
            out.add(ERR);
            return out;
        }
        switch (command) {
            case Command.COM_QUERY -> {
                switch (g.nextInt(4)) {
                    case 0 -> out.add(OK);
                    case 1 -> {
                        out.add(LOCAL_INFILE);
                        out.add(OK);
                    }
                    case 2 -> { // SELECT ...; INSERT ...
                        resultSet(out, deprecateEof, false, MORE);
                        out.add(OK);
                    }
                    default -> resultSet(out, deprecateEof, false, AUTOCOMMIT);
                }
            }
            case Command.COM_STMT_EXECUTE -> {
                if (!deprecateEof && g.oneIn(4)) { // a cursor: no rows until COM_STMT_FETCH
                    out.add(new byte[] {1});
                    out.add(COLUMN_DEF);
                    out.add(eof(CURSOR));
                } else if (g.oneIn(4)) {
                    out.add(OK_MORE);
                    out.add(OK);
                } else {
                    resultSet(out, deprecateEof, true, AUTOCOMMIT);
                }
            }
            case Command.COM_STMT_FETCH -> {
                rows(out, 1, true);
                out.add(terminator(deprecateEof, CURSOR));
            }
            case Command.COM_STMT_PREPARE -> {
                int columns = g.nextInt(3);
                int params = g.nextInt(3);
                out.add(hex(ResponseTrackerTest.prepareOk(columns, params)));
                definitions(out, PARAM_DEF, params, deprecateEof);
                definitions(out, COLUMN_DEF, columns, deprecateEof);
            }
            case Command.COM_FIELD_LIST -> {
                for (int i = g.nextInt(4); i > 0; i--) {
                    out.add(COLUMN_DEF);
                }
                out.add(terminator(deprecateEof, AUTOCOMMIT));
            }
            case Command.COM_STATISTICS -> out.add(STATISTICS);
            case Command.COM_SET_OPTION -> out.add(terminator(deprecateEof, AUTOCOMMIT)); // as MariaDB 10.11 answers
            default -> out.add(OK);
        }
        return out;
    }

    private void resultSet(List<byte[]> out, boolean deprecateEof, boolean binary, int status) {
        int columns = 1 + g.nextInt(3);
        out.add(new byte[] {(byte) columns});
        for (int i = 0; i < columns; i++) {
            out.add(COLUMN_DEF);
        }
        if (!deprecateEof) {
            out.add(eof(status));
        }
        rows(out, columns, binary);
        out.add(terminator(deprecateEof, status));
    }

    /** A prepared statement's parameter or column block: the definitions, then an EOF unless deprecated. */
    private static void definitions(List<byte[]> out, byte[] definition, int count, boolean deprecateEof) {
        for (int i = 0; i < count; i++) {
            out.add(definition);
        }
        if (count > 0 && !deprecateEof) {
            out.add(eof(AUTOCOMMIT));
        }
    }

    /**
     * Rows that start like OKs (0x00), NULLs (0xFB) and short strings, never like a terminator; rarely a text row of
     * 16 MB, which starts with 0xFE and takes two frames.
     */
    private void rows(List<byte[]> out, int columns, boolean binary) {
        for (int i = g.nextInt(4); i > 0; i--) {
            if (!binary && g.oneIn(50_000)) {
                out.add(Generator.fullFrame(hex("fe 01 00 00 01 00 00 00 00  # a value of 2^24 + 1 bytes")));
                out.add(new byte[9 + (1 << 24) + 1 - Packets.MAX_PAYLOAD]);
                continue;
            }
            ByteArrayOutputStream row = new ByteArrayOutputStream();
            if (binary) {
                row.write(0x00); // header
                row.writeBytes(new byte[(columns + 9) / 8]); // NULL bitmap
                row.writeBytes(new byte[8 * columns]); // LONGLONG values
            } else {
                for (int c = 0; c < columns; c++) {
                    if (g.oneIn(4)) {
                        row.write(0xfb); // NULL
                    } else {
                        byte[] value = g.randomBytes(20);
                        row.write(value.length);
                        row.writeBytes(value);
                    }
                }
            }
            out.add(row.toByteArray());
        }
    }

    private static byte[] eof(int status) {
        return hex(ResponseTrackerTest.eof(status));
    }

    private static byte[] terminator(boolean deprecateEof, int status) {
        return hex(ResponseTrackerTest.terminator(deprecateEof, status));
    }
}
