/*
 * Reads result sets through server-side cursors with MariaDB's C client library (libmariadb), the way
 * mariadb-test --cursor-protocol does: STMT_ATTR_CURSOR_TYPE = CURSOR_TYPE_READ_ONLY and STMT_ATTR_PREFETCH_ROWS,
 * then prepare, execute, fetch. Prints every row and a few facts of each statement, so that a run straight to the
 * server and one through Berth can be compared line by line.
 *
 * usage: cursor_client HOST PORT USER PASSWORD DATABASE
 * exit code 0 when every statement went through; on an error it prints "error: ..." and exits 1.
 */
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLUMNS 8

static MYSQL *conn;

static void fail(const char *what, MYSQL_STMT *stmt) {
    if (stmt) {
        printf("error: %s: %u %s\n", what, mysql_stmt_errno(stmt), mysql_stmt_error(stmt));
    } else {
        printf("error: %s: %u %s\n", what, mysql_errno(conn), mysql_error(conn));
    }
    fflush(stdout);
    exit(1);
}

/* Runs one SELECT through a read-only cursor, fetching `prefetch` rows at a time, and prints its rows. */
static void cursor_select(const char *label, const char *sql, unsigned long prefetch) {
    MYSQL_STMT *stmt = mysql_stmt_init(conn);
    if (!stmt) fail("stmt_init", NULL);
    unsigned long type = CURSOR_TYPE_READ_ONLY;
    if (mysql_stmt_attr_set(stmt, STMT_ATTR_CURSOR_TYPE, &type)) fail("attr cursor", stmt);
    if (mysql_stmt_attr_set(stmt, STMT_ATTR_PREFETCH_ROWS, &prefetch)) fail("attr prefetch", stmt);
    if (mysql_stmt_prepare(stmt, sql, strlen(sql))) fail("prepare", stmt);
    if (mysql_stmt_execute(stmt)) fail("execute", stmt);

    unsigned int columns = mysql_stmt_field_count(stmt);
    unsigned int cursor = (conn->server_status & SERVER_STATUS_CURSOR_EXISTS) ? 1 : 0;
    printf("%s: columns=%u cursor=%u\n", label, columns, cursor);
    if (columns > MAX_COLUMNS) fail("too many columns", NULL);

    MYSQL_BIND bind[MAX_COLUMNS];
    char values[MAX_COLUMNS][64];
    unsigned long lengths[MAX_COLUMNS];
    my_bool nulls[MAX_COLUMNS];
    memset(bind, 0, sizeof bind);
    for (unsigned int i = 0; i < columns; i++) {
        bind[i].buffer_type = MYSQL_TYPE_STRING;
        bind[i].buffer = values[i];
        bind[i].buffer_length = sizeof values[i];
        bind[i].length = &lengths[i];
        bind[i].is_null = &nulls[i];
    }
    if (columns == 0) {
        /* Nothing to fetch (a statement without a result set opens no cursor). */
        if (mysql_stmt_close(stmt)) fail("stmt_close", NULL);
        return;
    }
    if (mysql_stmt_bind_result(stmt, bind)) fail("bind_result", stmt);

    unsigned long rows = 0;
    int rc;
    while ((rc = mysql_stmt_fetch(stmt)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
        rows++;
        printf("%s: row", label);
        for (unsigned int i = 0; i < columns; i++) {
            if (nulls[i]) {
                printf(" NULL");
            } else {
                printf(" %.*s", (int) lengths[i], values[i]);
            }
        }
        printf("\n");
    }
    if (rc != MYSQL_NO_DATA) fail("fetch", stmt);
    printf("%s: rows=%lu\n", label, rows);
    if (mysql_stmt_close(stmt)) fail("stmt_close", NULL);
}

/* Binds every column of a result as a string. */
static void bind_strings(MYSQL_STMT *stmt, MYSQL_BIND *bind, char (*values)[64], unsigned long *lengths,
                         my_bool *nulls, unsigned int columns) {
    memset(bind, 0, sizeof(MYSQL_BIND) * columns);
    for (unsigned int i = 0; i < columns; i++) {
        bind[i].buffer_type = MYSQL_TYPE_STRING;
        bind[i].buffer = values[i];
        bind[i].buffer_length = 64;
        bind[i].length = &lengths[i];
        bind[i].is_null = &nulls[i];
    }
    if (mysql_stmt_bind_result(stmt, bind)) fail("bind_result", stmt);
}

/*
 * A cursor left open half-read while another statement, without a cursor, runs to its end; then the cursor is read
 * to its end. The second statement's result must not look like a cursor (its definitions' EOF carries no
 * SERVER_STATUS_CURSOR_EXISTS although the last packet the server sent, a fetch's, did).
 */
static void interleaved(void) {
    MYSQL_STMT *a = mysql_stmt_init(conn);
    MYSQL_STMT *b = mysql_stmt_init(conn);
    if (!a || !b) fail("stmt_init", NULL);
    unsigned long type = CURSOR_TYPE_READ_ONLY, prefetch = 2;
    if (mysql_stmt_attr_set(a, STMT_ATTR_CURSOR_TYPE, &type)) fail("attr cursor", a);
    if (mysql_stmt_attr_set(a, STMT_ATTR_PREFETCH_ROWS, &prefetch)) fail("attr prefetch", a);
    const char *sql_a = "SELECT seq FROM seq_1_to_5";
    const char *sql_b = "SELECT seq * 10 FROM seq_1_to_3";
    if (mysql_stmt_prepare(a, sql_a, strlen(sql_a))) fail("prepare a", a);
    if (mysql_stmt_execute(a)) fail("execute a", a);
    MYSQL_BIND bind_a[1], bind_b[1];
    char values_a[1][64], values_b[1][64];
    unsigned long lengths_a[1], lengths_b[1];
    my_bool nulls_a[1], nulls_b[1];
    bind_strings(a, bind_a, values_a, lengths_a, nulls_a, 1);
    for (int i = 0; i < 3; i++) {
        if (mysql_stmt_fetch(a)) fail("fetch a", a);
        printf("interleaved: a row %.*s\n", (int) lengths_a[0], values_a[0]);
    }
    if (mysql_stmt_prepare(b, sql_b, strlen(sql_b))) fail("prepare b", b);
    if (mysql_stmt_execute(b)) fail("execute b", b);
    printf("interleaved: b cursor=%u\n", (conn->server_status & SERVER_STATUS_CURSOR_EXISTS) ? 1 : 0);
    bind_strings(b, bind_b, values_b, lengths_b, nulls_b, 1);
    int rc;
    while ((rc = mysql_stmt_fetch(b)) == 0) {
        printf("interleaved: b row %.*s\n", (int) lengths_b[0], values_b[0]);
    }
    if (rc != MYSQL_NO_DATA) fail("fetch b", b);
    while ((rc = mysql_stmt_fetch(a)) == 0) {
        printf("interleaved: a row %.*s\n", (int) lengths_a[0], values_a[0]);
    }
    if (rc != MYSQL_NO_DATA) fail("fetch a", a);
    if (mysql_stmt_close(b) || mysql_stmt_close(a)) fail("stmt_close", NULL);
}

/*
 * A cursor that cannot be opened: the server sends the column definitions, then an ERR where their EOF would be.
 * Prints the error; the connection must go on.
 */
static void cursor_error(const char *label, const char *sql) {
    MYSQL_STMT *stmt = mysql_stmt_init(conn);
    if (!stmt) fail("stmt_init", NULL);
    unsigned long type = CURSOR_TYPE_READ_ONLY;
    if (mysql_stmt_attr_set(stmt, STMT_ATTR_CURSOR_TYPE, &type)) fail("attr cursor", stmt);
    if (mysql_stmt_prepare(stmt, sql, strlen(sql))) fail("prepare", stmt);
    if (mysql_stmt_execute(stmt) == 0) fail("execute succeeded, an error was expected", stmt);
    printf("%s: error %u %s\n", label, mysql_stmt_errno(stmt), mysql_stmt_error(stmt));
    if (mysql_stmt_close(stmt)) fail("stmt_close", NULL);
}

/* A plain text-protocol query afterwards: the connection must still be in step. */
static void plain_query(const char *label, const char *sql) {
    if (mysql_query(conn, sql)) fail(label, NULL);
    MYSQL_RES *res = mysql_store_result(conn);
    if (!res) fail(label, NULL);
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res))) {
        printf("%s: row %s\n", label, row[0] ? row[0] : "NULL");
    }
    mysql_free_result(res);
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s HOST PORT USER PASSWORD DATABASE\n", argv[0]);
        return 2;
    }
    conn = mysql_init(NULL);
    unsigned int timeout = 20;
    mysql_optionsv(conn, MYSQL_OPT_READ_TIMEOUT, &timeout);
    mysql_optionsv(conn, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
    mysql_optionsv(conn, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    my_bool no_tls = 0;
    mysql_optionsv(conn, MYSQL_OPT_SSL_ENFORCE, &no_tls);
    if (!mysql_real_connect(conn, argv[1], argv[3], argv[4], argv[5],
                            (unsigned int) atoi(argv[2]), NULL, 0)) {
        fail("connect", NULL);
    }
    cursor_select("empty", "SELECT seq, 'x' FROM seq_1_to_10 WHERE seq > 100", 1);
    cursor_select("one", "SELECT 42 AS answer, 'one' AS word", 1);
    cursor_select("hundred", "SELECT seq, seq * 2 FROM seq_1_to_100", 7);
    cursor_select("hundred-prefetch-1", "SELECT seq FROM seq_1_to_100 WHERE seq % 10 = 0", 1);
    cursor_select("no-result", "DO 1", 1);
    plain_query("after", "SELECT 'in step'");
    cursor_select("again", "SELECT seq FROM seq_1_to_3", 2);
    interleaved();
    cursor_error("no-cursor", "SELECT 1 < (SELECT seq FROM seq_1_to_2)");
    cursor_select("after-error", "SELECT seq FROM seq_1_to_2", 1);
    plain_query("after-interleaved", "SELECT 'still in step'");
    printf("done\n");
    mysql_close(conn);
    return 0;
}
