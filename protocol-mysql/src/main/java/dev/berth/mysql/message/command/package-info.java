/**
 * The client's commands of the command phase, one record per command as the MySQL documentation names it.
 *
 * <p>Every {@code decode} reads a payload that begins with the command byte and fails with
 * {@link dev.berth.mysql.codec.MalformedPacketException}, and nothing else, when the byte is another command or the
 * payload ends before a field the command must have. Bytes after the last field are ignored, as the servers ignore
 * them. Text (user, schema) is read as UTF-8; SQL is kept as the bytes the client sent.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_command_phase.html">Command Phase</a>
 */
package dev.berth.mysql.message.command;
