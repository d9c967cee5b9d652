package dev.berth.proxy.frontend;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What Berth counts of its clients, for /metrics and the admin console: connections, failed logins, statements,
 * the ERR packets they were answered with (the server's and Berth's own), and bytes on their sockets. Safe to update
 * from any event loop.
 */
public final class ClientMetrics {
    private static final AttributeKey<ClientMetrics> KEY = AttributeKey.valueOf("berth.clientMetrics");

    private final AtomicInteger open = new AtomicInteger();
    private final LongAdder connects = new LongAdder();
    private final LongAdder loginFailures = new LongAdder();
    private final LongAdder queries = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final Map<Integer, LongAdder> errors = new ConcurrentHashMap<>();

    /** A client connected: counted, and open until its channel closes. */
    void connected(Channel channel) {
        channel.attr(KEY).set(this);
        connects.increment();
        open.incrementAndGet();
        channel.closeFuture().addListener(f -> open.decrementAndGet());
    }

    /** The metrics a client's channel counts into, or null for a channel that is not a client's. */
    static ClientMetrics of(Channel channel) {
        return channel.attr(KEY).get();
    }

    void loginFailed() {
        loginFailures.increment();
    }

    void query() {
        queries.increment();
    }

    void error(int code) {
        errors.computeIfAbsent(code, c -> new LongAdder()).increment();
    }

    void received(int bytes) {
        bytesIn.add(bytes);
    }

    void sent(int bytes) {
        bytesOut.add(bytes);
    }

    public int openConnections() {
        return open.get();
    }

    public long connects() {
        return connects.sum();
    }

    public long loginFailures() {
        return loginFailures.sum();
    }

    /** COM_QUERY and COM_STMT_EXECUTE commands the clients sent. */
    public long queries() {
        return queries.sum();
    }

    /** ERR packets sent to clients, by error code. */
    public Map<Integer, Long> errorsByCode() {
        Map<Integer, Long> byCode = new TreeMap<>();
        errors.forEach((code, count) -> byCode.put(code, count.sum()));
        return byCode;
    }

    public long bytesReceived() {
        return bytesIn.sum();
    }

    public long bytesSent() {
        return bytesOut.sum();
    }
}
