<?php
// The client-matrix script for PHP's PDO MySQL driver (on mysqlnd). Prints one line per step,
// nothing that differs between two correct servers (no ids, no timings).
// Usage: php pdo.php HOST PORT USER PASSWORD off|required on|off
[, $host, $port, $user, $password, $tls, $compress] = $argv;

$options = [
    PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
    PDO::ATTR_EMULATE_PREPARES => false, // real server-side prepared statements
    PDO::MYSQL_ATTR_COMPRESS => $compress === 'on',
];
if ($tls === 'required') {
    $options[PDO::MYSQL_ATTR_SSL_CIPHER] = 'DEFAULT'; // any SSL option turns TLS on
    $options[PDO::MYSQL_ATTR_SSL_VERIFY_SERVER_CERT] = false;
} elseif ($tls !== 'off') {
    exit("unsupported tls mode $tls\n");
}
$db = new PDO("mysql:host=$host;port=$port;charset=utf8mb4", $user, $password, $options);

function rows(PDOStatement $statement): string
{
    $lines = array_map(fn($row) => implode('|', array_map(fn($v) => $v ?? 'NULL', $row)),
        $statement->fetchAll(PDO::FETCH_NUM));
    return json_encode($lines, JSON_UNESCAPED_UNICODE);
}

function query(string $sql): string
{
    global $db;
    return rows($db->query($sql));
}

echo 'select 1: ', query('SELECT 1'), "\n";
echo 'database: ', query('SELECT DATABASE()'), "\n";
$db->exec('USE berth_it');
echo 'database after USE: ', query('SELECT DATABASE()'), "\n";

$db->exec('CREATE TEMPORARY TABLE matrix_t (id INT AUTO_INCREMENT PRIMARY KEY,'
    . ' txt VARCHAR(50) CHARACTER SET utf8mb4) ENGINE=InnoDB');
$affected = $db->exec("INSERT INTO matrix_t (txt) VALUES ('plain'), ('héllo wörld'), ('dolphin 🐬')");
echo 'insert: affected ', $affected, ' last id ', $db->lastInsertId(), "\n";
echo 'utf8mb4: ', query('SELECT id, txt, CHAR_LENGTH(txt), HEX(txt) FROM matrix_t ORDER BY id'), "\n";
$statement = $db->prepare('SELECT id, txt FROM matrix_t WHERE id > ? AND txt LIKE ?');
$statement->execute([1, '%🐬%']);
echo 'with parameters: ', rows($statement), "\n";

$db->beginTransaction();
$db->exec("INSERT INTO matrix_t (txt) VALUES ('rolled back')");
$inside = query('SELECT COUNT(*) FROM matrix_t');
$db->rollBack();
echo 'transaction: inside ', $inside, ' after rollback ', query('SELECT COUNT(*) FROM matrix_t'), "\n";

try {
    $db->query('SELECT * FROM no_such_table_matrix');
    echo "error: none\n";
} catch (PDOException $e) {
    [$sqlState, $code, $message] = $e->errorInfo;
    echo 'error: ', $code, ' ', $sqlState, ' ', $message, "\n";
}

echo 'rows: ', query("WITH RECURSIVE n AS (SELECT 1 AS i UNION ALL SELECT i + 1 FROM n WHERE i < 5)"
    . " SELECT i, REPEAT('x', i), i / 3, IF(i = 3, NULL, i * 1.5) FROM n"), "\n";

echo 'warning: ', query("SELECT CAST('12abc' AS SIGNED)"), "\n";
echo 'show warnings: ', query('SHOW WARNINGS'), "\n";

// PDO does not tell the thread id of its connection.
echo "CONNECTION_ID() equals the client thread id: n/a\n";
echo 'character_set_client: ', query('SELECT @@character_set_client'), "\n";
