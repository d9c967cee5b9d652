package dev.berth.proxy.frontend;

import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The memory Berth holds for clients that have not logged in yet, all together, and its bound
 * ({@code --max-handshake-memory}). Each such client is charged {@value #BASE_CHARGE} bytes for its channel, pipeline
 * and session, plus the bytes it has sent rounded up to a power of two, as Netty's buffers grow. When the total would
 * pass the bound, the clients that have been logging in longest are refused with ERR 1040 until it fits: a real
 * login takes milliseconds, so the oldest are the slow ones, and a new client always gets its chance.
 *
 * <p>Shared by every event loop; each method holds the monitor briefly, refusals run on the refused client's loop.
 */
final class HandshakeMemory {
    static final int BASE_CHARGE = 2048;
    /**
     * Bytes a client may send before it is logged in: an SSLRequest, a TLS handshake, a handshake response of up to
     * {@link HandshakeHandler#MAX_HANDSHAKE_PACKET} bytes and an auth switch response take far less.
     */
    static final int MAX_LOGIN_BYTES = 32 * 1024;

    /** One client logging in. */
    static final class Login {
        private final Channel channel;
        private final Runnable onEvicted;
        private long received;
        private long charge;
        private boolean evicted;

        private Login(Channel channel, Runnable onEvicted) {
            this.channel = channel;
            this.onEvicted = onEvicted;
        }

        long received() {
            return received;
        }
    }

    private final long budget;
    /** Clients logging in, in the order they connected. */
    private final LinkedHashSet<Login> logins = new LinkedHashSet<>();
    private long charged;
    private long evictions;

    HandshakeMemory(long budget) {
        this.budget = budget;
    }

    /**
     * A client connected and starts logging in.
     *
     * @param onEvicted runs on the client's event loop when it must be refused to make room
     */
    Login enter(Channel channel, Runnable onEvicted) {
        Login login = new Login(channel, onEvicted);
        List<Login> evicted;
        synchronized (this) {
            logins.add(login);
            login.charge = BASE_CHARGE;
            charged += BASE_CHARGE;
            evicted = makeRoom();
        }
        refuse(evicted);
        return login;
    }

    /**
     * {@code bytes} more arrived from a client logging in.
     *
     * @return false when the client has now sent more than {@link #MAX_LOGIN_BYTES}, or was already refused
     */
    boolean received(Login login, int bytes) {
        List<Login> evicted;
        synchronized (this) {
            if (login.evicted) {
                return false;
            }
            login.received += bytes;
            long charge = BASE_CHARGE + roundUp(login.received);
            charged += charge - login.charge;
            login.charge = charge;
            evicted = makeRoom();
        }
        refuse(evicted);
        return !login.evicted && login.received <= MAX_LOGIN_BYTES;
    }

    /** The client logged in, was refused or left; its charge is returned. Safe to call more than once. */
    synchronized void leave(Login login) {
        if (logins.remove(login)) {
            charged -= login.charge;
        }
    }

    synchronized long charged() {
        return charged;
    }

    synchronized int loggingIn() {
        return logins.size();
    }

    synchronized long evictions() {
        return evictions;
    }

    long budget() {
        return budget;
    }

    private List<Login> makeRoom() {
        List<Login> evicted = List.of();
        Iterator<Login> oldest = logins.iterator();
        while (charged > budget && oldest.hasNext()) {
            Login login = oldest.next();
            oldest.remove();
            charged -= login.charge;
            login.evicted = true;
            evictions++;
            if (evicted.isEmpty()) {
                evicted = new ArrayList<>();
            }
            evicted.add(login);
        }
        return evicted;
    }

    private static void refuse(List<Login> evicted) {
        for (Login login : evicted) {
            Loops.runOn(login.channel.eventLoop(), login.onEvicted);
        }
    }

    private static long roundUp(long bytes) {
        return bytes <= 1 ? bytes : Long.highestOneBit(bytes - 1) << 1;
    }
}
