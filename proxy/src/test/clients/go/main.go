// The client-matrix script for Go's database/sql with go-sql-driver/mysql. Prints one line per
// step, nothing that differs between two correct servers (no ids, no timings).
// Usage: go-client HOST PORT USER PASSWORD off|preferred|required off
// (the driver has no compression; required is its tls=skip-verify).
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/go-sql-driver/mysql"
)

var ctx = context.Background()

func main() {
	host, port, user, password, tls := os.Args[1], os.Args[2], os.Args[3], os.Args[4], os.Args[5]
	tlsParam := map[string]string{"off": "false", "preferred": "preferred", "required": "skip-verify"}[tls]
	if tlsParam == "" || os.Args[6] != "off" {
		fail(fmt.Errorf("unsupported options %v", os.Args[5:]))
	}
	db, err := sql.Open("mysql", fmt.Sprintf("%s:%s@tcp(%s:%s)/?tls=%s&collation=utf8mb4_general_ci",
		user, password, host, port, tlsParam))
	check(err)
	conn, err := db.Conn(ctx) // one connection for the whole script
	check(err)

	fmt.Println("select 1:", query(conn, "SELECT 1"))
	fmt.Println("database:", query(conn, "SELECT DATABASE()"))
	exec(conn, "USE berth_it")
	fmt.Println("database after USE:", query(conn, "SELECT DATABASE()"))

	exec(conn, "CREATE TEMPORARY TABLE matrix_t (id INT AUTO_INCREMENT PRIMARY KEY,"+
		" txt VARCHAR(50) CHARACTER SET utf8mb4) ENGINE=InnoDB")
	result := exec(conn, "INSERT INTO matrix_t (txt) VALUES ('plain'), ('héllo wörld'), ('dolphin 🐬')")
	affected, err := result.RowsAffected()
	check(err)
	lastID, err := result.LastInsertId()
	check(err)
	fmt.Println("insert: affected", affected, "last id", lastID)
	fmt.Println("utf8mb4:", query(conn, "SELECT id, txt, CHAR_LENGTH(txt), HEX(txt) FROM matrix_t ORDER BY id"))
	// With arguments (and without interpolateParams) the driver uses a server-side prepared statement.
	fmt.Println("with parameters:", query(conn, "SELECT id, txt FROM matrix_t WHERE id > ? AND txt LIKE ?", 1, "%🐬%"))

	tx, err := conn.BeginTx(ctx, nil)
	check(err)
	_, err = tx.ExecContext(ctx, "INSERT INTO matrix_t (txt) VALUES ('rolled back')")
	check(err)
	inside := query(tx, "SELECT COUNT(*) FROM matrix_t")
	check(tx.Rollback())
	fmt.Println("transaction: inside", inside, "after rollback", query(conn, "SELECT COUNT(*) FROM matrix_t"))

	var serverErr *mysql.MySQLError
	_, err = conn.QueryContext(ctx, "SELECT * FROM no_such_table_matrix")
	if errors.As(err, &serverErr) {
		// This driver version does not keep the SQLSTATE.
		fmt.Println("error:", serverErr.Number, "n/a", serverErr.Message)
	} else {
		fmt.Println("error: other than a server error:", err)
	}

	fmt.Println("rows:", query(conn, "WITH RECURSIVE n AS (SELECT 1 AS i UNION ALL SELECT i + 1 FROM n WHERE i < 5)"+
		" SELECT i, REPEAT('x', i), i / 3, IF(i = 3, NULL, i * 1.5) FROM n"))

	fmt.Println("warning:", query(conn, "SELECT CAST('12abc' AS SIGNED)"))
	fmt.Println("show warnings:", query(conn, "SHOW WARNINGS"))

	// The driver does not tell the thread id of its connection.
	fmt.Println("CONNECTION_ID() equals the client thread id: n/a")
	fmt.Println("character_set_client:", query(conn, "SELECT @@character_set_client"))
	check(conn.Close())
	check(db.Close())
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...interface{}) (*sql.Rows, error)
}

// query returns the rows as a JSON list of "a|b|c" strings.
func query(q queryer, sql string, args ...interface{}) string {
	rows, err := q.QueryContext(ctx, sql, args...)
	check(err)
	defer rows.Close()
	columns, err := rows.Columns()
	check(err)
	lines := []string{}
	for rows.Next() {
		values := make([]interface{}, len(columns))
		for i := range values {
			values[i] = new(sqlNullString)
		}
		check(rows.Scan(values...))
		fields := make([]string, len(values))
		for i, v := range values {
			fields[i] = v.(*sqlNullString).text()
		}
		lines = append(lines, strings.Join(fields, "|"))
	}
	check(rows.Err())
	encoded, err := json.Marshal(lines)
	check(err)
	return string(encoded)
}

type sqlNullString struct{ sql.NullString }

func (s *sqlNullString) text() string {
	if !s.Valid {
		return "NULL"
	}
	return s.String
}

func exec(conn *sql.Conn, sql string) sql.Result {
	result, err := conn.ExecContext(ctx, sql)
	check(err)
	return result
}

func check(err error) {
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Println("failed:", err)
	os.Exit(1)
}
