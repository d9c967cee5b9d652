# The client-matrix script for Python's DB-API drivers: PyMySQL (pure Python) and MySQLdb
# (mysqlclient, on the MariaDB C library). Prints one line per step, nothing that differs between
# two correct servers (no ids, no timings).
# Usage: python3 dbapi.py pymysql|mysqldb HOST PORT USER PASSWORD off|preferred on|off
import json
import ssl
import sys

driver, host, port, user, password, tls, compress = sys.argv[1:]
options = dict(host=host, port=int(port), user=user, password=password, charset="utf8mb4",
               autocommit=True)
if driver == "pymysql":
    import pymysql as db
    # PyMySQL has no compression. With an SSL context it uses TLS when the server offers it.
    assert tls in ("off", "preferred") and compress == "off"
    if tls == "preferred":
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        options["ssl"] = context
    error_state = lambda: "n/a"
    warning_count = lambda: cur._result.warning_count
else:
    import MySQLdb as db
    # mysql_ssl_set() makes the C library use TLS when the server offers it, without checking the
    # certificate (mysqlclient 1.4 has no ssl_mode to insist on it).
    assert tls in ("off", "preferred")
    if tls == "preferred":
        options["ssl"] = {"cipher": "DEFAULT"}
    options["compress"] = compress == "on"
    error_state = lambda: conn.sqlstate()
    warning_count = lambda: conn.warning_count()

conn = db.connect(**options)
cur = conn.cursor()


def query(sql, params=None):
    """The rows as a JSON list of "a|b|c" strings."""
    cur.execute(sql, params)
    lines = ["|".join("NULL" if v is None else str(v) for v in row) for row in cur.fetchall()]
    return json.dumps(lines, ensure_ascii=False, separators=(",", ":"))


print("select 1:", query("SELECT 1"))
print("database:", query("SELECT DATABASE()"))
cur.execute("USE berth_it")
print("database after USE:", query("SELECT DATABASE()"))

cur.execute("CREATE TEMPORARY TABLE matrix_t (id INT AUTO_INCREMENT PRIMARY KEY,"
            " txt VARCHAR(50) CHARACTER SET utf8mb4) ENGINE=InnoDB")
cur.execute("INSERT INTO matrix_t (txt) VALUES ('plain'), ('héllo wörld'), ('dolphin 🐬')")
print("insert: affected", cur.rowcount, "last id", cur.lastrowid)
print("utf8mb4:", query("SELECT id, txt, CHAR_LENGTH(txt), HEX(txt) FROM matrix_t ORDER BY id"))
# Both drivers substitute parameters on the client side.
print("with parameters:",
      query("SELECT id, txt FROM matrix_t WHERE id > %s AND txt LIKE %s", (1, "%🐬%")))

cur.execute("START TRANSACTION")
cur.execute("INSERT INTO matrix_t (txt) VALUES ('rolled back')")
inside = query("SELECT COUNT(*) FROM matrix_t")
conn.rollback()
print("transaction: inside", inside, "after rollback", query("SELECT COUNT(*) FROM matrix_t"))

try:
    cur.execute("SELECT * FROM no_such_table_matrix")
    print("error: none")
except db.MySQLError as e:
    print("error:", e.args[0], error_state(), e.args[1])

print("rows:", query("WITH RECURSIVE n AS (SELECT 1 AS i UNION ALL SELECT i + 1 FROM n WHERE i < 5)"
                    " SELECT i, REPEAT('x', i), i / 3, IF(i = 3, NULL, i * 1.5) FROM n"))

print("warning:", query("SELECT CAST('12abc' AS SIGNED)"), "count", warning_count())
print("show warnings:", query("SHOW WARNINGS"))

agrees = query("SELECT CONNECTION_ID()") == json.dumps([str(conn.thread_id())])
print("CONNECTION_ID() equals the client thread id:", "yes" if agrees else "no")
print("character_set_client:", query("SELECT @@character_set_client"))
conn.close()
