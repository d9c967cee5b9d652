#!/usr/bin/env python3
"""Turns the raw sysbench runs of bench/run.sh into the ratio table (stdout) and a Markdown report.

usage: report.py RAW_DIR OUT.md

RAW_DIR holds env (key=value), workloads (one id a line) and per run ID.MODE.REP.out (sysbench output with
--histogram=on) and ID.MODE.REP.meta (rc, server_connects, proxy_ticks, tw_after, tw_new). MODE is D (direct),
B (Berth over TCP), H (HAProxy) or U (Berth over its unix socket); a workload has the modes it was run in.
"""
import glob
import os
import re
import sys

raw, out_md = sys.argv[1], sys.argv[2]


def kv(path):
    d = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                d[k] = v
    return d


env = kv(os.path.join(raw, "env"))
clk = int(env["clk_tck"])
workloads = [w.strip() for w in open(os.path.join(raw, "workloads")) if w.strip()]


def parse(path):
    text = open(path).read()
    r = {"hist": {}, "error": None}
    m = re.search(r"total number of events:\s+(\d+)", text)
    t = re.search(r"total time:\s+([\d.]+)s", text)
    q = re.search(r"queries:\s+(\d+)\s+\(([\d.]+) per sec", text)
    if not (m and t and q):
        fatal = [l.strip() for l in text.splitlines() if "error" in l.lower() and "FATAL" in l]
        fatal = fatal or [l.strip() for l in text.splitlines() if "FATAL" in l]
        r["error"] = fatal[0] if fatal else "no result"
        return r
    r["events"] = int(m.group(1))
    r["time"] = float(t.group(1))
    r["queries"] = int(q.group(1))
    r["qps"] = float(q.group(2))
    r["eps"] = r["events"] / r["time"]
    in_hist = False
    for line in text.splitlines():
        if line.startswith("Latency histogram"):
            in_hist = True
            continue
        if in_hist:
            hm = re.match(r"\s*([\d.]+)\s*\|[* ]*\s(\d+)\s*$", line)
            if hm:
                v = float(hm.group(1))
                r["hist"][v] = r["hist"].get(v, 0) + int(hm.group(2))
            elif line.strip() and "value" not in line:
                in_hist = False
    return r


def percentiles(hist, ps=(50, 95, 99)):
    total = sum(hist.values())
    if not total:
        return [None] * len(ps)
    res = []
    for p in ps:
        need, acc = total * p / 100.0, 0
        for v in sorted(hist):
            acc += hist[v]
            if acc >= need:
                res.append(v)
                break
    return res


UNITS = {"point_select": "queries/s", "read_write": "transactions/s", "churn": "connections/s", "many": "queries/s",
         "tx_point_select": "queries/s", "tx_read_write": "transactions/s", "tx_prepare": "queries/s"}
NAMES = {"point_select": "oltp_point_select (PS)", "read_write": "oltp_read_write (PS)",
         "churn": "churn: connect, 1 query, disconnect", "many": "many clients: point select",
         "tx_point_select": "transaction mode: oltp_point_select (PS)",
         "tx_read_write": "transaction mode: oltp_read_write (PS)",
         "tx_prepare": "transaction mode: prepare, execute, close per query (Go)"}
# Rates per event where an event is more than one query (a transaction, a connection, a prepare-execute-close).
PER_EVENT = ("read_write", "churn", "tx_read_write", "tx_prepare")

MODES = {"D": "direct", "B": "Berth TCP", "H": "HAProxy", "U": "Berth unix"}

rows = {}
for wl in workloads:
    kind, threads = wl.split(".")
    agg = {}
    for mode in MODES:
        runs = []
        for out in sorted(glob.glob(os.path.join(raw, f"{wl}.{mode}.*.out"))):
            r = parse(out)
            r.update(kv(out[:-4] + ".meta"))
            runs.append(r)
        if not runs:
            continue
        ok = [r for r in runs if r["error"] is None]
        a = {"runs": len(runs), "ok": len(ok), "error": next((r["error"] for r in runs if r["error"]), None)}
        if ok:
            rate_key = "eps" if kind in PER_EVENT else "qps"
            a["rate"] = sum(r[rate_key] for r in ok) / len(ok)
            hist = {}
            for r in ok:
                for v, c in r["hist"].items():
                    hist[v] = hist.get(v, 0) + c
            a["p"] = percentiles(hist)
            a["queries"] = sum(r["queries"] for r in ok)
            a["events"] = sum(r["events"] for r in ok)
            # the proxy's CPU (Berth's, or HAProxy's in H runs); raw directories before issue 10 say berth_ticks
            a["ticks"] = sum(int(r.get("proxy_ticks", r.get("berth_ticks", 0))) for r in ok)
            # heap bytes Berth's event loops allocated (B and U runs; raw directories before it have none)
            a["event_loop_bytes"] = sum(int(r.get("event_loop_bytes", 0)) for r in ok)
            a["server_connects"] = sum(int(r["server_connects"]) for r in ok)
            a["backend_connects"] = sum(int(r.get("backend_connects", 0)) for r in ok)
            a["tw_new"] = max(int(r["tw_new"]) for r in ok)
            a["tw_after"] = int(ok[-1]["tw_after"])
            a["server_prepares"] = sum(int(r.get("server_prepares", 0)) for r in ok)
            peaks = [int(r["backend_peak"]) for r in ok if r.get("backend_peak", "").isdigit()]
            a["backend_peak"] = max(peaks) if peaks else None
        agg[mode] = a
    rows[wl] = (kind, int(threads), agg)


def fnum(x, d=0):
    return "—" if x is None else f"{x:,.{d}f}"


def fp(a):
    if "p" not in a:
        return "—"
    return "/".join(f"{v:.2f}" for v in a["p"])


def cpu_us(a):
    if a is None or "rate" not in a or not a["queries"]:
        return None
    return a["ticks"] / clk * 1e6 / a["queries"]


def heap_per_query(a):
    if a is None or not a.get("queries") or not a.get("event_loop_bytes"):
        return None
    return a["event_loop_bytes"] / a["queries"]


def of(x, y):
    """x / y, or None when either is missing."""
    return x / y if x is not None and y else None


def rate(wl, mode):
    return rows[wl][2].get(mode, {}).get("rate") if wl in rows else None


def of_direct(wl, mode):
    return of(rate(wl, mode), rate(wl, "D"))


def cpu(wl, mode):
    return cpu_us(rows[wl][2].get(mode)) if wl in rows else None


def p99(wl, mode):
    a = rows[wl][2].get(mode, {}) if wl in rows else {}
    return a["p"][2] if "p" in a else None


# One row per workload and mode: each mode's rate, as a ratio of direct, its latency, and the proxy's CPU per query
# (Berth's in B and U runs, HAProxy's in H runs), Berth's also as a ratio of HAProxy's in the same run.
table = []
header = ["workload", "clients", "unit", "via", "rate", "of direct", "p50/p95/p99 ms", "proxy CPU µs/query",
          "CPU ÷ HAProxy's", "Berth heap B/query"]
for wl in workloads:
    kind, threads, agg = rows[wl]
    for i, (mode, a) in enumerate(agg.items()):
        clients = str(threads)
        if kind == "many" and mode == "B":
            clients = f"{threads} active + {env['idle_clients']} idle"
        per_h = of(cpu(wl, mode), cpu(wl, "H")) if mode in "BU" else None
        table.append([NAMES[kind] if i == 0 else "", clients, UNITS[kind] if i == 0 else "", MODES[mode],
                      fnum(a.get("rate")) if "rate" in a else "FAILED",
                      fnum(of_direct(wl, mode), 2) if mode != "D" else "", fp(a),
                      fnum(cpu_us(a), 1) if mode != "D" else "", fnum(per_h, 2) if per_h is not None else "",
                      fnum(heap_per_query(a)) if mode in "BU" and heap_per_query(a) is not None else ""])


def text_table(header, rows):
    w = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    lines = ["  ".join(str(x).ljust(w[i]) for i, x in enumerate(header)),
             "  ".join("-" * n for n in w)]
    lines += ["  ".join(str(x).ljust(w[i]) for i, x in enumerate(r)) for r in rows]
    return "\n".join(lines)


def md_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(x) for x in r) + " |" for r in rows]
    return "\n".join(lines)


# churn details
churn_header = ["clients", "client connects (Berth runs)", "Berth backend connects (Berth runs)",
                "backend connects / 1,000 client connects", "new TIME_WAIT → :3306 during a direct run",
                "during a Berth run", "during an HAProxy run", "TIME_WAIT → :3306 after the last Berth run"]
churn_rows = []
for wl in workloads:
    kind, threads, agg = rows[wl]
    if kind != "churn" or "rate" not in agg["B"]:
        continue
    b, d = agg["B"], agg["D"]
    per_k = b["backend_connects"] / b["events"] * 1000 if b["events"] else None
    churn_rows.append([threads, fnum(b["events"]), b["backend_connects"], fnum(per_k, 2),
                       d.get("tw_new", "—"), b["tw_new"], agg.get("H", {}).get("tw_new", "—"), b["tw_after"]])

# transaction pool mode beside session mode and direct
tx_header = ["workload", "clients", "direct", "session mode (pool = clients)", "transaction mode",
             "transaction/direct", "transaction/session", "transaction p50/p95/p99 ms", "Berth CPU µs/query",
             "Berth's server connections (most at once)", "server prepares / 1,000 client prepares"]
tx_rows = []
for wl in workloads:
    kind, threads, agg = rows[wl]
    if not kind.startswith("tx_"):
        continue
    d, b = agg["D"], agg["B"]
    session_wl = f"{kind[3:]}.{threads}"
    s_rate = rows[session_wl][2]["B"].get("rate") if session_wl in rows else None
    prepares_per_k = None
    if kind == "tx_prepare" and b.get("events"):
        prepares_per_k = b["server_prepares"] / b["events"] * 1000
    tx_rows.append([NAMES[kind][len("transaction mode: "):], threads, fnum(d.get("rate")), fnum(s_rate),
                    fnum(b.get("rate")) if "rate" in b else "FAILED",
                    fnum(b["rate"] / d["rate"], 2) if "rate" in b and "rate" in d else "—",
                    fnum(b["rate"] / s_rate, 2) if "rate" in b and s_rate else "—",
                    fp(b), fnum(cpu_us(b), 1), b.get("backend_peak") if b.get("backend_peak") is not None else "—",
                    fnum(prepares_per_k, 1)])

# failures
failures = []
for wl in workloads:
    kind, threads, agg = rows[wl]
    for mode, a in agg.items():
        if a["error"]:
            failures.append(f"{wl} {MODES[mode]}: {a['runs'] - a['ok']} of {a['runs']} runs failed: `{a['error']}`")

# many clients memory (when that workload ran)
idle = int(env["idle_clients"]) if "idle_clients" in env else None
ready = env.get("idle_ready", "")
held = int(ready.split()[1]) if ready.startswith("READY") else 0
rss_delta = int(env.get("idle_rss1", 0)) - int(env.get("idle_rss0", 0))
heap_delta = int(env.get("idle_heap1", 0)) - int(env.get("idle_heap0", 0))
rss_per = rss_delta / held if held else None
heap_per = heap_delta / held if held else None
total_per = (rss_delta + max(heap_delta, 0)) / held if held else None

# targets: issue 4's (Berth against direct) and issue 10's (against HAProxy in the same run)
targets, targets10 = [], []


def target(name, ok, shown, to=targets):
    to.append([name, shown, "met" if ok else ("NOT met" if ok is not None else "not measured")])


def at_most(value, goal):
    return None if value is None else value <= goal


def at_least(value, goal):
    return None if value is None else value >= goal


for t, goal in ((16, 0.60), (64, 0.70)):
    r = of_direct(f"point_select.{t}", "B")
    target(f"point select Berth/direct ≥ {goal:.2f} at {t} threads", at_least(r, goal), fnum(r, 2))
cpus = [cpu(wl, "B") for wl in workloads if rows[wl][0] in ("point_select", "read_write")]
cpus = [c for c in cpus if c is not None]
if cpus:
    worst = max(cpus)
    target("Berth CPU per query ≤ 12 µs (worst point select / read-write row)", worst <= 12, f"{worst:.1f} µs")
for wl in workloads:
    if rows[wl][0] == "churn":
        r = of_direct(wl, "B")
        target(f"churn, {rows[wl][1]} thread(s): Berth connections/s ≥ direct", at_least(r, 1.0), fnum(r, 2))
for r in churn_rows:
    v = float(r[3].replace(",", "")) if r[3] != "—" else None
    target(f"churn, {r[0]} thread(s): ≤ 1 backend connect per 1,000 client connects", at_most(v, 1.0), r[3])
for wl in workloads:
    kind, threads, agg = rows[wl]
    b = agg["B"]
    if kind == "tx_point_select" and f"point_select.{threads}" in rows:
        r = of(b.get("rate"), rate(f"point_select.{threads}", "B"))
        target(f"transaction mode, point select at {threads} threads on a pool of {env.get('tx_pool')}: "
               f"≥ session mode's figure", at_least(r, 1.0), fnum(r, 2))
    if kind == "tx_point_select" and threads >= 256:
        r = of_direct(wl, "B")
        target(f"transaction mode, point select at {threads} threads: ≥ 1.0 of direct", at_least(r, 1.0),
               fnum(r, 2))
    if kind == "tx_prepare" and b.get("events"):
        per_k = b["server_prepares"] / b["events"] * 1000
        target("transaction mode, prepare/execute/close: ≤ 5 server prepares per 1,000 client prepares",
               per_k <= 5, fnum(per_k, 1))
if idle is not None:
    target("many clients: ≤ 8 KB resident per idle client (RSS delta + retained-heap delta)",
           at_most(total_per, 8.0), f"{fnum(total_per, 1)} KB")

for t in (16, 64):
    wl = f"point_select.{t}"
    b, h = cpu(wl, "B"), cpu(wl, "H")
    r = of(b, h)
    target(f"point select at {t} threads: Berth CPU per query ≤ 0.6 × HAProxy's", at_most(r, 0.6),
           f"{fnum(r, 2)} ({fnum(b, 1)} against {fnum(h, 1)} µs)", targets10)
for t in (16, 64):
    wl = f"point_select.{t}"
    b, h = of_direct(wl, "B"), of_direct(wl, "H")
    target(f"point select at {t} threads: Berth's ratio of direct over TCP ≥ HAProxy's + 0.10",
           None if b is None or h is None else b >= h + 0.10, f"{fnum(b, 2)} against {fnum(h, 2)}", targets10)
r = of_direct("point_select.16", "U")
target("point select at 16 threads: Berth's ratio of direct over the unix socket ≥ 0.65", at_least(r, 0.65),
       fnum(r, 2), targets10)
b, d = p99("point_select.16", "B"), p99("point_select.16", "D")
r = of(b, d)
target("point select at 16 threads: p99 through Berth ≤ 1.5 × direct's", at_most(r, 1.5),
       f"{fnum(r, 2)} ({fnum(b, 2)} against {fnum(d, 2)} ms)", targets10)
for wl in workloads:
    if rows[wl][0] != "churn":
        continue
    n = rows[wl][1]
    for mode, over, goal in (("B", "TCP", 1.0), ("U", "the unix socket", 1.2)):
        r = of_direct(wl, mode)
        target(f"churn, {n} thread(s): Berth ≥ {goal:.1f} × direct over {over}", at_least(r, goal), fnum(r, 2),
               targets10)
    c = [cpu(wl, m) for m in "BU" if cpu(wl, m) is not None]
    target(f"churn, {n} thread(s): ≤ 60 µs of Berth CPU per churned connection (worse of TCP and unix)",
           at_most(max(c), 60) if c else None, f"{fnum(cpu(wl, 'B'), 1)} / {fnum(cpu(wl, 'U'), 1)} µs",
           targets10)

# ---- output ----------------------------------------------------------------------------------------------------
label = env["label"]
title = f"Berth benchmark — {label} run, {env['stamp']}"
intro = (f"`{env['command'].strip()}` — {env['duration']} s per run, {env['reps']} round(s) per workload, each "
         f"running the workload's modes in turn (direct, Berth over TCP, HAProxy, Berth over its unix socket, "
         f"direct, …); {env['tables']} tables × {int(env['table_size']):,} rows. Figures are means over the runs; "
         f"percentiles come from the merged sysbench latency histograms (per event: a query, a transaction, or a "
         f"connect+query+disconnect). Proxy CPU per query is the proxy process's utime + stime over the run "
         f"(Berth's, or HAProxy's in its rows) divided by the queries; \"CPU ÷ HAProxy's\" divides Berth's by "
         f"HAProxy's in the same run.")


def other(name):
    path = os.path.join(raw, name)
    return [l.strip() for l in open(path)] if os.path.exists(path) else []


others = other("other-load-start") + other("other-load-end")
load_text = (f"Load average (1/5/15 min) at start {env.get('load_start')}, at the end {env.get('load_end')}. "
             + ("Other programs were using CPU during the run (sampled at start and end; they share the CPUs "
                "with the benchmark, which the alternation of direct and Berth runs only partly cancels): "
                + "; ".join(f"`{o}`" for o in others) + "."
                if others else "No other program was seen using CPU at the start or end of the run."))
machine = (f"{env['nproc']} CPUs ({env['cpu']}), {env['mem']}, kernel {env['kernel']}; {env['java']}; "
           f"server {env['server']}; {env['sysbench']}. sysbench, the server and Berth share these CPUs.")
berth_cfg = (f"Berth: pool mode session, transport {env.get('transport')}, pool {env.get('main_pool', '—')} "
             f"(workloads 1–3; session mode needs one backend per client) and {env.get('idle_pool', '—')} "
             f"(many clients); transaction pool mode with a pool of {env.get('tx_pool', '—')} for the "
             f"transaction-mode rows; JVM: `{env['jvm_flags']}`.")
if "haproxy" in env:
    berth_cfg += (f" Reference proxy: {env['haproxy']} (Debian's), mode tcp, nbthread {env['haproxy_threads']} "
                  f"(as many threads as Berth has event loops), no health checks; its config is haproxy.cfg in "
                  f"the raw directory.")
idle_text = "" if idle is None else (f"Idle clients: {held} of {idle} logged in by raw protocol (mysql_native_password, no database "
             f"named, no TLS) and then sent nothing, so in session mode none holds a backend "
             f"(backend connects during their logins: {env['idle_backend_connects']}; established client "
             f"sockets on Berth: {env['idle_established']}). Berth RSS {int(env['idle_rss0']):,} → "
             f"{int(env['idle_rss1']):,} KB (end of workload: {int(env['idle_rss_end']):,} KB), live heap after "
             f"a full GC {int(env['idle_heap0']):,} → {int(env['idle_heap1']):,} KB: "
             f"{fnum(rss_per, 1)} KB RSS + {fnum(heap_per, 1)} KB heap = {fnum(total_per, 1)} KB per idle client "
             f"(the heap is pre-touched, so RSS alone would miss what the heap holds). The direct side of this "
             f"workload runs the active clients only: the server's max_connections could not hold "
             f"{idle} more.")
many_note = ""
a = int(env.get("idle_active", 0))
p = int(env.get("idle_pool", 0))
if f"many.{a}" in rows and rows[f"many.{a}"][2]["B"]["error"] and a > p:
    many_note = (f"{a} active clients on a pool of {p} cannot run in session mode: each sysbench thread "
                 f"prepares its statements at connect, so it holds a backend from then on; the {a - p} threads "
                 f"that found the pool full waited --acquire-timeout and got `{rows[f'many.{a}'][2]['B']['error']}`. "
                 f"That needs transaction pool mode (its rows below). The harness then ran {p} "
                 f"active clients with the same {held} idle ones held open.")

print()
print(title)
print(intro)
print(machine)
print(berth_cfg)
print(load_text)
print()
print(text_table(header, table))
if churn_rows:
    print()
    print(text_table(churn_header, churn_rows))
if tx_rows:
    print()
    print(text_table(tx_header, tx_rows))
if idle_text:
    print()
    print(idle_text)
if many_note:
    print(many_note)
print()
print(text_table(["target", "measured", ""], targets))
print()
print(text_table(["target (issue 10)", "measured", ""], targets10))
for f in failures:
    print("failure:", f)

with open(out_md, "w") as f:
    f.write(f"# {title}\n\n{intro}\n\nMachine: {machine}\n\n{berth_cfg}\n\n{load_text}\n\n")
    f.write(md_table(header, table) + "\n\n")
    if churn_rows:
        f.write("Connection churn, backend side. Backend connects are counted server-side: Berth logs in to the "
                "backend as its own account (`berthbk`) and the harness reads that account's TOTAL_CONNECTIONS "
                "from information_schema.USER_STATISTICS (userstat on for the run), so other programs on the "
                "server don't count. TIME_WAIT sockets are client-side ones toward :3306, counted with `ss`; "
                "\"new\" = present after a run and not before it; these are machine-wide, so other programs "
                "connecting to :3306 meanwhile would add to them.\n\n")
        f.write(md_table(churn_header, churn_rows) + "\n\n")
    if tx_rows:
        f.write(f"Transaction pool mode: the same clients on a pool of {env.get('tx_pool')} backend connections, "
                "beside session mode (which needs a backend connection per client) and direct. Berth's "
                "server connections are sampled from the process list twice a second; server prepares are "
                "the server's Com_stmt_prepare during the Berth runs.\n\n")
        f.write(md_table(tx_header, tx_rows) + "\n\n")
    if idle_text:
        f.write(idle_text + "\n\n")
    if many_note:
        f.write(many_note + "\n\n")
    f.write("Targets:\n\n" + md_table(["target", "measured", ""], targets) + "\n\n")
    f.write("Targets (issue 10): Berth against HAProxy in the same run, and through its unix socket.\n\n"
            + md_table(["target", "measured", ""], targets10) + "\n")
    if failures:
        f.write("\nFailed runs:\n\n" + "\n".join(f"- {x}" for x in failures) + "\n")
