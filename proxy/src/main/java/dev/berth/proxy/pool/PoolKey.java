package dev.berth.proxy.pool;

import dev.berth.proxy.backend.BackendAccount;

/**
 * Which backend connections can serve a client: those logged in as its account (its own, or Berth's single service
 * account) with the CLIENT_FOUND_ROWS choice of its handshake, neither of which a connection can change cheaply.
 */
public record PoolKey(BackendAccount account, boolean foundRows) {
}
