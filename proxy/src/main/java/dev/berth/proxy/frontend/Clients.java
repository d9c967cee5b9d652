package dev.berth.proxy.frontend;

import dev.berth.mysql.protocol.ServerStatus;
import dev.berth.proxy.backend.BackendConnection;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * The connected clients, for the operator: listed for SHOW CLIENTS, closed by KILL CLIENT, and closed as they fall
 * quiet while Berth drains. Each question is asked on the client's own event loop, where its state lives.
 */
public final class Clients {
    private final ServerContext server;

    public Clients(ServerContext server) {
        this.server = server;
    }

    public int count() {
        return server.sessions().size();
    }

    /** Every client, by id. */
    public CompletableFuture<List<ClientInfo>> list() {
        List<CompletableFuture<ClientInfo>> answers = new ArrayList<>();
        for (ClientSession session : server.sessions().values()) {
            CompletableFuture<ClientInfo> answer = new CompletableFuture<>();
            answers.add(answer);
            onLoop(session.channel().eventLoop(), () -> {
                long now = System.nanoTime();
                CommandPhase phase = session.channel().pipeline().get(CommandPhase.class);
                answer.complete(phase == null ? ClientInfo.loggingIn(session, now) : phase.info(now));
            }, answer);
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(done -> answers.stream()
                .map(CompletableFuture::join)
                .filter(info -> info != null)
                .sorted(Comparator.comparingLong(ClientInfo::id))
                .toList());
    }

    /** Closes the connection of client {@code id}, as the server's KILL does; false when there is none. */
    public boolean kill(long id) {
        ClientSession session = server.sessions().get(id);
        if (session == null) {
            return false;
        }
        session.channel().close();
        return true;
    }

    /**
     * Closes every logged-in client that has nothing under way: nothing waiting on its side, and its backend
     * connection, if it holds one, between commands with no transaction open. The connection is asked on its own loop,
     * then the client's loop checks that the client sent nothing meanwhile. Completes with how many clients are still
     * connected.
     */
    public CompletableFuture<Integer> closeQuiescent() {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (ClientSession session : server.sessions().values()) {
            CompletableFuture<Void> checked = new CompletableFuture<>();
            done.add(checked);
            closeIfQuiescent(session, checked);
        }
        return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).thenApply(all -> count());
    }

    /** Closes the client if nothing of its is under way (see {@link #closeQuiescent}); {@code checked} says when known. */
    static void closeIfQuiescent(ClientSession session, CompletableFuture<Void> checked) {
        onLoop(session.channel().eventLoop(), () -> checkThenClose(session, checked), checked);
    }

    private static void checkThenClose(ClientSession session, CompletableFuture<Void> checked) {
        CommandPhase phase = session.channel().pipeline().get(CommandPhase.class);
        if (phase == null || !phase.quiescent()) {
            checked.complete(null);
            return;
        }
        BackendConnection backend = session.backend();
        if (backend == null) {
            closeAfterWrites(session);
            checked.complete(null);
            return;
        }
        long commandsRead = phase.commandsRead();
        onLoop(backend.eventLoop(), () -> {
            boolean between = backend.idle() && (backend.statusFlags() & ServerStatus.IN_TRANS) == 0;
            onLoop(session.channel().eventLoop(), () -> {
                if (between && phase.quiescent() && phase.commandsRead() == commandsRead
                        && session.backend() == backend) {
                    closeAfterWrites(session);
                }
                checked.complete(null);
            }, checked);
        }, checked);
    }
    /** Closes once what was written to the client (the end of its last response) has gone out. */
    private static void closeAfterWrites(ClientSession session) {
        session.channel().writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /** Closes every client connection, whatever it is doing. */
    public void closeAll() {
        server.sessions().values().forEach(session -> session.channel().close());
    }

    /** Runs {@code task} on {@code loop}; {@code answer} gets null when the loop is already shut down. */
    private static void onLoop(EventLoop loop, Runnable task, CompletableFuture<?> answer) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            answer.complete(null);
        }
    }
}
