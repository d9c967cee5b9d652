package dev.berth.proxy.frontend;

import dev.berth.mysql.codec.Packets;
import dev.berth.mysql.message.ErrPacket;
import dev.berth.mysql.protocol.Command;
import dev.berth.mysql.protocol.ErrorCode;
import dev.berth.mysql.protocol.ServerStatus;
import dev.berth.proxy.backend.BackendConnection;
import dev.berth.proxy.backend.InternalCommand;
import io.netty.buffer.ByteBuf;
import java.util.Map;

/**
 * KILL and COM_PROCESS_KILL, whose ids are the ones Berth's greetings gave: a connection is closed by Berth (its
 * backend discarded, never reused mid statement); a query is killed on the backend thread that serves the target
 * session now, through the requesting client's own backend connection.
 */
final class KillCommand {
    /** How the requesting session answers: by itself, or with a statement run on its own backend. */
    interface Requester {
        ClientSession session();

        void reply(ByteBuf frame);

        void forward(ByteBuf frame, int command);
    }

    private KillCommand() {
    }

    static void run(Map<Long, ClientSession> sessions, Requester requester, KillStatement kill, int sequence) {
        ClientSession self = requester.session();
        ClientSession target = sessions.get(kill.id());
        if (target == null) {
            requester.reply(ErrFrames.of(self.channel(), sequence, new ErrPacket(1094, "HY000",
                    "Unknown thread id: " + kill.id())));
            return;
        }
        if (!java.util.Objects.equals(target.user(), self.user())) {
            // The server's rule for accounts without the privilege to kill others' threads.
            requester.reply(ErrFrames.of(self.channel(), sequence, new ErrPacket(1095, "HY000",
                    "You are not owner of thread " + kill.id())));
            return;
        }
        if (!kill.queryOnly()) {
            // At once when on its loop: a statement the victim sent right after the killer's OK is not run.
            Loops.runOn(target.channel().eventLoop(), () -> target.channel().close());
            if (target != self) {
                requester.reply(ok(self, sequence));
            }
            return;
        }
        BackendConnection victim = target.backend();
        if (victim == null) {
            requester.reply(ok(self, sequence));
            return;
        }
        ByteBuf rewritten = InternalCommand.query(self.channel().alloc(), "KILL QUERY " + victim.serverConnectionId());
        Packets.setSequenceId(rewritten, sequence - 1);
        requester.forward(rewritten, Command.COM_QUERY);
    }

    /** A KILL statement sent as COM_QUERY; forms other than KILL [CONNECTION | QUERY] id are refused. */
    static void runQuery(Map<Long, ClientSession> sessions, Requester requester, ByteBuf frame) {
        int sequence = Packets.sequenceId(frame) + 1;
        KillStatement kill = KillStatement.parse(Packets.payload(frame));
        frame.release();
        if (kill == null) {
            requester.reply(ErrFrames.of(requester.session().channel(), sequence, ErrPacket.of(
                    ErrorCode.NOT_ALLOWED_COMMAND, "berth: only KILL [CONNECTION | QUERY] <id> is supported "
                            + "through Berth, with the id CONNECTION_ID() gave on this proxy's greeting")));
            return;
        }
        run(sessions, requester, kill, sequence);
    }

    private static ByteBuf ok(ClientSession self, int sequence) {
        return ErrFrames.ok(self.channel().alloc(), sequence, ServerStatus.AUTOCOMMIT, self.capabilities());
    }
}
