#!/usr/bin/env sysbench
-- Connection churn for sysbench 1.0: every event is connect, one query, disconnect.
-- (sysbench 1.0.20's oltp scripts have no --reconnect option; 1.1 does.)
-- Run: sysbench bench/harness/churn.lua --db-driver=mysql --mysql-host=... --threads=N --time=S run
-- The events/s figure sysbench prints is client connections per second.

function thread_init()
  drv = sysbench.sql.driver()
end

function event()
  local con = drv:connect()
  con:query("SELECT 1")
  con:disconnect()
end
