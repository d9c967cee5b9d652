package dev.berth.proxy.backend;

import dev.berth.mysql.response.PacketKind;
import io.netty.buffer.ByteBuf;

/** Where the frames of one response go: to a client, or to Berth itself for commands it sent. */
public interface ResponseSink {

    /**
     * One frame of the response; the sink owns {@code frame} and must release or pass it on.
     *
     * @param complete whether this frame ended the response
     */
    void onFrame(BackendConnection backend, ByteBuf frame, PacketKind kind, boolean complete);

    /** The end of a read batch: write out what was buffered. */
    default void flush() {
    }

    /** The backend closed or failed before the response was complete. */
    void onBackendLost(BackendConnection backend, Throwable cause);
}
