package dev.berth.proxy.frontend;

/**
 * What the end of one response tells of the client's session, for transaction pool mode's decision to keep or give
 * back the connection ({@link CommandPhase#responseEnded}).
 *
 * @param statusFlags       the server's status after it (IN_TRANS among them)
 * @param warnings          its warning count
 * @param error             it ended with an ERR
 * @param unexplainedChange the server reported a change of session state with nothing that says what changed
 * @param trackingChanged   the server reported a change of a {@code session_track_*} variable
 */
record ResponseEnd(int statusFlags, int warnings, boolean error, boolean unexplainedChange, boolean trackingChanged) {
}
