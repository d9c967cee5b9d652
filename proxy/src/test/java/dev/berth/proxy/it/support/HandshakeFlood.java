package dev.berth.proxy.it.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Many clients that never log in: each connects and sends a frame header announcing a packet of {@code announced}
 * bytes, then trickles up to {@code sent} of them in a few rounds, and holds the connection until {@link #close()}.
 * Writes never block (what the socket doesn't take is sent in a later round), so a Berth that stops reading can't
 * stall the flood. Loopback only.
 */
public final class HandshakeFlood implements AutoCloseable {
    private final List<Client> clients = new ArrayList<>();
    private int connectFailures;

    /** One attacking connection and what Berth answered it. */
    private static final class Client {
        final SocketChannel channel;
        final ByteBuffer pending;
        final ByteBuffer answer = ByteBuffer.allocate(1024);
        boolean closedByBerth;

        Client(SocketChannel channel, ByteBuffer pending) {
            this.channel = channel;
            this.pending = pending;
        }
    }

    /** Opens {@code connections} connections and sends each its header and the first of {@code rounds} chunks. */
    public static HandshakeFlood start(int port, int connections, int announced, int sent, int rounds) {
        HandshakeFlood flood = new HandshakeFlood();
        byte[] packet = new byte[4 + sent];
        packet[0] = (byte) announced;
        packet[1] = (byte) (announced >> 8);
        packet[2] = (byte) (announced >> 16);
        packet[3] = 1;
        Arrays.fill(packet, 4, packet.length, (byte) 'a');
        int firstChunk = 4 + sent / rounds;
        for (int i = 0; i < connections; i++) {
            try {
                SocketChannel channel = SocketChannel.open();
                channel.setOption(StandardSocketOptions.SO_LINGER, 0); // close with an RST: no TIME_WAIT left behind
                channel.socket().connect(new InetSocketAddress("127.0.0.1", port), 2_000);
                channel.configureBlocking(false);
                Client client = new Client(channel, ByteBuffer.wrap(packet));
                flood.clients.add(client);
                flood.send(client, firstChunk);
            } catch (IOException e) {
                flood.connectFailures++;
            }
        }
        return flood;
    }

    /** Sends every client up to {@code bytes} more of its packet, and reads what Berth answered so far. */
    public void trickle(int bytes) {
        for (Client client : clients) {
            send(client, client.pending.position() + bytes);
            read(client);
        }
    }

    private void send(Client client, int upTo) {
        if (client.closedByBerth) {
            return;
        }
        try {
            ByteBuffer chunk = client.pending.duplicate();
            chunk.limit(Math.min(upTo, chunk.capacity()));
            client.channel.write(chunk);
            client.pending.position(chunk.position());
        } catch (IOException e) {
            client.closedByBerth = true; // reset by Berth
        }
    }

    private void read(Client client) {
        if (client.closedByBerth) {
            return;
        }
        try {
            // Only the start is kept: a greeting and an ERR; anything past it is read to see the end of the stream.
            ByteBuffer into = client.answer.hasRemaining() ? client.answer : ByteBuffer.allocate(1024);
            if (client.channel.read(into) < 0) {
                client.closedByBerth = true;
            }
        } catch (IOException e) {
            client.closedByBerth = true;
        }
    }

    /**
     * What Berth did to the flood: connections it closed, and the ERR codes it sent (after its greeting, or
     * instead of one).
     */
    public String summary() {
        clients.forEach(this::read);
        Map<String, Integer> outcomes = new TreeMap<>();
        for (Client client : clients) {
            outcomes.merge(outcome(client), 1, Integer::sum);
        }
        return clients.size() + " connected (" + connectFailures + " failed to), " + outcomes;
    }

    public long closedByBerth() {
        return clients.stream().filter(c -> c.closedByBerth).count();
    }

    private static String outcome(Client client) {
        ByteBuffer answer = client.answer.duplicate().flip();
        String err = "";
        while (answer.remaining() >= 4) {
            int length = (answer.get() & 0xff) | (answer.get() & 0xff) << 8 | (answer.get() & 0xff) << 16;
            answer.get();
            if (answer.remaining() < Math.min(length, 3)) {
                break;
            }
            if (length >= 3 && (answer.get(answer.position()) & 0xff) == 0xff) {
                err = " ERR " + ((answer.get(answer.position() + 1) & 0xff) | (answer.get(answer.position() + 2) & 0xff) << 8);
            }
            answer.position(Math.min(answer.limit(), answer.position() + length));
        }
        return (client.closedByBerth ? "closed" : "open") + err;
    }

    @Override
    public void close() {
        for (Client client : clients) {
            try {
                client.channel.close();
            } catch (IOException e) {
                // already gone
            }
        }
    }
}
