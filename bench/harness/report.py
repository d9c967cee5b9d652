#!/usr/bin/env python3
"""Turns the raw sysbench runs of bench/run.sh into the ratio table (stdout) and a Markdown report.

usage: report.py RAW_DIR OUT.md

RAW_DIR holds env (key=value), workloads (one id a line) and per run ID.MODE.REP.out (sysbench output with
--histogram=on) and ID.MODE.REP.meta (rc, server_connects, berth_ticks, tw_after, tw_new).
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

rows = {}
for wl in workloads:
    kind, threads = wl.split(".")
    agg = {}
    for mode in "DB":
        runs = []
        for out in sorted(glob.glob(os.path.join(raw, f"{wl}.{mode}.*.out"))):
            r = parse(out)
            r.update(kv(out[:-4] + ".meta"))
            runs.append(r)
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
            a["ticks"] = sum(int(r["berth_ticks"]) for r in ok)
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
    if "rate" not in a or not a["queries"]:
        return None
    return a["ticks"] / clk * 1e6 / a["queries"]


table = []
header = ["workload", "clients", "unit", "direct", "Berth", "Berth/direct", "direct p50/p95/p99 ms",
          "Berth p50/p95/p99 ms", "Berth CPU µs/query"]
for wl in workloads:
    kind, threads, agg = rows[wl]
    d, b = agg["D"], agg["B"]
    clients = str(threads)
    if kind == "many":
        clients = f"{threads} active + {env['idle_clients']} idle (Berth), {threads} (direct)"
    ratio = b["rate"] / d["rate"] if "rate" in d and "rate" in b else None
    table.append([NAMES[kind], clients, UNITS[kind], fnum(d.get("rate")),
                  fnum(b.get("rate")) if "rate" in b else "FAILED", fnum(ratio, 2), fp(d), fp(b),
                  fnum(cpu_us(b), 1)])


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
                "during a Berth run", "TIME_WAIT → :3306 after the last Berth run"]
churn_rows = []
for wl in workloads:
    kind, threads, agg = rows[wl]
    if kind != "churn" or "rate" not in agg["B"]:
        continue
    b, d = agg["B"], agg["D"]
    per_k = b["backend_connects"] / b["events"] * 1000 if b["events"] else None
    churn_rows.append([threads, fnum(b["events"]), b["backend_connects"], fnum(per_k, 2),
                       d.get("tw_new", "—"), b["tw_new"], b["tw_after"]])

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
    for mode, name in (("D", "direct"), ("B", "Berth")):
        a = agg[mode]
        if a["error"]:
            failures.append(f"{wl} {name}: {a['runs'] - a['ok']} of {a['runs']} runs failed: `{a['error']}`")

# many clients memory
idle = int(env["idle_clients"])
ready = env.get("idle_ready", "")
held = int(ready.split()[1]) if ready.startswith("READY") else 0
rss_delta = int(env["idle_rss1"]) - int(env["idle_rss0"])
heap_delta = int(env["idle_heap1"]) - int(env["idle_heap0"])
rss_per = rss_delta / held if held else None
heap_per = heap_delta / held if held else None
total_per = (rss_delta + max(heap_delta, 0)) / held if held else None

# targets
targets = []


def target(name, value, ok, shown):
    targets.append([name, shown, "met" if ok else ("NOT met" if ok is not None else "not measured")])


def ratio_of(wl):
    if wl not in rows:
        return None
    a = rows[wl][2]
    return a["B"]["rate"] / a["D"]["rate"] if "rate" in a["B"] and "rate" in a["D"] else None


for t, goal in ((16, 0.60), (64, 0.70)):
    r = ratio_of(f"point_select.{t}")
    target(f"point select Berth/direct ≥ {goal:.2f} at {t} threads", r, None if r is None else r >= goal,
           fnum(r, 2))
cpus = [(wl, cpu_us(rows[wl][2]["B"])) for wl in workloads if rows[wl][0] in ("point_select", "read_write")]
cpus = [(wl, c) for wl, c in cpus if c is not None]
if cpus:
    worst = max(c for _, c in cpus)
    target("Berth CPU per query ≤ 12 µs (worst point select / read-write row)", worst, worst <= 12,
           f"{worst:.1f} µs")
for wl in workloads:
    if rows[wl][0] == "churn":
        r = ratio_of(wl)
        target(f"churn, {rows[wl][1]} thread(s): Berth connections/s ≥ direct", r,
               None if r is None else r >= 1.0, fnum(r, 2))
for r in churn_rows:
    v = float(r[3].replace(",", "")) if r[3] != "—" else None
    target(f"churn, {r[0]} thread(s): ≤ 1 backend connect per 1,000 client connects", v,
           None if v is None else v <= 1.0, r[3])
for wl in workloads:
    kind, threads, agg = rows[wl]
    b = agg["B"]
    if kind == "tx_point_select" and f"point_select.{threads}" in rows:
        s_rate = rows[f"point_select.{threads}"][2]["B"].get("rate")
        ok = None if "rate" not in b or not s_rate else b["rate"] >= s_rate
        target(f"transaction mode, point select at {threads} threads on a pool of {env.get('tx_pool')}: "
               f"≥ session mode's figure", None, ok,
               fnum(b["rate"] / s_rate, 2) if ok is not None else "—")
    if kind == "tx_point_select" and threads >= 256:
        r = ratio_of(wl)
        target(f"transaction mode, point select at {threads} threads: ≥ 1.0 of direct", r,
               None if r is None else r >= 1.0, fnum(r, 2))
    if kind == "tx_prepare" and b.get("events"):
        per_k = b["server_prepares"] / b["events"] * 1000
        target("transaction mode, prepare/execute/close: ≤ 5 server prepares per 1,000 client prepares", per_k,
               per_k <= 5, fnum(per_k, 1))
target("many clients: ≤ 8 KB resident per idle client (RSS delta + retained-heap delta)", total_per,
       None if total_per is None else total_per <= 8.0, f"{fnum(total_per, 1)} KB")

# ---- output ----------------------------------------------------------------------------------------------------
label = env["label"]
title = f"Berth benchmark — {label} run, {env['stamp']}"
intro = (f"`{env['command'].strip()}` — {env['duration']} s per run, {env['reps']} direct/Berth pair(s) per "
         f"workload, run alternately (direct, Berth, direct, Berth, …); {env['tables']} tables × "
         f"{int(env['table_size']):,} rows. Figures are means over the runs; percentiles come from the merged "
         f"sysbench latency histograms (per event: a query, a transaction, or a connect+query+disconnect).")
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
berth_cfg = (f"Berth: pool mode session, transport {env.get('transport')}, pool {env['main_pool']} "
             f"(workloads 1–3; session mode needs one backend per client) and {env['idle_pool']} "
             f"(many clients); transaction pool mode with a pool of {env.get('tx_pool', '—')} for the "
             f"transaction-mode rows; JVM: `{env['jvm_flags']}`.")
idle_text = (f"Idle clients: {held} of {idle} logged in by raw protocol (mysql_native_password, no database "
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
a = int(env["idle_active"])
p = int(env["idle_pool"])
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
print()
print(idle_text)
if many_note:
    print(many_note)
print()
print(text_table(["target", "measured", ""], targets))
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
    f.write(idle_text + "\n\n")
    if many_note:
        f.write(many_note + "\n\n")
    f.write("Targets:\n\n" + md_table(["target", "measured", ""], targets) + "\n")
    if failures:
        f.write("\nFailed runs:\n\n" + "\n".join(f"- {x}" for x in failures) + "\n")
