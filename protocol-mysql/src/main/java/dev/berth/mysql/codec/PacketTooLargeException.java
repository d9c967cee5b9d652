package dev.berth.mysql.codec;

import io.netty.handler.codec.DecoderException;

/** A logical packet (with its continuation frames) larger than the configured bound. */
public final class PacketTooLargeException extends DecoderException {
    private final long announced;
    private final long limit;

    public PacketTooLargeException(long announced, long limit) {
        super("packet of at least " + announced + " bytes exceeds the limit of " + limit + " bytes");
        this.announced = announced;
        this.limit = limit;
    }

    public long announced() {
        return announced;
    }

    public long limit() {
        return limit;
    }
}
