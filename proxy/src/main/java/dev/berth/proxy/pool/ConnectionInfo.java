package dev.berth.proxy.pool;

/**
 * One backend connection as the admin console's SHOW SERVERS lists it.
 *
 * @param threadId    the server's thread id
 * @param account     the server account it is logged in as
 * @param state       idle or in use
 * @param idleSeconds how long it has been idle; 0 in use
 * @param commands    commands sent on it that have a response, Berth's own among them
 */
public record ConnectionInfo(long threadId, String account, String state, long ageSeconds, long idleSeconds,
                             long commands) {
}
