package dev.berth.proxy.server;

import dev.berth.config.BackendTlsConfig;
import dev.berth.config.BerthConfig;
import dev.berth.config.ClientAuthConfig;
import dev.berth.config.HostPort;
import dev.berth.config.ListenAddress;
import dev.berth.mysql.auth.RsaKeys;
import dev.berth.mysql.codec.PacketFrameDecoder;
import dev.berth.proxy.admin.AdminServer;
import dev.berth.proxy.admin.ConsoleCommands;
import dev.berth.proxy.admin.Operator;
import dev.berth.proxy.backend.BackendConnector;
import dev.berth.proxy.cli.VersionProvider;
import dev.berth.proxy.frontend.Clients;
import dev.berth.proxy.frontend.HandshakeHandler;
import dev.berth.proxy.frontend.LoginGuard;
import dev.berth.proxy.frontend.ServerContext;
import dev.berth.proxy.frontend.TrafficCounter;
import dev.berth.proxy.ops.HttpEndpoint;
import dev.berth.proxy.ops.PrometheusMetrics;
import dev.berth.proxy.ops.Probes;
import dev.berth.proxy.ops.StatsLine;
import dev.berth.proxy.pool.BackendPool;
import dev.berth.proxy.pool.PoolStats;
import dev.berth.proxy.tls.TlsContexts;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running proxy: listeners, the backend pool and the event loops they share, and what operates them: the HTTP
 * endpoint for metrics and probes, and draining on shutdown.
 */
public final class BerthServer implements AutoCloseable, Probes {
    private static final Logger log = LoggerFactory.getLogger(BerthServer.class);
    private static final long DRAIN_POLL_MILLIS = 50;

    private final BerthConfig config;
    private final Transport transport;
    private final List<Channel> listeners = new ArrayList<>();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private EventLoopGroup loops;
    private BackendPool pool;
    private ServerContext context;
    private Clients clients;
    private HttpEndpoint http;
    private AdminServer admin;
    private volatile boolean started;
    /** Counted down to end a drain at once (a second signal). */
    private final CountDownLatch drainCut = new CountDownLatch(1);
    private volatile boolean closing;

    /** @throws IllegalArgumentException when the configured transport is not available here */
    public BerthServer(BerthConfig config) {
        this.config = config;
        this.transport = Transport.of(config.operations().transport());
    }

    /** Binds every listen address and the HTTP endpoint; throws when one cannot be bound. */
    public void start() throws InterruptedException {
        KeyPair rsaKeys = rsaKeys(config); // before anything that would need closing when it fails
        // The same loops serve clients and their backend connections, so a pair shares a thread.
        loops = transport.newEventLoopGroup(config.effectiveEventLoops());
        BackendTlsConfig backendTls = config.backend().tls();
        SslContext backendSsl = backendTls.enabled() ? TlsContexts.forBackend(backendTls) : null;
        pool = new BackendPool(config.pool(), new BackendConnector(config.backend(), backendSsl, transport));
        SslContext clientSsl = config.clientTls().enabled() ? TlsContexts.forClients(config.clientTls()) : null;
        context = new ServerContext(config, pool, clientSsl, rsaKeys);
        clients = new Clients(context);
        try {
            for (ListenAddress address : config.listen()) {
                listeners.add(bind(address, context));
            }
            if (config.operations().httpListen().isPresent()) {
                http = startHttp(config.operations().httpListen().get());
            }
        } catch (RuntimeException | InterruptedException e) {
            close();
            throw e;
        }
        started = true;
        warmUp();
        pool.startHousekeeping(loops.next());
        long statsMillis = config.operations().statsInterval().toMillis();
        if (statsMillis > 0) {
            loops.next().scheduleAtFixedRate(new StatsLine(pool, context.metrics()), statsMillis, statsMillis,
                    TimeUnit.MILLISECONDS);
        }
        warnAboutIdleChurn();
        warnAboutUnverifiedBackend();
    }

    /**
     * The key pair caching_sha2_password clients encrypt their password with in full authentication without TLS:
     * {@code --rsa-key}, else a new one, as MySQL generates its own at first start. None without full authentication
     * (which logins the server verifies use too).
     */
    private static KeyPair rsaKeys(BerthConfig config) {
        ClientAuthConfig auth = config.clientAuth();
        if (!auth.cachingSha2FullAuth() && !config.serverVerifiesLogins()) {
            return null;
        }
        if (auth.rsaKey().isEmpty()) {
            return RsaKeys.generate();
        }
        Path file = auth.rsaKey().get();
        try {
            return RsaKeys.parsePrivatePem(Files.readAllBytes(file));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("--rsa-key " + file + ": " + e.getMessage(), e);
        }
    }

    /** An explicit choice, but one an operator reading the log should not miss. */
    private void warnAboutUnverifiedBackend() {
        BackendTlsConfig tls = config.backend().tls();
        if (tls.enabled() && tls.verify() == BackendTlsConfig.Verify.NONE) {
            log.warn("--backend-tls-verify none: the certificate of backend {} is not verified; the connection is "
                    + "encrypted, but a man in the middle would go unnoticed", config.backend().address());
        }
    }

    /** The articles' failure: a max idle far below max open closes connections on release after every burst. */
    private void warnAboutIdleChurn() {
        int maxOpen = config.pool().maxOpenConns();
        int maxIdle = config.pool().maxIdleConns();
        if (maxIdle < maxOpen / 2) {
            log.warn("--max-idle-conns {} is far below --max-open-conns {}: after each burst up to {} backend "
                    + "connections are closed on release and opened again on the next (a TCP handshake and a login "
                    + "each); raise --max-idle-conns unless the backend's connection count matters more",
                    maxIdle, maxOpen, maxOpen - maxIdle);
        }
    }

    private Channel bind(ListenAddress address, ServerContext context) throws InterruptedException {
        TrafficCounter traffic = context.newTrafficCounter();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, Transport.WATER_MARK)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, Transport.READS)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(TrafficCounter.NAME, traffic);
                        ch.pipeline().addLast(LoginGuard.NAME, context.newLoginGuard());
                        ch.pipeline().addLast("frames", new PacketFrameDecoder(HandshakeHandler.MAX_HANDSHAKE_PACKET));
                        ch.pipeline().addLast("handshake", new HandshakeHandler(context));
                    }
                });
        SocketAddress socketAddress;
        if (address instanceof ListenAddress.Unix unix) {
            if (transport.unixServerChannel() == null) {
                throw new IllegalStateException("unix sockets need the epoll or io_uring transport, not "
                        + transport.name());
            }
            try {
                Files.deleteIfExists(unix.path()); // a stale socket file from an earlier run
            } catch (IOException e) {
                throw new UncheckedIOException("cannot replace " + unix.path(), e);
            }
            bootstrap.channel(transport.unixServerChannel());
            socketAddress = new DomainSocketAddress(unix.path().toFile());
        } else {
            ListenAddress.Tcp tcp = (ListenAddress.Tcp) address;
            bootstrap.channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true);
            socketAddress = new java.net.InetSocketAddress(tcp.host(), tcp.port());
        }
        Channel bound = bootstrap.bind(socketAddress).sync().channel();
        if (address instanceof ListenAddress.Unix unix && config.operations().unixSocketMode().isPresent()) {
            permit(unix.path(), config.operations().unixSocketMode().get());
        }
        return bound;
    }

    /** --listen-mode: so that an application running as another user (a sidecar's neighbour) may connect. */
    private static void permit(Path socket, int mode) {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ (0400) first, OTHERS_EXECUTE (01) last
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << (bits.length - 1 - i))) != 0) {
                permissions.add(bits[i]);
            }
        }
        try {
            Files.setPosixFilePermissions(socket, permissions);
        } catch (IOException e) {
            throw new UncheckedIOException("--listen-mode: cannot set the permissions of " + socket, e);
        }
    }

    private HttpEndpoint startHttp(HostPort address) throws InterruptedException {
        try {
            EventLoopAllocation allocation = EventLoopAllocation.of(loops);
            return HttpEndpoint.start(address, new PrometheusMetrics(pool, context.metrics(),
                    allocation == null ? null : allocation::allocatedBytes).registry(), this);
        } catch (IOException e) {
            throw new UncheckedIOException("--http-listen " + address + ": " + e.getMessage(), e);
        }
    }

    /** Learns what the backend is at start, so the first client is greeted with the backend's version at once. */
    private void warmUp() {
        pool.info(loops.next()).addListener(f -> {
            if (!f.isSuccess() && !closing) {
                // A start-up connection cut by a shutdown says nothing about the backend.
                log.warn("backend not reachable at start: {}", f.cause().getMessage());
            }
        });
    }

    /** The addresses actually bound (a port of 0 in the configuration is resolved here). */
    public List<SocketAddress> boundAddresses() {
        return listeners.stream().map(Channel::localAddress).toList();
    }

    public PoolStats poolStats() {
        return pool.stats();
    }

    /** The Netty transport serving the sockets: epoll, io_uring or nio. */
    public String transportName() {
        return transport.name();
    }

    /** The configuration Berth started with. */
    public BerthConfig config() {
        return config;
    }

    /** Where the HTTP endpoint listens, when it is on. */
    public Optional<InetSocketAddress> httpAddress() {
        return Optional.ofNullable(http).map(HttpEndpoint::address);
    }

    @Override
    public boolean started() {
        return started;
    }

    @Override
    public boolean ready() {
        return started && !context.draining().get() && !closing && !pool.paused() && pool.backendReachable();
    }

    @Override
    public boolean live() {
        List<Future<?>> answers = new ArrayList<>();
        for (EventExecutor loop : loops) {
            answers.add(loop.submit(() -> { }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        for (Future<?> answer : answers) {
            if (!answer.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Shuts down gently: readiness fails at once, no new client is accepted, clients are closed as soon as nothing of
     * theirs is under way (no statement running, no transaction open), and after {@code timeout} (or
     * {@link #cutDrain}) the rest are cut. Then everything closes, backends with COM_QUIT.
     */
    public void drain(Duration timeout) {
        context.draining().set(true);
        for (Channel listener : listeners) {
            listener.close().syncUninterruptibly();
        }
        int remaining = clients.count();
        log.info("draining {} clients for up to {} ms", remaining, timeout.toMillis());
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (remaining > 0 && System.nanoTime() - deadline < 0) {
                remaining = clients.closeQuiescent().get();
                if (remaining > 0 && drainCut.await(DRAIN_POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            log.warn("drain failed", e.getCause());
        }
        remaining = clients.count();
        if (remaining > 0) {
            log.warn("cutting {} clients still running a statement or inside a transaction", remaining);
            clients.closeAll();
        }
        close();
    }

    /**
     * Starts the admin console on {@code --admin-listen}, whose actions {@code operator} carries out.
     *
     * @throws IllegalStateException when no --admin-listen was given
     */
    public void startAdmin(Operator operator) throws InterruptedException {
        HostPort address = config.operations().adminListen()
                .orElseThrow(() -> new IllegalStateException("no --admin-listen"));
        ConsoleCommands commands = new ConsoleCommands(pool, clients, context.metrics(), operator,
                VersionProvider.version());
        admin = AdminServer.start(address, config.operations().adminUser().orElseThrow(), commands, loops, transport);
    }

    /** Where the admin console listens, once started. */
    public Optional<InetSocketAddress> adminAddress() {
        return Optional.ofNullable(admin).map(AdminServer::boundAddress);
    }

    /**
     * Takes in a configuration read again (RELOAD, SIGHUP, SET): client accounts and the pool's limits and timeouts
     * change live; anything else needs a restart, and the answer says so.
     *
     * @throws IllegalArgumentException when the new configuration can't be taken in while running
     */
    public String apply(BerthConfig fresh) {
        if (fresh.serverVerifiesLogins() != config.serverVerifiesLogins()) {
            throw new IllegalArgumentException("switching between Berth's own accounts and logins the server "
                    + "verifies needs a restart");
        }
        if (fresh.pool().mode() != config.pool().mode()) {
            throw new IllegalArgumentException("--pool-mode cannot change while Berth runs; restart to change it");
        }
        List<String> changed = new ArrayList<>();
        if (!fresh.users().equals(context.users().get())) {
            context.users().set(fresh.users());
            changed.add(fresh.users().size() + (fresh.users().size() == 1 ? " client account" : " client accounts"));
        }
        if (!fresh.pool().equals(pool.config())) {
            pool.reconfigure(fresh.pool());
            changed.add("pool limits and timeouts");
        }
        List<String> restart = new ArrayList<>();
        if (!fresh.listen().equals(config.listen())) {
            restart.add("--listen");
        }
        if (!fresh.backend().equals(config.backend())) {
            restart.add("backend settings");
        }
        if (!fresh.clientTls().equals(config.clientTls())) {
            restart.add("client TLS");
        }
        String answer = changed.isEmpty() ? "nothing changed" : "applied: " + String.join(", ", changed);
        return restart.isEmpty() ? answer : answer + "; needs a restart to change: " + String.join(", ", restart);
    }

    /** Ends a {@link #drain} now: the clients still busy are cut. */
    public void cutDrain() {
        drainCut.countDown();
    }

    /** Blocks until {@link #close()} has been called and the server has stopped. */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    @Override
    public synchronized void close() {
        if (closing) {
            return; // the shutdown hook after a drain
        }
        closing = true;
        if (http != null) {
            http.close();
        }
        if (admin != null) {
            admin.close();
        }
        for (Channel listener : listeners) {
            listener.close().syncUninterruptibly();
        }
        if (pool != null) {
            pool.close();
        }
        if (loops != null) {
            loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        terminated.countDown();
    }
}
