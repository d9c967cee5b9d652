package dev.berth.proxy.admin;

import java.util.concurrent.CompletionStage;

/** What the admin console answers: one statement in, one result out (possibly later, e.g. SHUTDOWN WAIT). */
public interface AdminCommands {
    CompletionStage<AdminResult> execute(String statement);
}
