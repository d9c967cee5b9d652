package dev.berth.proxy.it.support;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The articles' client: connect, {@code SELECT 1}, disconnect, in a tight loop, as a CGI script or a pool with a tiny
 * max idle does. Runs in the test JVM or, from {@link #main}, as a process of its own (in another network namespace).
 */
public final class ChurnClient {
    private ChurnClient() {
    }

    /** How a run went; {@code firstFailure} is the first error's message chain, or null. */
    public record Result(int ok, int failed, String firstFailure) {
        /** One line a parent process can read back. */
        String line() {
            return "churn ok=" + ok + " failed=" + failed + " first-failure=" + (firstFailure == null ? "" : firstFailure);
        }

        public static Result parse(String output) {
            for (String line : output.split("\n")) {
                if (line.startsWith("churn ok=")) {
                    String[] f = line.split(" ", 4);
                    String first = f[3].substring("first-failure=".length());
                    return new Result(Integer.parseInt(f[1].substring(3)), Integer.parseInt(f[2].substring(7)),
                            first.isEmpty() ? null : first);
                }
            }
            throw new IllegalArgumentException("no result line in: " + output);
        }
    }

    public static Result churn(String url, String user, String password, int iterations) {
        return churn(url, user, password, iterations, iterations);
    }

    /** As {@link #churn(String, String, String, int)}, stopping early once {@code maxFailures} connects have failed. */
    public static Result churn(String url, String user, String password, int iterations, int maxFailures) {
        int ok = 0;
        int failed = 0;
        String firstFailure = null;
        for (int i = 0; i < iterations && failed < maxFailures; i++) {
            try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT 1")) {
                rs.next();
                if (rs.getInt(1) == 1) {
                    ok++;
                }
            } catch (SQLException e) {
                failed++;
                if (firstFailure == null) {
                    firstFailure = chain(e);
                }
            }
        }
        return new Result(ok, failed, firstFailure);
    }

    /**
     * The same loop over a bare socket ({@link RawMysqlClient}, mysql_native_password): log in, {@code SELECT 1}, and
     * close the socket without COM_QUIT. Over a real network a client that sends COM_QUIT and closes right away always
     * closes before the server's FIN can arrive; on loopback the server sometimes wins that race, so the test leaves
     * COM_QUIT out to close first every time, as the client does across a network.
     */
    public static Result churnRaw(int port, String user, String password, String database, int iterations) {
        int ok = 0;
        int failed = 0;
        String firstFailure = null;
        for (int i = 0; i < iterations; i++) {
            try (RawMysqlClient c = RawMysqlClient.connect("127.0.0.1", port, 10_000)) {
                RawMysqlClient.Packet login = c.tryLogin(user, password, database);
                if (!login.isOk()) {
                    throw new IOException("login refused: " + login.describe());
                }
                if (!c.queryValue("SELECT 1").equals("1")) {
                    throw new IOException("unexpected response to SELECT 1");
                }
                ok++;
            } catch (IOException | RuntimeException e) {
                failed++;
                if (firstFailure == null) {
                    firstFailure = chain(e);
                }
            }
        }
        return new Result(ok, failed, firstFailure);
    }

    private static String chain(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            out.append(out.length() == 0 ? "" : " / ").append(t.getMessage());
        }
        return out.toString().replace('\n', ' ');
    }

    /** {@code url user password iterations [max-failures]}; prints one result line. */
    public static void main(String[] args) {
        int iterations = Integer.parseInt(args[3]);
        int maxFailures = args.length > 4 ? Integer.parseInt(args[4]) : iterations;
        System.out.println(churn(args[0], args[1], args[2], iterations, maxFailures).line());
    }
}
