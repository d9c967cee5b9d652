package dev.berth.proxy.frontend;

import io.netty.channel.Channel;

/**
 * One client as the admin console's SHOW CLIENTS lists it.
 *
 * @param user          the account it logged in as; null while it logs in
 * @param state         login, idle (no backend connection), waiting (for one), idle in session (holding one between
 *                      commands), active (a command running) or closed
 * @param backendThread the server's thread id of the backend connection serving it, or null
 * @param pinned        transaction pool mode: why it keeps its connection between statements, comma-separated
 * @param inTransaction the server's last status said a transaction is open
 */
public record ClientInfo(long id, String user, String address, String state, Long backendThread, String pinned,
                         long ageSeconds, boolean inTransaction) {

    static ClientInfo loggingIn(ClientSession session, long nowNanos) {
        return new ClientInfo(session.connectionId(), session.user(), address(session.channel()), "login", null, "",
                session.ageSeconds(nowNanos), false);
    }

    static String address(Channel channel) {
        return RemoteHost.withPort(channel.remoteAddress(), "unix socket");
    }
}
