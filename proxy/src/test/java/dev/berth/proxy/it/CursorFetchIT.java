package dev.berth.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.proxy.it.support.RunningBerth;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A server-side cursor: COM_STMT_EXECUTE opens it (column definitions, no rows) and COM_STMT_FETCH brings the rows
 * in batches; Berth must find the end of each of those responses.
 */
class CursorFetchIT {
    private static RunningBerth berth;

    @BeforeAll
    static void start() throws Exception {
        berth = RunningBerth.start("--no-tls");
    }

    @AfterAll
    static void stop() {
        berth.close();
    }

    @Test
    void connectorJReadsACursorInBatches() throws Exception {
        try (Connection c = berth.mysqlConnection("useCursorFetch=true&useServerPrepStmts=true&defaultFetchSize=7");
             PreparedStatement ps = c.prepareStatement("SELECT seq FROM seq_1_to_50 WHERE seq > ?")) {
            ps.setFetchSize(7);
            ps.setInt(1, 3);
            long rows = 0;
            long sum = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows++;
                    sum += rs.getLong(1);
                }
            }
            assertEquals(47, rows);
            assertEquals(50 * 51 / 2 - 6, sum);
            try (ResultSet rs = c.createStatement().executeQuery("SELECT 'next'")) {
                assertTrue(rs.next(), "the connection is in step after the cursor");
                assertEquals("next", rs.getString(1));
            }
        }
    }
}
