package dev.berth.mysql.response;

/** What one frame of a response is, as far as finding the end of the response and translating it needs. */
public enum PacketKind {
    /** OK_Packet with header 0x00. */
    OK,
    /** ERR_Packet. */
    ERR,
    /** The 0xFE packet that ends rows (or column definitions of COM_FIELD_LIST, or answers COM_SET_OPTION). */
    TERMINATOR,
    /**
     * The EOF that follows column definitions when CLIENT_DEPRECATE_EOF is off; with it on, the 0xFE OK that ends
     * COM_STMT_EXECUTE's definitions when the statement opened a cursor (no rows follow).
     */
    DEFINITIONS_EOF,
    /** 0xFB: the server asks for a local file's contents. */
    LOCAL_INFILE_REQUEST,
    COLUMN_COUNT,
    COLUMN_DEFINITION,
    /** The last column (or parameter) definition of a block; the EOF would follow it. */
    LAST_COLUMN_DEFINITION,
    ROW,
    /** COM_STMT_PREPARE_OK. */
    PREPARE_OK,
    /** A packet whose format is command-specific and single (COM_STATISTICS's string). */
    OTHER,
    /** A further frame of a logical packet of 16 MB or more. */
    CONTINUATION
}
