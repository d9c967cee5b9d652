package dev.berth.mysql.compress;

import static dev.berth.mysql.Golden.hex;

/**
 * Bytes of a real compressed exchange: {@code mariadb --compress -h127.0.0.1 -uroot test -e 'select 1'} (client
 * 10.11.19, libmariadb 3.3.20) against MariaDB 10.11.19, recorded after the login OK by a socat relay
 * ({@code socat -x -v}).
 */
final class MariaDbCapture {
    /** COM_QUERY 'select 1': 13 bytes, under 50, so stored. */
    static final byte[] CLIENT_QUERY = hex("""
            0d 00 00        # compressed payload length 13
            00              # compressed sequence id 0: the client starts every command at 0
            00 00 00        # uncompressed length 0: stored as it is
            09 00 00 00     # MySQL packet: payload length 9, sequence id 0
            03 'select 1'   # COM_QUERY
            """);

    /** The result set, five MySQL packets in one zlib-compressed packet. */
    static final byte[] SERVER_RESULT = hex("""
            36 00 00        # compressed payload length 54
            01              # compressed sequence id 1: one past the client's
            3a 00 00        # uncompressed length 58
            78 9c           # zlib header (deflate, default level), then the deflate data and the adler-32
            63 62 60 60 64 64 94 60 60 60 62 4e 49 4d 63 00 f2 0c 19 18 78 ec 19 18 81 4c e6 46 20 c1 c0 0a
            64 fc 03 ca 03 21 03 0b a3 21 90 cb 0a e6 02 00 7b 4d 04 9e
            """);

    /** What {@link #SERVER_RESULT} inflates to, one MySQL packet a line. */
    static final byte[][] RESULT_FRAMES = {
        hex("02 00 00 01  01 01  # column count 1, MariaDB's metadata-follows byte"),
        hex("""
                18 00 00 02     # column definition, 24 bytes:
                03 'def' 00 00 00 01 '1' 00  # catalog, schema, table, org table, name '1', org name
                00              # MariaDB's extended metadata: none
                0c 3f 00 01 00 00 00 03 81 00 00 00 00  # binary, length 1, LONG, NOT_NULL|NUM, 0 decimals
                """),
        hex("05 00 00 03  fe 00 00 02 00  # EOF"),
        hex("02 00 00 04  01 '1'  # row: '1'"),
        hex("05 00 00 05  fe 00 00 02 00  # EOF, SERVER_STATUS_AUTOCOMMIT"),
    };

    /** COM_QUIT, a new command: compressed sequence id 0 again. */
    static final byte[] CLIENT_QUIT = hex("05 00 00  00  00 00 00  01 00 00 00  01");

    private MariaDbCapture() {
    }
}
