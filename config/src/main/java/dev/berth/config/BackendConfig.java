package dev.berth.config;

import java.time.Duration;

/**
 * The MySQL server Berth pools connections to, and the account it logs in with.
 *
 * @param password the backend password in plain text (Berth must be able to answer any auth plugin)
 * @param tls      whether backend connections use TLS, and how the server's certificate is verified
 */
public record BackendConfig(HostPort address, String user, String password, BackendTlsConfig tls,
                            Duration connectTimeout) {
    public BackendConfig {
        if (user == null || user.isEmpty()) {
            throw new IllegalArgumentException("--backend-user must name the account Berth logs in to the backend with");
        }
        password = password == null ? "" : password;
    }

    @Override
    public String toString() {
        return "BackendConfig[" + user + "@" + address + ", tls=" + tls + "]";
    }
}
