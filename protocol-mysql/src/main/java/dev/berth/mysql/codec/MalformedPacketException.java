package dev.berth.mysql.codec;

/** A packet that cannot be read as the protocol says it must be. The one exception of the codec. */
public final class MalformedPacketException extends RuntimeException {
    public MalformedPacketException(String message) {
        super(message, null, false, false);
    }
}
