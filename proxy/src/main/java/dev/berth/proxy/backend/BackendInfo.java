package dev.berth.proxy.backend;

/**
 * What Berth learned about the backend server from its greeting; clients are shown the same version and
 * character set, since drivers change behaviour by them.
 */
public record BackendInfo(String serverVersion, int characterSet, long capabilities) {

    /**
     * Whether the server is a MySQL 8 or later, whose default auth plugin is caching_sha2_password. MariaDB's
     * version starts with "5.5.5-", and its clients expect native there (MariaDB Connector/J answers native first
     * whatever the greeting says).
     */
    public boolean defaultsToCachingSha2() {
        if (serverVersion.contains("MariaDB")) {
            return false;
        }
        int dot = serverVersion.indexOf('.');
        try {
            return dot > 0 && Integer.parseInt(serverVersion.substring(0, dot)) >= 8;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
