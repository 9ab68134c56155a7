#!/usr/bin/env python3
"""Prints the Markdown tables of bench/scale/run.sh from its results.jsonl."""
import json
import sys


def mb(kb):
    return f"{kb / 1024:,.0f} MB" if kb is not None and kb >= 0 else "?"


def gb(b):
    return f"{b / 1e9:,.2f} GB" if b >= 1e9 else f"{b / 1e6:,.0f} MB"


def ms(x):
    return f"{x:,.1f}" if x >= 10 else f"{x:.2f}"


def main(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    by = {}
    for r in rows:
        by.setdefault(r["part"], []).append(r)
    out = []
    run = by.get("run", [{}])[0]
    out.append(f"Run: {run.get('date', '?')}, commit {run.get('commit', '?')}; load at start {run.get('load', '?')}.")
    out.append("")

    rss = {r["what"]: r for r in by.get("rss", [])}
    if "fill" in rss:
        f, fr = rss["fill"], rss["fill"]["r"]
        out.append(f"### RSS with {fr['receipts']:,} pending messages")
        out.append("")
        out.append("| step | result | load (1/5/15 min) start → end |")
        out.append("|---|---|---|")
        out.append(f"| broker started, idle | VmRSS {mb(f['idle_rss_kb'])} | |")
        out.append(
            f"| fill: {fr['receipts']:,} × {fr['size']} B to `principal:liaison-1` (offline), "
            f"{fr['publishers']} publisher, W = {fr['window']} | **{fr['receipts_per_s']:,.0f} receipts/s** "
            f"({fr['seconds']:,.1f} s; {fr['rejected']} refused); publish→receipt p50 {ms(fr['receipt_ms']['p50'])} / "
            f"p99 {ms(fr['receipt_ms']['p99'])} ms; broker CPU {fr['broker_cpu_s']:,.0f} s "
            f"({1e6 * fr['broker_cpu_s'] / max(1, fr['receipts']):,.0f} µs per message) | {f['load_start']} → {f['load_end']} |")
        out.append(
            f"| after the fill: {f['pending']:,} pending (broker's gauge) | **VmRSS {mb(f['rss_kb'])}**, VmHWM "
            f"{mb(f['hwm_kb'])} (highest sampled during the fill {mb(fr['rss_max_kb'])}); data directory "
            f"{gb(f['data_bytes'])}, of which write-ahead log {gb(f['wal_bytes'])} | |")
        if "drain" in rss:
            d, dr = rss["drain"], rss["drain"]["r"]
            out.append(f"| 30 s later, idle | VmRSS {mb(d['settled_rss_kb'])} | |")
            out.append(
                f"| drain: `liaison-1` connects, receives and acks (64 per ack) | **{dr['per_s']:,.0f} msgs/s** "
                f"({dr['delivered']:,} in {dr['seconds']:,.1f} s; first delivery {1000 * dr['first_delivery_s']:,.0f} ms "
                f"after connecting); broker VmRSS during the drain up to **{mb(dr['rss_max_kb'])}**, "
                f"broker CPU {1e6 * dr['broker_cpu_s'] / max(1, dr['delivered']):,.0f} µs per message | "
                f"{d['load_start']} → {d['load_end']} |")
            out.append(
                f"| after the drain: {d['pending']:,} pending | VmRSS {mb(d['rss_kb'])}, VmHWM {mb(d['hwm_kb'])}; "
                f"data directory {gb(d['data_bytes'])} | |")
        out.append("")

    rs = by.get("restart", [])
    if rs:
        fill = next((r for r in rs if r["what"] == "fill"), None)
        if fill:
            r1, r2 = fill["r1"], fill["r2"]
            out.append(f"### Restart with {fill['stored']:,} messages stored")
            out.append("")
            out.append(
                f"Fill ({fill['fill_s']:,} s, load {fill['load_start']} → {fill['load_end']}): "
                f"{r1['receipts']:,} × {r1['size']} B to `msd`, received and acked by `msd` during the fill "
                f"({r1['publishers']} publishers, W = {r1['window']}: {r1['receipts_per_s']:,.0f} receipts/s, "
                f"{r1['consumed']:,} consumed), then {r2['receipts']:,} × {r2['size']} B to `liaison-1` (offline, "
                f"left pending: {r2['receipts_per_s']:,.0f} receipts/s). After the fill: {fill['pending']:,} pending; "
                f"data directory {gb(fill['data_bytes'])} ({fill['sst_files']} SST files, write-ahead log "
                f"{gb(fill['wal_bytes'])}); broker VmRSS {mb(fill['rss_kb'])}, VmHWM {mb(fill['hwm_kb'])}.")
            out.append("")
        out.append("| step | store / of which WAL | stop: signal → exited | start → first client welcomed | "
                   "pending after | VmRSS before → after | load start → end |")
        out.append("|---|---|---|---|---|---|---|")
        names = {"clean": "SIGTERM, start", "crash": "SIGKILL (crash), start: WAL replay",
                 "cold": "SIGTERM, store evicted from the page cache, start (cold)"}
        for r in rs:
            if r["what"] == "topup":
                t = r["r"]
                out.append(f"| (then {t['receipts']:,} more messages to `msd`, acked: {t['receipts_per_s']:,.0f}/s) | | | | | | |")
            if r["what"] in names:
                stop = f"{r['stop_ms']:,} ms (exit {r['stop_rc']})" if r["signal"] == "TERM" else "killed"
                out.append(
                    f"| {names[r['what']]} | {gb(r['data_bytes'])} / {gb(r['wal_bytes'])} | {stop} | "
                    f"**{r['ready']['ready_ms']:,.0f} ms** | {r['pending']:,} | {mb(r['rss_before_kb'])} → "
                    f"{mb(r['rss_kb'])} | {r['load_start']} → {r['load_end']} |")
            if r["what"] == "final-stop":
                out.append(f"| final SIGTERM | {gb(r['data_bytes'])} | {r['stop_ms']:,} ms (exit {r['stop_rc']}) | | | "
                           f"{mb(r['rss_before_kb'])} → | {r['load_start']} → |")
        out.append("")

    fo = by.get("fanout", [])
    if fo:
        out.append("### Fan-out: one message to N recipients (`org:fan-N`), W = 16, 1 KB")
        out.append("")
        out.append("| N | messages | durable receipts/s | publish→receipt p50 / p99 ms | deliveries/s (N × msgs / time) | "
                   "publish→delivery p50 / p99 ms | publish→last delivery p50 / p99 ms | broker CPU per delivery | "
                   "broker VmRSS | load start → end |")
        out.append("|---|---|---|---|---|---|---|---|---|---|")
        for r in fo:
            x = r["r"]
            note = "" if x["complete"] == x["messages"] and not x["error"] else f" ({x['complete']} complete; {x['error']})"
            out.append(
                f"| {x['recipients']} | {x['messages']:,}{note} | **{x['receipts_per_s']:,.0f}** | "
                f"{ms(x['receipt_ms']['p50'])} / {ms(x['receipt_ms']['p99'])} | **{x['deliveries_per_s']:,.0f}** | "
                f"{ms(x['delivery_ms']['p50'])} / {ms(x['delivery_ms']['p99'])} | "
                f"{ms(x['last_delivery_ms']['p50'])} / {ms(x['last_delivery_ms']['p99'])} | "
                f"{1e6 * x['broker_cpu_s'] / max(1, x['deliveries']):,.0f} µs | {mb(x['rss_kb'])} | "
                f"{r['load_start']} → {r['load_end']} |")
        out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1])
