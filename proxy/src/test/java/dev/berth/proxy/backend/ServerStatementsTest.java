package dev.berth.proxy.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerStatementsTest {
    private static ServerStatements.Key key(int i) {
        return new ServerStatements.Key("test", "45", "SELECT " + i);
    }

    @Test
    void pastTheLimitTheLeastRecentlyUsedIsEvictedForClosing() {
        ServerStatements statements = new ServerStatements();
        List<Long> evicted = new ArrayList<>();
        for (int i = 0; i < ServerStatements.LIMIT; i++) {
            statements.add(key(i), evicted).id(1000 + i);
        }
        statements.get(key(0)); // used: statement 1 is now the oldest
        statements.add(key(-1), evicted);
        assertEquals(List.of(1001L), evicted);
        assertNotNull(statements.get(key(0)));
        assertNull(statements.get(key(1)));
        assertEquals(ServerStatements.LIMIT, statements.size());
    }

    @Test
    void preparingAStatementAgainClosesTheCopyItReplaces() {
        ServerStatements statements = new ServerStatements();
        List<Long> evicted = new ArrayList<>();
        statements.add(key(1), evicted).id(7);
        ServerStatements.Statement again = statements.add(key(1), evicted);
        assertEquals(List.of(7L), evicted);
        assertSame(again, statements.get(key(1)));
        statements.add(key(2), evicted); // unanswered yet: nothing to close when replaced
        statements.add(key(2), evicted);
        assertEquals(List.of(7L), evicted);
    }

    @Test
    void typesAreBoundOnlyOnceSent() {
        ServerStatements.Statement s = new ServerStatements().add(key(1), new ArrayList<>());
        byte[] types = {8, 0};
        assertEquals(false, s.typesBound(types));
        s.boundTypes(types.clone());
        assertEquals(true, s.typesBound(types));
        assertEquals(false, s.typesBound(new byte[] {(byte) 0xfd, 0}));
    }
}
