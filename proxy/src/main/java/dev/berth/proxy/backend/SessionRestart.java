package dev.berth.proxy.backend;

import dev.berth.mysql.auth.CachingSha2Password;
import dev.berth.mysql.auth.NativePassword;
import dev.berth.mysql.codec.Packets;
import dev.berth.mysql.message.AuthMoreData;
import dev.berth.mysql.message.AuthSwitchRequest;
import dev.berth.mysql.message.ErrPacket;
import dev.berth.mysql.message.command.ComChangeUser;
import dev.berth.mysql.protocol.Command;
import dev.berth.mysql.response.PacketKind;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.util.Map;

/**
 * A fresh server session on a backend connection, for the account it is logged in as: COM_CHANGE_USER with no schema. It is the
 * only way to leave a schema (there is no "USE nothing"), so a client that named none gets DATABASE() NULL as it would
 * directly, even on a connection an earlier client left in a schema. It also resets the session as
 * COM_RESET_CONNECTION does, in the character set it names.
 *
 * <p>The server may ask to switch plugins (MariaDB always does, with the greeting's seed) or, for
 * caching_sha2_password, note a fast-auth success before its OK; both are answered here. Anything else (full
 * caching_sha2 authentication, a refusal) fails the restart and closes the connection: its session is then in no
 * state to be trusted.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_change_user.html">COM_CHANGE_USER</a>
 */
public final class SessionRestart implements ResponseSink {
    private final BackendConnection backend;
    private final int characterSet;
    private final Map<String, String> attributes;
    private final Promise<Void> done;
    private String plugin;

    private SessionRestart(BackendConnection backend, int characterSet, Map<String, String> attributes,
                           Promise<Void> done) {
        this.backend = backend;
        this.characterSet = characterSet;
        this.attributes = attributes;
        this.done = done;
        this.plugin = backend.authPlugin();
    }

    /** Restarts the session of {@code b} with Berth's own attributes; see the other {@code run}. */
    public static Future<Void> run(BackendConnection b, int characterSet, Promise<Void> done) {
        return run(b, characterSet, BackendAttributes.LOGIN, done);
    }

    /**
     * Restarts the session of {@code b} as its login left it, in the character set and with the attributes of its
     * login: what the pool does to a connection that carries a client's attributes before another client gets it.
     */
    public static Future<Void> toLogin(BackendConnection b, Promise<Void> done) {
        return run(b, BackendLogin.UTF8MB4_GENERAL_CI, BackendAttributes.LOGIN, done);
    }

    /**
     * Restarts the session of {@code b}, which must have nothing outstanding, with {@code attributes} (a client's,
     * see {@link BackendAttributes#forClient}, or Berth's own); call on its event loop.
     */
    public static Future<Void> run(BackendConnection b, int characterSet, Map<String, String> attributes,
                                   Promise<Void> done) {
        SessionRestart restart = new SessionRestart(b, characterSet, attributes, done);
        ComChangeUser command = new ComChangeUser(b.account().user(), restart.scramble(b.authSeed()), "",
                characterSet, restart.plugin, attributes);
        ByteBuf out = Packets.start(b.channel().alloc());
        command.encode(out, b.capabilities());
        b.send(Packets.finish(out, 0), Command.COM_CHANGE_USER, restart, true);
        return done;
    }

    private byte[] scramble(byte[] seed) {
        return backend.account().scramble(plugin, seed);
    }

    @Override
    public void onFrame(BackendConnection b, ByteBuf frame, PacketKind kind, boolean complete) {
        try {
            ByteBuf payload = Packets.payload(frame);
            int first = Packets.firstByteOf(payload);
            if (first == 0x00) {
                b.schema(null);
                b.sessionReset();
                b.characterSet(characterSet);
                // What a reset leaves may follow this login's character set on some servers: learnt again.
                b.characterSetAfterReset(-1);
                b.pseudoThreadId(b.serverConnectionId());
                b.attributes(attributes);
                done.trySuccess(null);
            } else if (first == 0xff) {
                done.tryFailure(new IOException("COM_CHANGE_USER refused: " + ErrPacket.decode(payload)));
            } else if (first == AuthSwitchRequest.HEADER) {
                AuthSwitchRequest request = AuthSwitchRequest.decode(payload);
                plugin = request.pluginName();
                if (!plugin.equals(NativePassword.NAME) && !plugin.equals(CachingSha2Password.NAME)) {
                    done.tryFailure(new IOException("COM_CHANGE_USER asked for plugin " + plugin));
                    return;
                }
                ByteBuf reply = Packets.start(b.channel().alloc()).writeBytes(scramble(request.pluginData()));
                b.send(Packets.finish(reply, Packets.sequenceId(frame) + 1), Command.COM_CHANGE_USER, this, true);
            } else if (first == AuthMoreData.HEADER && isFastAuthSuccess(AuthMoreData.decode(payload))) {
                b.expectAnother(Command.COM_CHANGE_USER, this); // the OK follows
            } else {
                done.tryFailure(new IOException("COM_CHANGE_USER needs more than Berth answers (packet 0x"
                        + Integer.toHexString(first) + ")"));
            }
        } catch (RuntimeException e) {
            done.tryFailure(e);
        } finally {
            frame.release();
            if (done.isDone() && !done.isSuccess()) {
                b.close();
            }
        }
    }

    private static boolean isFastAuthSuccess(AuthMoreData more) {
        return more.data().length == 1 && more.data()[0] == CachingSha2Password.FAST_AUTH_SUCCESS;
    }

    @Override
    public void onBackendLost(BackendConnection b, Throwable cause) {
        done.tryFailure(cause);
    }
}
