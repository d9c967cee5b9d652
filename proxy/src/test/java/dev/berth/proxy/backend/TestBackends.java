package dev.berth.proxy.backend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/** A {@link BackendConnection} over a test channel, fed the server's frames by hand (for response-writer tests). */
public final class TestBackends {
    private TestBackends() {
    }

    /** A logged-in connection with the given negotiated capabilities; {@code channel} takes what Berth sends. */
    public static BackendConnection connection(Channel channel, long capabilities) {
        return new BackendConnection(channel, 1, 1, capabilities,
                new BackendInfo("5.5.5-10.11.19-MariaDB", 45, capabilities), EmbeddedBackend.ACCOUNT);
    }

    /** One frame as if read from the server: tracked, then handed to the sink of the command it answers. */
    public static void receive(BackendConnection connection, ByteBuf frame) {
        connection.onFrame(frame);
    }
}
