package dev.berth.mysql.message;

import static dev.berth.mysql.Golden.bytes;
import static dev.berth.mysql.Golden.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.mysql.codec.MalformedPacketException;
import dev.berth.mysql.codec.MysqlBuffers;
import dev.berth.mysql.message.SessionStateInfo.Entry;
import dev.berth.mysql.message.SessionTrackSettings.TransactionInfo;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Blocks marked "MariaDB" were recorded from MariaDB 10.11.19 (the mariadb client through a socat relay), after the
 * statement named; the others are written from the protocol's documentation.
 */
class SessionStateInfoTest {
    /** MariaDB: {@code USE mysql}, session_track_state_change on. */
    static final String USE_MYSQL = """
            01                 # SCHEMA
            06                 #   data: 6 bytes
            05 'mysql'         #     name
            02                 # STATE_CHANGE
            01                 #   data: 1 byte
            '1'                #     changed
            """;

    /** MariaDB: {@code SET autocommit=0}. */
    static final String AUTOCOMMIT_OFF = """
            00                 # SYSTEM_VARIABLES
            0f                 #   data: 15 bytes
            0a 'autocommit'    #     name
            03 'OFF'           #     value
            02 01 '1'          # STATE_CHANGE
            """;

    /** MariaDB: {@code SET time_zone='+01:00'}. */
    static final String TIME_ZONE = """
            00                 # SYSTEM_VARIABLES
            11                 #   data: 17 bytes
            09 'time_zone'     #     name
            06 '+01:00'        #     value
            02 01 '1'          # STATE_CHANGE
            """;

    /** MariaDB: {@code SET sql_mode=''} with session_track_system_variables '*': an empty value. */
    static final String SQL_MODE_EMPTY = """
            00                 # SYSTEM_VARIABLES
            0a                 #   data: 10 bytes
            08 'sql_mode'      #     name
            00                 #     value: empty
            02 01 '1'          # STATE_CHANGE
            """;

    /** MariaDB: {@code SET session_track_transaction_info=CHARACTERISTICS}, outside a transaction. */
    static final String TRANSACTION_INFO_ON = """
            02 01 '1'          # STATE_CHANGE
            05                 # TRANSACTION_STATE
            09                 #   data: 9 bytes
            08 '________'      #     no transaction
            04                 # TRANSACTION_CHARACTERISTICS
            01                 #   data: 1 byte
            00                 #     text: empty, no characteristics
            """;

    /** MariaDB: {@code SET TRANSACTION ISOLATION LEVEL SERIALIZABLE}: the characteristics alone. */
    static final String ISOLATION_LEVEL = """
            04                 # TRANSACTION_CHARACTERISTICS
            2e                 #   data: 46 bytes
            2d 'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;'
            """;

    /** MariaDB: then {@code START TRANSACTION READ ONLY}. */
    static final String READ_ONLY_TRANSACTION = """
            05                 # TRANSACTION_STATE
            09                 #   data: 9 bytes
            08 'T_______'      #     explicit transaction, nothing read or written yet
            04                 # TRANSACTION_CHARACTERISTICS
            4b                 #   data: 75 bytes
            4a 'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE; START TRANSACTION READ ONLY;'
            """;

    /** MariaDB: {@code SET @a=1}, session_track_state_change on: a state change alone. */
    static final String STATE_CHANGE_ONLY = "02 01 '1'";

    /** GTIDs (MySQL; MariaDB does not send them). */
    static final String GTIDS_BLOCK = """
            03                 # GTIDS
            2a                 #   data: 42 bytes
            00                 #     encoding specification 0: text
            28 '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5'
            """;

    /** A type this version does not know, and its data. */
    static final String UNKNOWN_TYPE = "2a 03 'abc'";

    private static final SessionTrackSettings ALL = new SessionTrackSettings(Set.of("*"), true, true,
            TransactionInfo.CHARACTERISTICS);
    private static final SessionTrackSettings NONE = new SessionTrackSettings(Set.of(), false, false,
            TransactionInfo.OFF);

    @Test
    void schemaAndStateChange() {
        SessionStateInfo info = SessionStateInfo.decode(hex(USE_MYSQL));
        assertEquals(List.of(new Entry(SessionStateInfo.SCHEMA, hex("05 'mysql'")),
                new Entry(SessionStateInfo.STATE_CHANGE, hex("'1'"))), info.entries());
        assertEquals("mysql", info.schema());
        assertEquals("mysql", SessionStateInfo.schema(hex(USE_MYSQL)));
        assertTrue(info.stateChanged());
        assertEquals(Map.of(), info.systemVariables());
        assertNull(info.transactionState());
        assertNull(info.transactionCharacteristics());
    }

    @Test
    void systemVariable() {
        SessionStateInfo info = SessionStateInfo.decode(hex(AUTOCOMMIT_OFF));
        Entry variable = info.entries().get(0);
        assertEquals(SessionStateInfo.SYSTEM_VARIABLES, variable.type());
        assertArrayEquals(hex("0a 'autocommit' 03 'OFF'"), variable.data());
        assertEquals("autocommit", variable.variableName());
        assertEquals("OFF", variable.value());
        assertEquals(Map.of("autocommit", "OFF"), info.systemVariables());
        assertNull(info.schema());
        assertTrue(info.stateChanged());
    }

    @Test
    void emptyVariableValue() {
        assertEquals(Map.of("sql_mode", ""), SessionStateInfo.decode(hex(SQL_MODE_EMPTY)).systemVariables());
    }

    @Test
    void systemVariablesKeepTheBlockOrderAndTheLaterValueWins() {
        byte[] block = concat(AUTOCOMMIT_OFF, TIME_ZONE, """
                00 0e 0a 'autocommit' 02 'ON'   # autocommit again: ON
                """);
        Map<String, String> variables = SessionStateInfo.decode(block).systemVariables();
        assertEquals(List.of("autocommit", "time_zone"), List.copyOf(variables.keySet()));
        assertEquals("ON", variables.get("autocommit"));
        assertEquals("+01:00", variables.get("time_zone"));
    }

    @Test
    void transactionStateAndCharacteristics() {
        SessionStateInfo none = SessionStateInfo.decode(hex(TRANSACTION_INFO_ON));
        assertEquals("________", none.transactionState());
        assertEquals("", none.transactionCharacteristics());

        SessionStateInfo isolation = SessionStateInfo.decode(hex(ISOLATION_LEVEL));
        assertEquals("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;", isolation.transactionCharacteristics());
        assertNull(isolation.transactionState());
        assertFalse(isolation.stateChanged());

        SessionStateInfo readOnly = SessionStateInfo.decode(hex(READ_ONLY_TRANSACTION));
        assertEquals("T_______", readOnly.transactionState());
        assertEquals("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE; START TRANSACTION READ ONLY;",
                readOnly.transactionCharacteristics());
    }

    @Test
    void lastEntryOfATypeWins() {
        SessionStateInfo info = SessionStateInfo.decode(concat(USE_MYSQL, "01 05 04 'shop'", TRANSACTION_INFO_ON,
                READ_ONLY_TRANSACTION));
        assertEquals("shop", info.schema());
        assertEquals("T_______", info.transactionState());
        assertEquals("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE; START TRANSACTION READ ONLY;",
                info.transactionCharacteristics());
    }

    @Test
    void gtids() {
        Entry entry = SessionStateInfo.decode(hex(GTIDS_BLOCK)).entries().get(0);
        assertEquals(SessionStateInfo.GTIDS, entry.type());
        assertEquals("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5", entry.value());
        assertNull(entry.variableName());
    }

    @Test
    void unknownTypeIsKeptAsItIs() {
        Entry entry = SessionStateInfo.decode(hex(UNKNOWN_TYPE)).entries().get(0);
        assertEquals(new Entry(0x2a, hex("'abc'")), entry);
        assertNull(entry.value());
    }

    /** Only "1" is a change; other data is tolerated. */
    @Test
    void stateChangeOtherThanOneIsNoChange() {
        assertFalse(SessionStateInfo.decode(hex("02 01 '0'")).stateChanged());
        assertFalse(SessionStateInfo.decode(hex("02 00")).stateChanged());
    }

    @Test
    void emptyBlock() {
        SessionStateInfo info = SessionStateInfo.decode(new byte[0]);
        assertEquals(List.of(), info.entries());
        assertArrayEquals(new byte[0], info.encode());
        assertNull(info.schema());
        assertFalse(info.stateChanged());
    }

    @Test
    void decodeThenEncodeGivesTheSameBytes() {
        for (String golden : List.of(USE_MYSQL, AUTOCOMMIT_OFF, TIME_ZONE, SQL_MODE_EMPTY, TRANSACTION_INFO_ON,
                ISOLATION_LEVEL, READ_ONLY_TRANSACTION, STATE_CHANGE_ONLY, GTIDS_BLOCK, UNKNOWN_TYPE)) {
            assertArrayEquals(hex(golden), SessionStateInfo.decode(hex(golden)).encode(), golden);
        }
    }

    /** A value of 300 bytes: the entry's length and the value's take the 0xFC form. */
    @Test
    void longValueRoundTrip() {
        String value = "x".repeat(300);
        ByteBuf data = Unpooled.buffer();
        MysqlBuffers.writeLenencString(data, "init_connect");
        MysqlBuffers.writeLenencString(data, value);
        ByteBuf block = Unpooled.buffer().writeByte(SessionStateInfo.SYSTEM_VARIABLES);
        MysqlBuffers.writeLenencBytes(block, bytes(data));
        byte[] bytes = bytes(block);
        assertEquals(0xfc, bytes[1] & 0xff);

        SessionStateInfo info = SessionStateInfo.decode(bytes);
        assertEquals(Map.of("init_connect", value), info.systemVariables());
        assertArrayEquals(bytes, info.encode());
    }

    /** A length in a longer form than needed is read, and written back in the shortest. */
    @Test
    void longLengthFormIsWrittenBackShort() {
        // SCHEMA, its data length 6 written in the 0xFC form
        SessionStateInfo info = SessionStateInfo.decode(hex("01 fc 06 00 05 'mysql'"));
        assertEquals("mysql", info.schema());
        assertArrayEquals(hex("01 06 05 'mysql'"), info.encode());
    }

    @Test
    void variablesAreFilteredByName() {
        byte[] block = concat(AUTOCOMMIT_OFF, TIME_ZONE, SQL_MODE_EMPTY);
        SessionTrackSettings settings = new SessionTrackSettings(Set.of("TIME_ZONE"), false, true,
                TransactionInfo.OFF);
        assertArrayEquals(hex("""
                02 01 '1'                                  # autocommit's state change
                00 11 09 'time_zone' 06 '+01:00' 02 01 '1'
                02 01 '1'                                  # sql_mode's
                """), SessionStateInfo.shownTo(block, settings));
    }

    @Test
    void starShowsEveryVariable() {
        byte[] block = concat(AUTOCOMMIT_OFF, TIME_ZONE, SQL_MODE_EMPTY);
        SessionTrackSettings settings = new SessionTrackSettings(Set.of("*"), false, true, TransactionInfo.OFF);
        assertSame(block, SessionStateInfo.shownTo(block, settings));
    }

    @Test
    void schemaOff() {
        SessionTrackSettings settings = new SessionTrackSettings(Set.of(), false, true, TransactionInfo.OFF);
        assertArrayEquals(hex(STATE_CHANGE_ONLY), SessionStateInfo.shownTo(hex(USE_MYSQL), settings));
        SessionStateInfo shown = SessionStateInfo.decode(hex(USE_MYSQL)).shownTo(settings);
        assertNull(shown.schema());
        assertTrue(shown.stateChanged());
    }

    @Test
    void stateChangeOff() {
        assertArrayEquals(hex("01 06 05 'mysql'"),
                SessionStateInfo.shownTo(hex(USE_MYSQL), SessionTrackSettings.SERVER_DEFAULTS));
        assertNull(SessionStateInfo.shownTo(hex(STATE_CHANGE_ONLY), SessionTrackSettings.SERVER_DEFAULTS));
    }

    @Test
    void transactionInfoLevels() {
        byte[] block = hex(READ_ONLY_TRANSACTION);
        assertNull(SessionStateInfo.shownTo(block, settings(TransactionInfo.OFF)));
        assertArrayEquals(hex("05 09 08 'T_______'"), SessionStateInfo.shownTo(block, settings(TransactionInfo.STATE)));
        assertSame(block, SessionStateInfo.shownTo(block, settings(TransactionInfo.CHARACTERISTICS)));
        assertNull(SessionStateInfo.shownTo(hex(ISOLATION_LEVEL), settings(TransactionInfo.STATE)));
    }

    @Test
    void everythingTrackedReturnsTheSameArrayAndInstance() {
        byte[] block = concat(USE_MYSQL, AUTOCOMMIT_OFF, TRANSACTION_INFO_ON, GTIDS_BLOCK, UNKNOWN_TYPE);
        assertSame(block, SessionStateInfo.shownTo(block, ALL));
        SessionStateInfo info = SessionStateInfo.decode(block);
        assertSame(info, info.shownTo(ALL));
    }

    @Test
    void nothingRemains() {
        byte[] block = concat(USE_MYSQL, AUTOCOMMIT_OFF, TRANSACTION_INFO_ON);
        assertNull(SessionStateInfo.shownTo(block, NONE));
        assertEquals(List.of(), SessionStateInfo.decode(block).shownTo(NONE).entries());
        assertNull(SessionStateInfo.shownTo(new byte[0], ALL));
    }

    @Test
    void gtidsAndUnknownTypesPassThrough() {
        byte[] block = concat(GTIDS_BLOCK, USE_MYSQL, UNKNOWN_TYPE);
        assertArrayEquals(concat(GTIDS_BLOCK, UNKNOWN_TYPE), SessionStateInfo.shownTo(block, NONE));
    }

    @Test
    void malformedBlocks() {
        for (String bad : List.of(
                "00",                             // a type and no length
                "01 fc 05",                       // a 2-byte length cut short
                "01 06 05 'mys'",                 // data running past the block
                "01 fe ff ff ff ff ff ff ff ff",  // a length of 2^64 - 1
                "00 ff",                          // 0xFF starts no length
                "00 00",                          // a variable with empty data
                "00 0b 0a 'autocommit'",          // a variable's name without its value
                "00 0c 0a 'autocommit' 05",       // a value running past its entry
                "01 00",                          // a schema with empty data
                "01 02 05 'm'",                   // a schema name running past its entry
                "03 00",                          // GTIDs without their encoding specification
                "03 01 00",                       // GTIDs without the GTIDs
                "04 00",                          // characteristics with empty data
                "05 02 08 'T'",                   // a state running past its entry
                USE_MYSQL + " 02")) {             // a good block, then a type alone
            byte[] block = hex(bad);
            assertThrows(MalformedPacketException.class, () -> SessionStateInfo.decode(block), bad);
            assertThrows(MalformedPacketException.class, () -> SessionStateInfo.shownTo(block, ALL), bad);
        }
    }

    /** The static schema reads only schema entries, as before: other entries it cannot read do not stop it. */
    @Test
    void staticSchemaReadsOnlySchemaEntries() {
        assertEquals("mysql", SessionStateInfo.schema(concat("00 00", USE_MYSQL)));
        assertThrows(MalformedPacketException.class, () -> SessionStateInfo.schema(hex("01 02 05 'm'")));
        assertThrows(MalformedPacketException.class, () -> SessionStateInfo.schema(hex("01 06 05 'mys'")));
    }

    private static SessionTrackSettings settings(TransactionInfo transactionInfo) {
        return new SessionTrackSettings(Set.of(), false, false, transactionInfo);
    }

    private static byte[] concat(String... goldens) {
        return hex(String.join("\n", goldens));
    }
}
