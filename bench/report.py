#!/usr/bin/env python3
"""Merges the JSON files of one bench/run_all.sh run into DIR/latest.json
(one flat object) and DIR/<date>-<mode>.md (each figure, its bar, the ratio
to its baseline, machine facts, git revision, data-set size)."""
import argparse
import datetime
import json
import os
import platform


def load(work, name):
    with open(os.path.join(work, name)) as f:
        return json.load(f)


def machine():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    return {"cpus": os.cpu_count(), "cpu_model": model,
            "memory_gib": round(mem_kb / 2**20, 1),
            "kernel": platform.release()}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--work", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--mode", required=True)
    p.add_argument("--best_pg_index", required=True)
    p.add_argument("--git", required=True)
    a = p.parse_args()

    ip = load(a.work, "inprocess.json")
    rl = load(a.work, "reload.json")
    empty = load(a.work, "empty.json")
    search = load(a.work, "search.json")
    open70 = load(a.work, "search_open70.json")
    mix = load(a.work, "mix.json")
    book = load(a.work, "book.json")
    flood = load(a.work, "flood.json")
    pgl = load(a.work, "pg_load.json")
    pgs = load(a.work, "pg_search.json")
    pgb = load(a.work, "pg_book.json")
    with open(os.path.join(a.work, "pg_overbooked.txt")) as f:
        overbooked = int(f.read().strip() or 0)
    with open(os.path.join(a.work, "creneau_overbooked.txt")) as f:
        creneau_overbooked = int(f.read().strip() or 0)

    r = {
        "mode": a.mode,
        "git_revision": a.git,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "slots": int(ip["slots"]),
        "professionals": int(ip["professionals"]),
        "postgis_slots": int(pgl["slots"]),
        "engine_search_p50_us": ip["engine_search_p50_us"],
        "engine_search_p90_us": ip["engine_search_p90_us"],
        "engine_search_p99_us": ip["engine_search_p99_us"],
        "engine_search_p999_us": ip["engine_search_p999_us"],
        "engine_search_mean_hits": ip["engine_search_mean_hits"],
        "engine_hold_confirm_p50_us": ip["engine_hold_confirm_p50_us"],
        "engine_hold_confirm_p99_us": ip["engine_hold_confirm_p99_us"],
        "index_build_slots_per_s": ip["index_build_slots_per_s"],
        "durable_publish_slots_per_s": ip["durable_publish_slots_per_s"],
        "durable_bookings_per_s": ip["durable_bookings_per_s"],
        "durable_commits_per_sync": ip["durable_commits_per_sync"],
        "bytes_per_slot": ip["bytes_per_slot"],
        "reload_slots": int(rl["slots"]),
        "reload_s": rl["reload_s"],
        "reload_s_per_million_slots": rl["reload_s_per_million_slots"],
        "empty_rpc_qps": empty["qps"],
        "empty_rpc_p99_ms": empty["p99_ms"],
        "grpc_search_qps": search["qps"],
        "grpc_search_p50_ms": search["p50_ms"],
        "grpc_search_p99_ms": search["p99_ms"],
        "grpc_search_open_rate_per_s": open70["offered_rate_per_s"],
        "grpc_search_p50_ms_at_70pct": open70["p50_ms"],
        "grpc_search_p99_ms_at_70pct": open70["p99_ms"],
        "grpc_mix_qps": mix["qps"],
        "grpc_mix_p99_ms": mix["p99_ms"],
        # Holds and confirms are both written durably before they answer.
        "grpc_booking_rpc_qps": book["qps"],
        "grpc_booking_p99_ms": book["p99_ms"],
        # Bookings made: confirms answered OK, as PostgreSQL's rate counts
        # confirms that booked (older runs have no ok_calls: calls).
        "grpc_bookings_per_s": book.get("ok_calls", book["calls"]).get("confirm", 0) /
                               book["elapsed_s"],
        "grpc_concurrency": search["concurrency"],
        "flood_rate_per_s": flood["flooder"]["offered_rate_per_s"],
        "flood_admitted_per_s": flood["flooder"]["ok_per_s"],
        "flood_exhausted": flood["flooder"]["exhausted"],
        "flood_regulator_p99_ms_alone": flood["regulator_alone"]["calls"]["p99_ms"],
        "flood_regulator_p99_ms_flooded": flood["regulator_flooded"]["calls"]["p99_ms"],
        "flood_regulator_p99_ratio": flood["p99_ratio"],
        "flood_regulator_search_p99_ms_alone": flood["regulator_alone"]["search_p99_ms"],
        "flood_regulator_search_p99_ms_flooded": flood["regulator_flooded"]["search_p99_ms"],
        "flood_regulator_search_p99_ratio": flood["search_p99_ratio"],
        "flood_regulator_refused": (flood["regulator_alone"]["calls"]["exhausted"] +
                                    flood["regulator_flooded"]["calls"]["exhausted"]),
        "postgis_index_config": a.best_pg_index,
        "postgis_search_qps": pgs["qps"],
        "postgis_search_p50_ms": pgs["p50_ms"],
        "postgis_search_p99_ms": pgs["p99_ms"],
        "postgis_bookings_per_s": pgb["ok_per_s"],
        "postgis_booking_p50_ms": pgb["p50_ms"],
        "postgis_booking_p99_ms": pgb["p99_ms"],
        "postgis_connections": pgs["concurrency"],
        "postgis_overbooked_slots": overbooked,
        "creneau_overbooked_slots": creneau_overbooked,
    }
    for c in "abc":
        r["postgis_index_%s_qps" % c] = load(a.work, "pg_index_%s.json" % c)["qps"]
    errors = sum(x["errors"] for x in (empty, search, open70, mix, book, pgs, pgb,
                                       flood["flooder"],
                                       flood["regulator_alone"]["calls"],
                                       flood["regulator_flooded"]["calls"]))
    r["load_errors"] = errors
    r["grpc_search_vs_empty_rpc"] = r["grpc_search_qps"] / r["empty_rpc_qps"]
    r["grpc_booking_rpc_vs_empty_rpc"] = r["grpc_booking_rpc_qps"] / r["empty_rpc_qps"]
    r["search_vs_postgis"] = r["grpc_search_qps"] / max(r["postgis_search_qps"], 1e-9)
    # Both over the network and durable: bookings over gRPC against
    # PostgreSQL's over libpq; the in-process rate is shown beside as what
    # the engine and storage alone do. The call mixes and concurrency still
    # differ (the row says how).
    r["bookings_vs_postgis"] = r["grpc_bookings_per_s"] / max(r["postgis_bookings_per_s"], 1e-9)
    r["in_process_bookings_vs_postgis"] = (r["durable_bookings_per_s"] /
                                           max(r["postgis_bookings_per_s"], 1e-9))
    r.update({"machine_" + k: v for k, v in machine().items()})

    with open(os.path.join(a.out, "latest.json"), "w") as f:
        json.dump(r, f, indent=1, sort_keys=True)
        f.write("\n")

    def row(name, value, unit, bar, met, baseline=""):
        return "| %s | %s %s | %s | %s | %s |" % (
            name, fmt(value), unit, bar, "yes" if met else "**no**", baseline)

    def fmt(v):
        if isinstance(v, float):
            return "{:,.2f}".format(v) if v < 100 else "{:,.0f}".format(v)
        return "{:,}".format(v)

    rows = [
        row("engine search p50 (top 20)", r["engine_search_p50_us"], "µs", "≤ 5 µs",
            r["engine_search_p50_us"] <= 5),
        row("engine search p99 (top 20)", r["engine_search_p99_us"], "µs", "≤ 25 µs",
            r["engine_search_p99_us"] <= 25),
        row("engine hold + confirm p50", r["engine_hold_confirm_p50_us"], "µs", "≤ 1 µs",
            r["engine_hold_confirm_p50_us"] <= 1),
        row("durable bookings, in process", r["durable_bookings_per_s"], "/s",
            "≥ 100,000/s", r["durable_bookings_per_s"] >= 100000,
            "%.1f× PostGIS over libpq (%s/s), not like for like: no network" % (
                r["in_process_bookings_vs_postgis"], fmt(r["postgis_bookings_per_s"]))),
        row("empty RPC (gRPC ceiling)", r["empty_rpc_qps"], "/s", "baseline", True),
        row("durable hold + confirm RPCs over gRPC", r["grpc_booking_rpc_qps"], "/s",
            "≥ 80 % of empty RPC", r["grpc_booking_rpc_vs_empty_rpc"] >= 0.8,
            "%.0f %% of empty RPC; %s bookings/s, p99 %.2f ms" % (
                100 * r["grpc_booking_rpc_vs_empty_rpc"], fmt(r["grpc_bookings_per_s"]),
                r["grpc_booking_p99_ms"])),
        row("SearchSlots over gRPC", r["grpc_search_qps"], "/s", "≥ 80 % of empty RPC",
            r["grpc_search_vs_empty_rpc"] >= 0.8,
            "%.0f %% of empty RPC; %.0f× PostGIS" % (100 * r["grpc_search_vs_empty_rpc"],
                                                      r["search_vs_postgis"])),
        row("SearchSlots p99, open loop at 70 %", r["grpc_search_p99_ms_at_70pct"], "ms",
            "< 1 ms", r["grpc_search_p99_ms_at_70pct"] < 1),
        row("search vs PostGIS (throughput)", r["search_vs_postgis"], "×", "≥ 100×",
            r["search_vs_postgis"] >= 100,
            "PostGIS %s/s, p99 %.2f ms" % (fmt(r["postgis_search_qps"]), r["postgis_search_p99_ms"])),
        row("bookings over gRPC vs PostGIS over libpq", r["bookings_vs_postgis"], "×",
            "≥ 10×", r["bookings_vs_postgis"] >= 10,
            "%s against %s bookings/s; PostGIS booking p99 %.2f ms. Still unlike: "
            "creneau's %d callers also search before each booking, PostgreSQL's %d "
            "connections book from a slot list" % (
                fmt(r["grpc_bookings_per_s"]), fmt(r["postgis_bookings_per_s"]),
                r["postgis_booking_p99_ms"], r["grpc_concurrency"],
                r["postgis_connections"])),
        row("reload per million slots", r["reload_s_per_million_slots"], "s",
            "10 M in ≤ 5 s", r["reload_s_per_million_slots"] * 10 <= 5,
            "%s slots in %.1f s" % (fmt(r["reload_slots"]), r["reload_s"])),
        row("memory per slot", r["bytes_per_slot"], "B", "≤ 128 B", r["bytes_per_slot"] <= 128),
        row("regulator p99 under a %s/s flood / alone" % fmt(r["flood_rate_per_s"]),
            r["flood_regulator_p99_ratio"], "×", "≤ 3×",
            r["flood_regulator_p99_ratio"] <= 3 and r["flood_regulator_refused"] == 0,
            "p99 %.2f ms alone, %.2f ms flooded (searches only: %.2f / %.2f ms); "
            "regulator refused %d times; flooder admitted %.0f/s, refused %s" % (
                r["flood_regulator_p99_ms_alone"], r["flood_regulator_p99_ms_flooded"],
                r["flood_regulator_search_p99_ms_alone"],
                r["flood_regulator_search_p99_ms_flooded"], r["flood_regulator_refused"],
                r["flood_admitted_per_s"], fmt(r["flood_exhausted"]))),
    ]
    m = machine()
    date = datetime.date.today().isoformat()
    text = "\n".join([
        "# creneau benchmarks, %s (%s mode)" % (date, a.mode), "",
        "Data set: synthetic France, %s slots of %s professionals (PostGIS: %s slots, "
        "same generator and seed). Machine: %d CPUs (%s), %.0f GiB, Linux %s. "
        "Revision %s. Load errors: %d. Overbooked slots after the runs: PostGIS %d "
        "(a query), creneau %d (its restart restores every booking and refuses a slot "
        "booked beyond its places)." % (
            fmt(r["slots"]), fmt(r["professionals"]), fmt(r["postgis_slots"]), m["cpus"],
            m["cpu_model"], m["memory_gib"], m["kernel"], a.git, errors, overbooked,
            creneau_overbooked), "",
        "| figure | measured | bar | met | baseline / ratio |",
        "|---|---|---|---|---|",
        *rows, "",
        "gRPC runs: %d callers over 4 connections, load generator on the same 2 cores. "
        "PostGIS: %d libpq connections, index configuration %s kept "
        "(search req/s: A %s, B %s, C %s)." % (
            r["grpc_concurrency"], r["postgis_connections"], a.best_pg_index,
            fmt(r["postgis_index_a_qps"]), fmt(r["postgis_index_b_qps"]),
            fmt(r["postgis_index_c_qps"])), "",
        "Reproduce: `bench/run_all.sh%s`." % (" --quick" if a.mode == "quick" else ""), "",
    ])
    path = os.path.join(a.out, "%s-%s.md" % (date, a.mode))
    with open(path, "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
