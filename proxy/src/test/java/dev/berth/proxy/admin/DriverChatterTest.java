package dev.berth.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DriverChatterTest {
    private final DriverChatter chatter = new DriverChatter();

    @Test
    void setIsDone() {
        assertEquals(Optional.of(new AdminResult.Done("")), chatter.answer("set autocommit=1"));
        assertEquals(Optional.of(new AdminResult.Done("")), chatter.answer("SET NAMES utf8mb4"));
    }

    @Test
    void theCliAsksForTheVersionComment() {
        assertEquals(rows(List.of("@@version_comment"), "Berth admin console"),
                chatter.answer("select @@version_comment limit 1"));
    }

    @Test
    void connectorJAsksForManyWithAliasesAfterAComment() {
        assertEquals(rows(List.of("auto_increment_increment", "max_allowed_packet", "no_such_thing"), "1", "16777216",
                        null),
                chatter.answer("/* mysql-connector-j-9.1.0 (Revision: abc) */SELECT @@session.auto_increment_increment "
                        + "AS auto_increment_increment, @@max_allowed_packet AS max_allowed_packet, @@no_such_thing "
                        + "AS no_such_thing"));
    }

    @Test
    void unaliasedColumnsAreNamedAsWritten() {
        assertEquals(rows(List.of("@@max_allowed_packet", "@@SESSION.wait_timeout"), "16777216", "28800"),
                chatter.answer("SELECT @@max_allowed_packet, @@SESSION.wait_timeout"));
    }

    @Test
    void showVariablesLike() {
        assertEquals(Optional.of(new AdminResult.Rows(List.of("Variable_name", "Value"),
                        List.of(List.of("max_allowed_packet", "16777216")))),
                chatter.answer("SHOW VARIABLES LIKE 'max\\_allowed%'"));
    }

    @Test
    void showWarningsIsEmpty() {
        assertEquals(Optional.of(new AdminResult.Rows(List.of("Level", "Code", "Message"), List.of())),
                chatter.answer("show warnings"));
    }

    @Test
    void otherStatementsAreLeftToTheCommands() {
        assertEquals(Optional.empty(), chatter.answer("SHOW POOLS"));
        assertEquals(Optional.empty(), chatter.answer("SELECT 1"));
        assertEquals(Optional.empty(), chatter.answer("SELECT @@version, now()"));
        assertEquals(Optional.empty(), chatter.answer("PAUSE"));
    }

    private static Optional<AdminResult> rows(List<String> columns, String... values) {
        return Optional.of(new AdminResult.Rows(columns, List.of(Arrays.asList(values))));
    }
}
