package dev.berth.proxy.admin;

import dev.berth.mysql.codec.Packets;
import dev.berth.mysql.message.command.ComQuery;
import dev.berth.mysql.protocol.Command;
import dev.berth.mysql.protocol.ErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command phase of an admin connection: each COM_QUERY goes to {@link AdminCommands}, COM_PING and COM_INIT_DB
 * are answered OK (the console has no schemas), COM_QUIT closes, any other command gets an ERR.
 *
 * <p>Answers go out in the order of the commands, even when one takes a while (SHUTDOWN WAIT): each waits for the one
 * before, and the connection is not read while a statement runs, so a client can't pile up work.
 */
final class AdminConsole extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(AdminConsole.class);

    private final AdminCommands commands;
    private final long capabilities;
    private Channel channel;
    private CompletableFuture<Void> previous = CompletableFuture.completedFuture(null);
    private int running;

    AdminConsole(AdminCommands commands, long capabilities) {
        this.commands = commands;
        this.capabilities = capabilities;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        int sequence;
        int command;
        String sql = null;
        try {
            sequence = Packets.sequenceId(frame);
            command = Packets.firstByte(frame);
            if (command == Command.COM_QUERY) {
                sql = ComQuery.decode(Packets.payload(frame), capabilities).sql();
            }
        } finally {
            frame.release();
        }
        String statement = sql;
        switch (command) {
            case Command.COM_QUIT -> ctx.close();
            case Command.COM_QUERY -> answer(sequence + 1, () -> commands.execute(statement(statement)));
            case Command.COM_PING, Command.COM_INIT_DB -> answer(sequence + 1, () -> done(""));
            default -> answer(sequence + 1, () -> CompletableFuture.completedFuture(new AdminResult.Failure(
                    ErrorCode.UNKNOWN_COMMAND.code(), ErrorCode.UNKNOWN_COMMAND.sqlState(),
                    "berth admin console: only text statements (COM_QUERY) are supported")));
        }
    }

    /** The statement as the commands get it: without surrounding blanks and the trailing ';' a client may keep. */
    static String statement(String sql) {
        String statement = sql.strip();
        return statement.endsWith(";") ? statement.substring(0, statement.length() - 1).strip() : statement;
    }

    private static CompletionStage<AdminResult> done(String info) {
        return CompletableFuture.completedFuture(new AdminResult.Done(info));
    }

    /** Runs the command once those before it are answered, and writes its answer on the channel's loop. */
    private void answer(int sequence, Supplier<CompletionStage<AdminResult>> command) {
        if (running++ == 0) {
            channel.config().setAutoRead(false);
        }
        previous = previous.thenCompose(ignored -> run(command))
                .thenAcceptAsync(result -> {
                    channel.writeAndFlush(AdminReplies.frames(channel.alloc(), result, sequence, capabilities));
                    if (--running == 0) {
                        channel.config().setAutoRead(true);
                    }
                }, channel.eventLoop());
    }

    /** The command's answer; a command that throws or fails is answered with an ERR, never left unanswered. */
    private static CompletionStage<AdminResult> run(Supplier<CompletionStage<AdminResult>> command) {
        CompletableFuture<AdminResult> result;
        try {
            result = command.get().toCompletableFuture();
        } catch (RuntimeException e) { // a null stage among them
            result = CompletableFuture.failedFuture(e);
        }
        return result.handle((answer, failure) -> {
            if (failure == null && answer != null) {
                return answer;
            }
            Throwable cause = failure != null ? failure : new IllegalStateException("no answer");
            log.warn("admin statement failed", cause);
            return AdminReplies.fault(cause);
        });
    }
}
