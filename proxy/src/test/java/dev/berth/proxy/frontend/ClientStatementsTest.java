package dev.berth.proxy.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.mysql.message.command.StatementIds;
import dev.berth.proxy.backend.ServerStatements;
import org.junit.jupiter.api.Test;

class ClientStatementsTest {
    private static ClientStatements.Prepared statement(String sql) {
        return new ClientStatements.Prepared(new ServerStatements.Key("test", "utf8mb4", sql), 1);
    }

    @Test
    void idsAreIssuedInOrderAndTheLastPreparedIsNamedByMariaDbsId() {
        ClientStatements statements = new ClientStatements();
        ClientStatements.Prepared a = statement("SELECT ?");
        ClientStatements.Prepared b = statement("SELECT ? + 1");
        assertEquals(1, statements.add(a));
        assertEquals(2, statements.add(b));
        assertSame(a, statements.get(1));
        assertSame(b, statements.get(StatementIds.LAST_PREPARED));
        assertSame(a, statements.remove(1));
        assertNull(statements.get(1));
    }

    @Test
    void whatStatementsHoldIsCountedUntilTheyLetGoOrAreClosed() {
        ClientStatements statements = new ClientStatements();
        ClientStatements.Prepared a = statement("SELECT ?");
        ClientStatements.Prepared b = statement("SELECT ? + 1");
        statements.add(a);
        statements.add(b);
        a.cursor(true);
        b.cursor(true);
        b.longData(true);
        assertTrue(statements.anyCursor());
        assertTrue(statements.anyLongData());
        a.cursor(false);
        a.cursor(false); // twice: still counted once
        assertTrue(statements.anyCursor());
        statements.remove(2); // closed while it held both
        assertFalse(statements.anyCursor());
        assertFalse(statements.anyLongData());
        b.cursor(false); // a closed statement let go afterwards changes nothing
        a.longData(true);
        assertTrue(statements.anyLongData());
        statements.clear();
        assertFalse(statements.anyLongData());
        a.longData(false);
        assertFalse(statements.anyLongData());
        assertFalse(statements.anyCursor());
    }

    @Test
    void aClientStopsAtTheServersStatementLimit() {
        ClientStatements statements = new ClientStatements();
        for (int i = 0; i < ClientStatements.LIMIT; i++) {
            assertTrue(statements.add(statement("SELECT " + i)) > 0);
        }
        assertEquals(-1, statements.add(statement("SELECT 'one too many'")));
    }
}
