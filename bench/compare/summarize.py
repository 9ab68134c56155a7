#!/usr/bin/env python3
"""Turns the results.jsonl written by bench/compare/run.sh into a Markdown table.

One input line per client run: {"system", "publishers", "window", "messages", "run", "load1",
"cpu_busy_before", "exit", "result"}, where "result" is the client's JSON line (muster-bench's
or a bench/compare client's) or null if the run failed.
"""
import argparse
import json
import statistics
import sys

ORDER = ["muster", "rabbitmq", "nats", "mosquitto", "redis"]

NAMES = {
    "muster": "**Muster** (musterd)",
    "rabbitmq": "RabbitMQ, quorum queue",
    "nats": "NATS JetStream, file store",
    "mosquitto": "Mosquitto, MQTT QoS 1",
    "redis": "Redis Streams, AOF",
}

# What an ack means, in short; the clients' own full statements are listed under the table.
SHORT = {
    "muster": "fsync of the WAL before the receipt (group commit)",
    "rabbitmq": "fsync of the Raft WAL before the confirm (batched)",
    "nats": "**no fsync** before the ack: page cache only, background sync every 2 min",
    "mosquitto": "**no disk write** before the PUBACK: memory; snapshot every 1800 s",
    "redis": "`appendfsync always`: fsync of the AOF before the reply (group commit)",
}

MUSTER_DURABILITY = (
    "receipt after the RocksDB write-ahead log holding the message is fsync'd (one sync per "
    "commit group); CURVE on every connection; consumer acks in batches of 64, also durable")


def fmt_rate(v):
    return f"{v:,.0f}"


def fmt_ms(v):
    return f"{v:.2f}" if v < 10 else f"{v:.1f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--date", default="")
    ap.add_argument("--load-start", default="")
    ap.add_argument("--load-end", default="")
    ap.add_argument("--versions", default="")
    ap.add_argument("--command", default="bench/compare/run.sh")
    args = ap.parse_args()

    groups = {}  # (p, w, n) -> system -> [result]
    failed = []
    loads, busies = [], []
    durability = {}
    with open(args.results) as f:
        for raw in f:
            raw = raw.strip()
            if not raw:
                continue
            rec = json.loads(raw)
            key = (rec["publishers"], rec["window"], rec["messages"])
            loads.append(rec["load1"])
            busies.append(rec["cpu_busy_before"])
            r = rec["result"]
            if r is None:
                failed.append(f"{rec['system']} {key} run {rec['run']} (exit {rec['exit']})")
                continue
            groups.setdefault(key, {}).setdefault(rec["system"], []).append(r)
            durability[rec["system"]] = r.get("durability", MUSTER_DURABILITY)

    out = []
    out.append(f"Date: {args.date}. Load average (1/5/15 min) at the start: {args.load_start}; "
               f"at the end: {args.load_end}. Per run: 1-min load {min(loads, default=0):.2f}–"
               f"{max(loads, default=0):.2f}, CPU busy in the second before the run "
               f"{min(busies, default=0)}–{max(busies, default=0)}%.")
    out.append("")
    out.append(f"Command: `{args.command}`")
    out.append("")
    if args.versions:
        out.append(f"Servers (Debian packages): {args.versions.strip().rstrip(';')}.")
        out.append("")
    out.append("| (P, W), N | system | what an ack means | msgs/s, median [min–max] | "
               "publish→ack p50 / p99 ms | publish→delivery p50 / p99 ms | Muster ÷ system |")
    out.append("|---|---|---|---|---|---|---|")
    for key in sorted(groups, key=lambda k: (k[1], k[0], k[2])):
        p, w, n = key
        by_system = groups[key]
        muster_rate = None
        if "muster" in by_system:
            muster_rate = statistics.median(r["receipts_per_s"] for r in by_system["muster"])
        for system in ORDER:
            runs = by_system.get(system)
            if not runs:
                continue
            rates = [r["receipts_per_s"] for r in runs]
            med = statistics.median(rates)

            def lat(field, q):
                return statistics.median(r[field][q] for r in runs)

            ratio = "—"
            if muster_rate is not None and system != "muster" and med > 0:
                ratio = f"{muster_rate / med:.2f}×"
            out.append(
                f"| ({p}, {w}), {n:,} | {NAMES[system]} | {SHORT[system]} | "
                f"**{fmt_rate(med)}** [{fmt_rate(min(rates))}–{fmt_rate(max(rates))}] "
                f"({len(runs)} run{'s' if len(runs) != 1 else ''}) | "
                f"{fmt_ms(lat('receipt_ms', 'p50'))} / {fmt_ms(lat('receipt_ms', 'p99'))} | "
                f"{fmt_ms(lat('delivery_ms', 'p50'))} / {fmt_ms(lat('delivery_ms', 'p99'))} | "
                f"{ratio} |")
    out.append("")
    out.append("Latencies are the median over the runs of each run's percentile. \"Muster ÷ "
               "system\" is Muster's median msgs/s divided by the system's (above 1: Muster is "
               "faster).")
    out.append("")
    out.append("What each client reports an ack to mean:")
    for system in ORDER:
        if system in durability:
            out.append(f"- {NAMES[system]}: {durability[system]}")
    if failed:
        out.append("")
        out.append("Failed runs (left out of the table): " + "; ".join(failed))
    print("\n".join(out))


if __name__ == "__main__":
    sys.exit(main())
