package dev.berth.proxy.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on a loopback port in front of another address, for backend faults: {@link #stop()} closes the
 * listener and every relayed connection at once (like a server going down); {@link #start()} listens again on the
 * same port (the server coming back).
 */
public final class TcpRelay implements AutoCloseable {
    private final String targetHost;
    private final int targetPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicLong bytesToClients = new java.util.concurrent.atomic.AtomicLong();
    private volatile ServerSocket listener;
    private int port;

    public TcpRelay(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
    }

    /** Listens (on a free port the first time, on the same port after a {@link #stop()}). */
    public synchronized TcpRelay start() throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        port = s.getLocalPort();
        listener = s;
        Thread acceptor = new Thread(() -> accept(s), "relay-accept-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
        return this;
    }

    public synchronized int port() {
        return port;
    }

    public String hostPort() {
        return "127.0.0.1:" + port();
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            Socket client;
            try {
                client = s.accept();
            } catch (IOException e) {
                return;
            }
            Socket server = new Socket();
            try {
                server.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
            } catch (IOException e) {
                closeQuietly(client);
                continue;
            }
            synchronized (this) {
                if (listener != s) {
                    // stop() ran while this one was being accepted: it must not outlive the stop.
                    closeQuietly(client);
                    closeQuietly(server);
                    return;
                }
                sockets.add(client);
                sockets.add(server);
            }
            pipe(client, server, null);
            pipe(server, client, bytesToClients);
        }
    }

    /** Bytes relayed from the target to clients so far. */
    public long bytesToClients() {
        return bytesToClients.get();
    }

    private void pipe(Socket from, Socket to, java.util.concurrent.atomic.AtomicLong counter) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    if (counter != null) {
                        counter.addAndGet(n);
                    }
                }
            } catch (IOException ignored) {
                // one side went away
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        }, "relay-pipe");
        t.setDaemon(true);
        t.start();
    }

    /** Stops listening and cuts every relayed connection. */
    public synchronized void stop() {
        ServerSocket s = listener;
        listener = null;
        if (s != null) {
            closeQuietly(s);
        }
        for (Socket socket : sockets) {
            closeQuietly(socket);
        }
        sockets.clear();
    }

    @Override
    public void close() {
        stop();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // best effort
        }
    }
}
