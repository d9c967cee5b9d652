package dev.berth.config;

import java.time.Duration;

/**
 * The MySQL server Berth pools connections to, and the account it logs in with.
 *
 * @param user     Berth's single service account, or null: each client's backend connections log in as the client's
 *                 own account (the default)
 * @param password the service account's password in plain text (Berth must be able to answer any auth plugin)
 * @param tls      whether backend connections use TLS, and how the server's certificate is verified
 */
public record BackendConfig(HostPort address, String user, String password, BackendTlsConfig tls,
                            Duration connectTimeout) {
    public BackendConfig {
        if (user != null && user.isEmpty()) {
            throw new IllegalArgumentException("--backend-user must name the account Berth logs in to the backend with");
        }
        if (user == null && password != null && !password.isEmpty()) {
            throw new IllegalArgumentException("--backend-password needs --backend-user: without one, each client "
                    + "logs in to the backend as its own account, with its own password");
        }
        password = password == null ? "" : password;
    }

    @Override
    public String toString() {
        return "BackendConfig[" + (user == null ? "each client's account" : user) + "@" + address + ", tls=" + tls
                + "]";
    }
}
