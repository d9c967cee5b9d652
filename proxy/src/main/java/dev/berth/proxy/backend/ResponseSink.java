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

    /**
     * Whether this sink takes frames longer than 64 KB streamed: the head to {@link #onFrame} (see
     * {@code Packets.isPartial}), the rest of the payload to {@link #onChunk}. Berth's own commands expect only small
     * packets; a large one fails the connection.
     */
    default boolean streams() {
        return false;
    }

    /**
     * A further piece of the payload of the streamed frame whose head this sink got last; the sink owns {@code chunk}.
     *
     * @param lastOfFrame whether the chunk ends that frame
     * @param complete    whether it ended the response
     */
    default void onChunk(BackendConnection backend, ByteBuf chunk, boolean lastOfFrame, boolean complete) {
        chunk.release();
        throw new IllegalStateException(this + " does not take streamed frames");
    }

    /** The end of a read batch: write out what was buffered. */
    default void flush() {
    }

    /** The backend closed or failed before the response was complete. */
    void onBackendLost(BackendConnection backend, Throwable cause);
}
