package dev.berth.proxy.admin;

import dev.berth.mysql.protocol.ErrorCode;
import dev.berth.proxy.frontend.ClientInfo;
import dev.berth.proxy.frontend.ClientMetrics;
import dev.berth.proxy.frontend.Clients;
import dev.berth.proxy.pool.BackendPool;
import dev.berth.proxy.pool.ConnectionInfo;
import dev.berth.proxy.pool.LatencyHistogram;
import dev.berth.proxy.pool.PoolStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The admin console's statements, in the spirit of PgBouncer's: SHOW POOLS, CLIENTS, SERVERS, STATS, CONFIG and
 * VERSION as result sets, and PAUSE, RESUME, RELOAD, SET, KILL CLIENT and SHUTDOWN as actions. Keywords are
 * case-insensitive; what drivers send at connect is answered by {@link DriverChatter}.
 */
public final class ConsoleCommands implements AdminCommands {
    static final String KNOWN = "SHOW POOLS, SHOW CLIENTS, SHOW SERVERS, SHOW STATS, SHOW CONFIG, SHOW VERSION, "
            + "PAUSE, RESUME, RELOAD, SET <setting> = <value>, KILL CLIENT <id>, SHUTDOWN [WAIT]";
    private static final Pattern SET = Pattern.compile("SET\\s+([a-z0-9_-]+)\\s*=\\s*(.+)",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern KILL_CLIENT = Pattern.compile("KILL\\s+CLIENT\\s+(\\d+)", Pattern.CASE_INSENSITIVE);

    private final BackendPool pool;
    private final Clients clients;
    private final ClientMetrics clientMetrics;
    private final Operator operator;
    private final String version;
    private final DriverChatter chatter = new DriverChatter();

    public ConsoleCommands(BackendPool pool, Clients clients, ClientMetrics clientMetrics, Operator operator,
                           String version) {
        this.pool = pool;
        this.clients = clients;
        this.clientMetrics = clientMetrics;
        this.operator = operator;
        this.version = version;
    }

    @Override
    public CompletionStage<AdminResult> execute(String statement) {
        String text = statement.strip().replaceAll("\\s+", " ");
        String upper = text.toUpperCase(Locale.ROOT);
        Matcher set = SET.matcher(text);
        // A driver's SET of a session variable (autocommit, sql_mode) is not a setting of Berth's: DriverChatter's.
        String setting = set.matches() ? set.group(1).toLowerCase(Locale.ROOT).replace('_', '-') : null;
        if (setting != null && operator.isSetting(setting)) {
            return done(() -> operator.set(setting, unquote(set.group(2).strip())));
        }
        Matcher kill = KILL_CLIENT.matcher(text);
        if (kill.matches()) {
            return CompletableFuture.completedFuture(killClient(Long.parseLong(kill.group(1))));
        }
        return switch (upper) {
            case "SHOW POOLS" -> rows(showPools());
            case "SHOW CLIENTS" -> clients.list().thenApply(ConsoleCommands::showClients);
            case "SHOW SERVERS" -> rows(showServers());
            case "SHOW STATS" -> rows(showStats());
            case "SHOW CONFIG" -> rows(new AdminResult.Rows(List.of("setting", "value", "source"),
                    operator.configRows()));
            case "SHOW VERSION" -> rows(new AdminResult.Rows(List.of("version"), List.of(List.of(version))));
            case "PAUSE" -> done(this::pause);
            case "RESUME" -> done(this::resume);
            case "RELOAD" -> done(operator::reload);
            case "SHUTDOWN" -> done(() -> shutdown(false));
            case "SHUTDOWN WAIT" -> done(() -> shutdown(true));
            default -> CompletableFuture.completedFuture(chatter.answer(text).orElseGet(() -> unknown(text)));
        };
    }

    private AdminResult.Rows showPools() {
        PoolStats stats = pool.stats();
        return new AdminResult.Rows(
                List.of("pool", "mode", "max_open", "open", "in_use", "idle", "waiting", "paused", "held"),
                List.of(List.of(pool.name(), pool.config().mode().name().toLowerCase(Locale.ROOT),
                        "" + stats.maxOpenConnections(), "" + stats.openConnections(), "" + stats.inUse(),
                        "" + stats.idle(), "" + stats.waiting(), pool.paused() ? "yes" : "no", "" + pool.held())));
    }

    private static AdminResult showClients(List<ClientInfo> all) {
        List<List<String>> rows = new ArrayList<>();
        for (ClientInfo c : all) {
            rows.add(Arrays.asList("" + c.id(), c.user(), c.address(), c.state(),
                    c.backendThread() == null ? null : "" + c.backendThread(), c.pinned(), "" + c.ageSeconds(),
                    c.inTransaction() ? "yes" : "no"));
        }
        return new AdminResult.Rows(List.of("id", "user", "address", "state", "backend_thread", "pinned",
                "age_seconds", "in_transaction"), rows);
    }

    private AdminResult.Rows showServers() {
        List<List<String>> rows = new ArrayList<>();
        for (ConnectionInfo c : pool.connections()) {
            rows.add(List.of("" + c.threadId(), c.account(), c.state(), "" + c.ageSeconds(), "" + c.idleSeconds(),
                    "" + c.commands()));
        }
        return new AdminResult.Rows(List.of("thread_id", "account", "state", "age_seconds", "idle_seconds",
                "commands"), rows);
    }

    /** The DBStats figures, the acquire histogram and the clients' counters, one per row. */
    private AdminResult.Rows showStats() {
        PoolStats stats = pool.stats();
        List<List<String>> rows = new ArrayList<>();
        stat(rows, "max_open_connections", stats.maxOpenConnections());
        stat(rows, "open_connections", stats.openConnections());
        stat(rows, "in_use", stats.inUse());
        stat(rows, "idle", stats.idle());
        stat(rows, "waiting", stats.waiting());
        stat(rows, "wait_count", stats.waitCount());
        rows.add(List.of("wait_duration_seconds", String.format(Locale.ROOT, "%.6f",
                stats.waitDuration().toNanos() / 1e9)));
        stat(rows, "max_idle_closed", stats.maxIdleClosed());
        stat(rows, "max_idle_time_closed", stats.maxIdleTimeClosed());
        stat(rows, "max_lifetime_closed", stats.maxLifetimeClosed());
        stat(rows, "backend_connects", stats.connects());
        stat(rows, "backend_connect_failures", stats.connectFailures());
        stats.closedByReason().forEach((reason, count) -> stat(rows, "backend_closes." + reason, count));
        stats.pinnedByReason().forEach((reason, count) -> stat(rows, "pinned_clients." + reason, count));
        LatencyHistogram acquire = stats.acquireLatency();
        for (int i = 0; i < acquire.counts().length; i++) {
            long bound = acquire.upperBoundsMicros()[i];
            stat(rows, "acquire_us." + (bound == Long.MAX_VALUE ? "inf" : "lt_" + bound), acquire.counts()[i]);
        }
        stat(rows, "client_connections", clientMetrics.openConnections());
        stat(rows, "client_connects", clientMetrics.connects());
        stat(rows, "client_auth_failures", clientMetrics.loginFailures());
        stat(rows, "queries", clientMetrics.queries());
        clientMetrics.errorsByCode().forEach((code, count) -> stat(rows, "errors." + code, count));
        stat(rows, "client_bytes_received", clientMetrics.bytesReceived());
        stat(rows, "client_bytes_sent", clientMetrics.bytesSent());
        return new AdminResult.Rows(List.of("stat", "value"), rows);
    }

    private static void stat(List<List<String>> rows, String name, long value) {
        rows.add(List.of(name, Long.toString(value)));
    }

    private String pause() {
        pool.pause();
        PoolStats stats = pool.stats();
        return "paused: " + stats.inUse() + " connections in use go on (a running transaction can finish); new work "
                + "waits for RESUME";
    }

    private String resume() {
        int held = pool.held();
        pool.resume();
        return "resumed; " + held + " waiting clients go on";
    }

    private String shutdown(boolean drain) {
        operator.shutdown(drain);
        return drain ? "draining: clients close as they finish, then Berth stops" : "shutting down";
    }

    private AdminResult killClient(long id) {
        if (clients.kill(id)) {
            return new AdminResult.Done("client " + id + " closed");
        }
        return new AdminResult.Failure(ErrorCode.UNKNOWN_THREAD.code(), ErrorCode.UNKNOWN_THREAD.sqlState(),
                "Unknown client id: " + id + "; SHOW CLIENTS lists them");
    }

    private static AdminResult unknown(String text) {
        return new AdminResult.Failure(ErrorCode.PARSE_ERROR.code(), ErrorCode.PARSE_ERROR.sqlState(),
                "berth admin console: unknown command '" + text + "'; known: " + KNOWN);
    }

    private static CompletionStage<AdminResult> rows(AdminResult.Rows rows) {
        return CompletableFuture.completedFuture(rows);
    }

    /** Runs an action; an IllegalArgumentException is the operator's mistake and says what to change. */
    private static CompletionStage<AdminResult> done(Supplier<String> action) {
        try {
            return CompletableFuture.completedFuture(new AdminResult.Done(action.get()));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(new AdminResult.Failure(ErrorCode.WRONG_ARGUMENTS.code(),
                    ErrorCode.WRONG_ARGUMENTS.sqlState(), e.getMessage()));
        }
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && (value.startsWith("'") && value.endsWith("'")
                || value.startsWith("\"") && value.endsWith("\""))) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }
}
