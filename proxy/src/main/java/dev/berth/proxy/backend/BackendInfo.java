package dev.berth.proxy.backend;

/**
 * What Berth learned about the backend server from its greeting; clients are shown the same version and
 * character set, since drivers change behaviour by them.
 */
public record BackendInfo(String serverVersion, int characterSet, long capabilities) {
}
