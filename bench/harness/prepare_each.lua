#!/usr/bin/env sysbench
-- The go-sql-driver pattern: every query with parameters is prepare, execute, close (database/sql does this for
-- db.Query(sql, args...) unless interpolateParams is on). Each event is one such point select on sbtest1.
-- Run: sysbench bench/harness/prepare_each.lua --db-driver=mysql --mysql-host=... --table-size=N --threads=N run
-- Server-side prepares per client prepare show what a pooler makes of it (bench/run.sh counts Com_stmt_prepare).

sysbench.cmdline.options = {
  table_size = {"Rows in sbtest1", 10000},
}

function thread_init()
  drv = sysbench.sql.driver()
  con = drv:connect()
end

function thread_done()
  con:disconnect()
end

function event()
  local stmt = con:prepare("SELECT c FROM sbtest1 WHERE id = ?")
  local id = stmt:bind_create(sysbench.sql.type.INT)
  stmt:bind_param(id)
  id:set(sysbench.rand.default(1, sysbench.opt.table_size))
  stmt:execute()
  stmt:close()
end
