<?php
// The client-matrix script for PHP's mysqli (on mysqlnd). Prints one line per step, nothing that
// differs between two correct servers (no ids, no timings).
// Usage: php mysqli.php HOST PORT USER PASSWORD off|required on|off
[, $host, $port, $user, $password, $tls, $compress] = $argv;

mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
$m = mysqli_init();
$m->options(MYSQLI_SET_CHARSET_NAME, 'utf8mb4');
$flags = $compress === 'on' ? MYSQLI_CLIENT_COMPRESS : 0;
if ($tls === 'required') {
    $flags |= MYSQLI_CLIENT_SSL | MYSQLI_CLIENT_SSL_DONT_VERIFY_SERVER_CERT;
} elseif ($tls !== 'off') {
    exit("unsupported tls mode $tls\n");
}
$m->real_connect($host, $user, $password, null, (int) $port, null, $flags);

function rows(mysqli_result $result): string
{
    $lines = array_map(fn($row) => implode('|', array_map(fn($v) => $v ?? 'NULL', $row)),
        $result->fetch_all(MYSQLI_NUM));
    return json_encode($lines, JSON_UNESCAPED_UNICODE);
}

function query(string $sql): string
{
    global $m;
    return rows($m->query($sql));
}

echo 'select 1: ', query('SELECT 1'), "\n";
echo 'database: ', query('SELECT DATABASE()'), "\n";
$m->select_db('berth_it');
echo 'database after select_db: ', query('SELECT DATABASE()'), "\n";

$m->query('CREATE TEMPORARY TABLE matrix_t (id INT AUTO_INCREMENT PRIMARY KEY,'
    . ' txt VARCHAR(50) CHARACTER SET utf8mb4) ENGINE=InnoDB');
$m->query("INSERT INTO matrix_t (txt) VALUES ('plain'), ('héllo wörld'), ('dolphin 🐬')");
echo 'insert: affected ', $m->affected_rows, ' last id ', $m->insert_id, "\n";
echo 'utf8mb4: ', query('SELECT id, txt, CHAR_LENGTH(txt), HEX(txt) FROM matrix_t ORDER BY id'), "\n";
$statement = $m->prepare('SELECT id, txt FROM matrix_t WHERE id > ? AND txt LIKE ?');
$minId = 1;
$pattern = '%🐬%';
$statement->bind_param('is', $minId, $pattern);
$statement->execute();
echo 'with parameters: ', rows($statement->get_result()), "\n";
$statement->close();

$m->begin_transaction();
$m->query("INSERT INTO matrix_t (txt) VALUES ('rolled back')");
$inside = query('SELECT COUNT(*) FROM matrix_t');
$m->rollback();
echo 'transaction: inside ', $inside, ' after rollback ', query('SELECT COUNT(*) FROM matrix_t'), "\n";

try {
    $m->query('SELECT * FROM no_such_table_matrix');
    echo "error: none\n";
} catch (mysqli_sql_exception $e) {
    echo 'error: ', $e->getCode(), ' ', $e->getSqlState(), ' ', $e->getMessage(), "\n";
}

echo 'rows: ', query("WITH RECURSIVE n AS (SELECT 1 AS i UNION ALL SELECT i + 1 FROM n WHERE i < 5)"
    . " SELECT i, REPEAT('x', i), i / 3, IF(i = 3, NULL, i * 1.5) FROM n"), "\n";

echo 'warning: ', query("SELECT CAST('12abc' AS SIGNED)"), ' count ', $m->warning_count, "\n";
echo 'show warnings: ', query('SHOW WARNINGS'), "\n";

$agrees = query('SELECT CONNECTION_ID()') === json_encode([(string) $m->thread_id]);
echo 'CONNECTION_ID() equals the client thread id: ', $agrees ? 'yes' : 'no', "\n";
echo 'character_set_client: ', query('SELECT @@character_set_client'), "\n";
$m->close();
