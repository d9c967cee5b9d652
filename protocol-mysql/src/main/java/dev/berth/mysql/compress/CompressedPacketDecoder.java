package dev.berth.mysql.compress;

import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.codec.PacketFrameDecoder;
import dev.berth.mysql.codec.PacketTooLargeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;

/**
 * Turns compressed packets back into the plain byte stream of MySQL packets, for the frame decoder behind it. A
 * MySQL packet may span compressed packets and a compressed packet may hold several, so the output is bytes, not
 * frames: stored payloads as retained slices of the input, inflated ones in new buffers, never more than
 * {@link PacketFrameDecoder#CHUNK_SIZE} bytes a message.
 *
 * <p>Streaming: a compressed packet is not held whole. Its bytes are passed on (stored) or inflated (compressed) as they
 * arrive, so what the decoder holds is at most a chunk of output and the input of one read, whatever the packet's
 * size; only a payload that inflates to less than a chunk is waited for and inflated whole. And it follows the
 * channel's reads: while {@code autoRead} is off (the proxy's consumer pauses it while the other side can't take
 * more) it stops emitting, keeping the rest of the read, and goes on when a read is asked for again, so that a read
 * of a few KB that inflates to megabytes comes out only as fast as it is taken.
 *
 * <p>Bounded: a header announcing more than {@code maxUncompressedLength} bytes fails with
 * {@link PacketTooLargeException} before its payload is waited for; data that does not inflate to exactly the
 * announced length, or leaves bytes of the payload over, fails with {@link MalformedPacketException} (at the latest
 * when the payload's last byte is in). After a failure everything is discarded, so the caller can answer with an ERR
 * and close.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_compression_packet.html">Compressed Packet</a>
 */
final class CompressedPacketDecoder extends ChannelDuplexHandler {
    private enum State { HEADER, STORED, COMPRESSED, FAILED }

    /** What a step that made progress without anything to emit returns. */
    private static final Object NOTHING = new Object();

    private final Decompressor decompressor;
    private final CompressedSequence sequence;
    private final int maxUncompressedLength;
    private final int chunkSize;

    private State state = State.HEADER;
    /** Received bytes not yet consumed; null when there are none. */
    private ByteBuf input;
    /** Inflated bytes from {@code readerIndex} on not yet emitted; room after them for more of the same payload. */
    private ByteBuf output;
    /** Bytes of the current payload not yet consumed. */
    private int payloadLeft;
    /** The current compressed payload's announced length, and what it inflated to so far. */
    private int uncompressedLength;
    private int inflated;
    private boolean whole;
    /** What the decompressor said after its last call: the payload's data has ended. */
    private boolean ended;

    private boolean draining;
    /** A read was asked for and nothing emitted since: with {@code autoRead} off, one message is still owed. */
    private boolean readOwed;
    /** Emitting stopped for reads being off, with input left to go on with. */
    private boolean stalled;
    private boolean readAskedWhileDraining;
    private boolean drainScheduled;
    private boolean removed;

    CompressedPacketDecoder(Decompressor decompressor, CompressedSequence sequence, int maxUncompressedLength) {
        this(decompressor, sequence, maxUncompressedLength, PacketFrameDecoder.CHUNK_SIZE);
    }

    /** With another chunk size, for tests that feed streamed packets a byte at a time. */
    CompressedPacketDecoder(Decompressor decompressor, CompressedSequence sequence, int maxUncompressedLength,
                            int chunkSize) {
        this.decompressor = decompressor;
        this.sequence = sequence;
        this.maxUncompressedLength = maxUncompressedLength;
        this.chunkSize = chunkSize;
    }

    /** The bytes this decoder holds now (received and not yet consumed, inflated and not yet emitted, and room). */
    int heldBytes() {
        return (input == null ? 0 : input.capacity()) + (output == null ? 0 : output.capacity());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (state == State.FAILED) {
            buf.release();
            return;
        }
        input = input == null ? buf : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), input, buf);
        if (draining) {
            return; // a read delivered from inside what an emitted message set off: the loop running goes on with it
        }
        drain(ctx);
        if (readAskedWhileDraining && !stalled) {
            readAskedWhileDraining = false;
            ctx.read();
        }
    }

    /**
     * Asked for more input: what is left of the last read comes first, in a task of its own (as a read would come),
     * rather than inside the call that asked; the read goes on to the socket once that is all out.
     */
    @Override
    public void read(ChannelHandlerContext ctx) {
        readOwed = true;
        if (draining) {
            readAskedWhileDraining = true;
        } else if (!stalled) {
            ctx.read();
        } else if (!drainScheduled) {
            drainScheduled = true;
            ctx.executor().execute(() -> {
                drainScheduled = false;
                if (removed) {
                    return;
                }
                boolean emitted = drain(ctx);
                if (emitted) {
                    ctx.fireChannelReadComplete();
                }
                if (!stalled && !removed) {
                    readAskedWhileDraining = false;
                    ctx.read();
                }
            });
        }
    }

    /** Goes through the input until it runs out or reads are off; returns whether anything was emitted. */
    private boolean drain(ChannelHandlerContext ctx) {
        draining = true;
        stalled = false;
        boolean emitted = false;
        try {
            while (state != State.FAILED && !removed) {
                if (emitted && !readOwed && !ctx.channel().config().isAutoRead()) {
                    stalled = true;
                    break;
                }
                Object message = step(ctx);
                if (message == null) {
                    break;
                }
                if (message != NOTHING) {
                    emitted = true;
                    readOwed = false;
                    ctx.fireChannelRead(message);
                }
            }
        } catch (RuntimeException e) {
            fail(ctx, e);
        } finally {
            draining = false;
            if (removed) {
                release();
            } else if (input != null && !input.isReadable()) {
                input.release();
                input = null;
            } else if (input != null && input.refCnt() == 1) {
                input.discardSomeReadBytes(); // no slice of it is out: what was read can go
            }
        }
        return emitted;
    }

    /** One step over the input: a message to emit, {@link #NOTHING}, or null when no progress can be made now. */
    private Object step(ChannelHandlerContext ctx) {
        int available = input == null ? 0 : input.readableBytes();
        switch (state) {
            case HEADER:
                return available >= CompressionCodec.HEADER_SIZE ? readHeader() : null;
            case STORED: {
                int n = Math.min(Math.min(available, payloadLeft), chunkSize);
                if (n == 0) {
                    return null;
                }
                payloadLeft -= n;
                if (payloadLeft == 0) {
                    state = State.HEADER;
                }
                return input.readRetainedSlice(n);
            }
            case COMPRESSED:
                return inflate(ctx, Math.min(available, payloadLeft));
            default:
                return null;
        }
    }

    private Object readHeader() {
        int at = input.readerIndex();
        int compressedLength = input.getUnsignedMediumLE(at);
        int announced = input.getUnsignedMediumLE(at + 4); // 0: the payload is stored as it is
        int plainLength = announced == 0 ? compressedLength : announced;
        if (plainLength > maxUncompressedLength) {
            throw new PacketTooLargeException(plainLength, maxUncompressedLength);
        }
        if (announced > 0 && compressedLength > maxCompressedLength(announced)) {
            throw new MalformedPacketException("compressed payload of " + compressedLength + " bytes for "
                    + announced + " is larger than deflate or zstd ever makes it");
        }
        sequence.received(input.getUnsignedByte(at + 3));
        input.skipBytes(CompressionCodec.HEADER_SIZE);
        payloadLeft = compressedLength;
        if (announced == 0) {
            state = compressedLength > 0 ? State.STORED : State.HEADER;
        } else {
            state = State.COMPRESSED;
            uncompressedLength = announced;
            inflated = 0;
            ended = false;
            whole = announced < chunkSize;
            decompressor.start(whole);
        }
        return NOTHING;
    }

    /**
     * Feeds the decompressor the {@code n} bytes of the payload at hand (a small payload only once it is all in) and
     * emits the output once a chunk is full, the input has run out, or the payload has ended.
     */
    private Object inflate(ChannelHandlerContext ctx, int n) {
        if (payloadLeft == 0 && ended) {
            return endPayload();
        }
        if (whole && n < payloadLeft) {
            return null;
        }
        if (output == null) {
            // One byte more than announced fits, so that data making more than that shows.
            output = ctx.alloc().directBuffer(Math.min(chunkSize, uncompressedLength - inflated + 1));
        }
        int room = Math.min(output.writableBytes(), uncompressedLength - inflated + 1);
        ByteBuf payload = n == 0 ? Unpooled.EMPTY_BUFFER : input.slice(input.readerIndex(), n);
        int outputAt = output.writerIndex();
        ended = decompressor.decompress(payload, output, room);
        int consumed = n - payload.readableBytes();
        int made = output.writerIndex() - outputAt;
        if (consumed > 0) {
            input.skipBytes(consumed);
            payloadLeft -= consumed;
        }
        inflated += made;
        if (inflated > uncompressedLength) {
            throw new MalformedPacketException("compressed payload inflates to more than the " + uncompressedLength
                    + " bytes its header announces");
        }
        if (!output.isWritable()) {
            return emitOutput();
        }
        if (consumed > 0 || made > 0) {
            return NOTHING;
        }
        if (payloadLeft > 0) {
            if (n > 0) {
                throw new MalformedPacketException("compressed payload: the decompressor takes no more of it");
            }
            return output.isReadable() ? output.readRetainedSlice(output.readableBytes()) : null; // wait for more
        }
        if (ended) {
            return endPayload();
        }
        throw new MalformedPacketException("compressed payload ends before its compressed data does");
    }

    /** The payload's last byte is in and its data ended: it must have made exactly the announced length. */
    private Object endPayload() {
        if (inflated != uncompressedLength) {
            throw new MalformedPacketException("compressed payload inflates to " + inflated
                    + " bytes, its header announces " + uncompressedLength);
        }
        state = State.HEADER;
        decompressor.finish();
        return emitOutput();
    }

    /** What the output holds, handed on, and the output let go of (slices emitted from it before keep it). */
    private Object emitOutput() {
        ByteBuf out = output;
        output = null;
        if (out == null) {
            return NOTHING;
        }
        if (!out.isReadable()) {
            out.release();
            return NOTHING;
        }
        if (out.readerIndex() == 0) {
            return out;
        }
        ByteBuf rest = out.readRetainedSlice(out.readableBytes());
        out.release();
        return rest;
    }

    /**
     * MySQL's and MariaDB's clients store what would not shrink; the slack admits deflate's and zstd's worst case
     * (zlib's compressBound and ZSTD_COMPRESSBOUND stay below n + n/256 + 64) from clients that don't.
     */
    private static int maxCompressedLength(int uncompressedLength) {
        return uncompressedLength + (uncompressedLength >> 8) + 64;
    }

    private void fail(ChannelHandlerContext ctx, RuntimeException cause) {
        state = State.FAILED;
        decompressor.finish();
        release();
        ctx.fireExceptionCaught(cause instanceof DecoderException ? cause : new DecoderException(cause));
    }

    private void release() {
        ReferenceCountUtil.release(input);
        ReferenceCountUtil.release(output);
        input = null;
        output = null;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        removed = true;
        if (!draining) {
            release();
        }
        decompressor.end();
    }
}
