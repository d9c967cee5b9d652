package dev.berth.mysql.compress;

/**
 * The compressed sequence id of one connection, shared by its decoder and encoder (both on the channel's event
 * loop).
 *
 * <p>It counts compressed packets, independently of the sequence ids of the MySQL packets inside them. The client
 * starts every command at 0; a server expects that, and then numbers its own compressed packets on from the last
 * one it read: MySQL's and MariaDB's {@code net_serv.cc} set {@code compress_pkt_nr = ++pkt_nr} after reading a
 * compressed header, and add one per compressed packet they write. A multi-packet exchange (LOCAL INFILE: the
 * server's request, the client's file, the server's OK) simply goes on counting in turn. Berth does the same from
 * whatever id the client sent, without checking it: the decoder does not know where commands start. Captured from
 * MariaDB 10.11: query {@code cseq 0} → result {@code cseq 1, 2, ...}; LOAD DATA LOCAL {@code 0} → request
 * {@code 1} → file {@code 2} → progress {@code 3}, OK {@code 4}.
 *
 * <p>A client that sends its next command before reading the whole response (pipelining, which libmysqlclient,
 * libmariadb and mysqlnd do not do with compression) gets the second response numbered on from the first.
 */
final class CompressedSequence {
    private int next;

    /** The client's compressed packet {@code id} arrived; the next one written follows it. */
    void received(int id) {
        next = (id + 1) & 0xff;
    }

    /** The id of the compressed packet about to be written. */
    int nextToSend() {
        int id = next;
        next = (id + 1) & 0xff;
        return id;
    }
}
