"""The Markdown report of `bench/run --mixed` (bench/mixed.py): a table per database, the writes
and the first render after each, memory per worker, and issue 16's targets with met/missed."""

import os

import bench as b

P99_TARGET_MS = 100  # every case (a)–(e)
RATIO_TARGET = 3.0  # (a)–(d) against Datasette under the same writer
RATIO_CASES = ("a", "b", "c", "d")
DASHBOARD_TARGET_MS = 50  # the first dashboard request after each write, median
MEMORY_TARGET_MB = 200  # per worker


def hit_rate(r):
    answered = r.get("hit", 0) + r.get("miss", 0)
    return r["hit"] / answered * 100 if answered else None


def load_text(load):
    return " / ".join(f"{x:.2f}" for x in load)


def case_table(ctx, phase, label_db, checks):
    """The table of one phase; Datasette's figures are always those of the SQLite phase."""
    results = ctx[phase]["results"]
    datasette = ctx["sqlite"]["results"]
    pg = phase == "postgres"
    queries = ctx.get("queries_pg", {}) if pg else {}
    head = "| case | Django req/s | p50 ms | p99 ms | hit rate |"
    rule = "|---|---:|---:|---:|---:|"
    if pg:
        head += " floor ms | of floor |"
        rule += "---:|---:|"
    head += " Datasette req/s | p50 ms | p99 ms | ratio | p99 ≤ 100 ms | ≥ 3× Datasette |"
    rule += "---:|---:|---:|---:|---|---|"
    lines = [head, rule]
    cores = os.cpu_count()
    for key, label, *_ in ctx["cases"]:
        dj, ds = results.get(f"{key}|django"), datasette.get(f"{key}|datasette")
        if not dj:
            continue
        ratio = dj["rps"] / ds["rps"] if ds and ds["rps"] else None
        p99_ok = dj["p99"] <= P99_TARGET_MS
        checks.append((f"{label} on {label_db}: p99 {b.fmt(dj['p99'], '.1f')} ms (target ≤ {P99_TARGET_MS})", p99_ok))
        ratio_text = "—"
        if key in RATIO_CASES and ratio is not None:
            ratio_text = b.verdict(ratio >= RATIO_TARGET)
            checks.append(
                (f"{label} on {label_db}: {ratio:.2f}× Datasette (target ≥ {RATIO_TARGET:g}×)", ratio >= RATIO_TARGET)
            )
        row = f"| {label} | {b.fmt(dj['rps'])} | {b.fmt(dj['p50'], '.1f')} | {b.fmt(dj['p99'], '.1f')} "
        row += f"| {b.fmt(hit_rate(dj), '.0f', '%')} |"
        if pg:
            floor = b.ok_queries(queries.get(key)).get("floor_ms")
            of_floor = dj["rps"] / (cores * 1000 / floor) * 100 if floor else None
            row += f" {b.fmt(floor, '.2f')} | {b.fmt(of_floor, '.0f', '%')} |"
        row += (
            f" {b.fmt(ds and ds['rps'])} | {b.fmt(ds and ds['p50'], '.1f')} | {b.fmt(ds and ds['p99'], '.1f')} "
            f"| {b.fmt(ratio, '.2f', '×')} | {b.verdict(p99_ok)} | {ratio_text} |"
        )
        lines.append(row)
    return lines


def writes_lines(phase, label_db, checks):
    w = phase["writes"]
    dash, write = w.get("dashboard_ms", {}), w.get("write_ms", {})
    if w["count"]:
        ok = dash["median"] <= DASHBOARD_TARGET_MS
        checks.append(
            (
                f"first dashboard request after each write on {label_db}: median {dash['median']:.1f} ms "
                f"(target ≤ {DASHBOARD_TARGET_MS})",
                ok,
            )
        )
    return [
        f"- {label_db}: {w['count']} updates written and approved, {w['shown']} shown by the API at once "
        f"(`/api/v1/updates/?recommendation=…`); the write (`POST /api/v1/updates/`) took "
        f"{b.fmt(write.get('median'), '.1f')} ms median, {b.fmt(write.get('max'), '.1f')} ms max.",
        f"- {label_db}: first dashboard request after each write: **{b.fmt(dash.get('median'), '.1f')} ms median**, "
        f"{b.fmt(dash.get('max'), '.1f')} ms max; {w['dashboard_misses']} of {w['count']} answered "
        "`X-Cache: miss` (rendered by that request, or by a reader's request it waited for).",
    ]


def memory_lines(phase, label_db, checks):
    peaks = phase["worker_mb"]
    if peaks:
        checks.append(
            (
                f"memory per worker on {label_db}: largest VmHWM {max(peaks):.0f} MB (target < {MEMORY_TARGET_MB})",
                max(peaks) < MEMORY_TARGET_MB,
            )
        )
    text = f"- {label_db}: gunicorn workers' peak resident memory (VmHWM) over the run: "
    text += ", ".join(f"{p:.0f} MB" for p in peaks) or "—"
    if phase.get("datasette_mb"):
        text += f"; Datasette: {phase['datasette_mb']:.0f} MB"
    return [text + "."]


def report(ctx, args):
    kind = "quick smoke run" if args.quick else f"{args.recommendations:,} recommendations"
    lines = [
        f"# Mixed benchmark: readers while the secretariat writes ({kind})",
        "",
        f"- When: {ctx['started']}, commit `{ctx['commit']}`",
        f"- Command: `{ctx['command']}`",
        f"- Machine: {b.machine()}; load average (1/5/15 min) {load_text(ctx['load_start'])} at the start, "
        f"{load_text(ctx['load_end'])} at the end",
        f"- Software: {b.versions()}" + (f", PostgreSQL {ctx['pg_version']}" if ctx.get("pg_version") else ""),
        f"- Data: {args.recommendations:,} recommendations, {args.updates:,} approved progress updates "
        f"(seed {args.seed}); generated on SQLite in {ctx['gen_sqlite']:.1f} s"
        + (f", on PostgreSQL in {ctx['gen_pg']:.1f} s" if ctx.get("gen_pg") else ""),
        f"- Readers: wrk, {args.connections} connections, {args.threads} threads, {args.duration} s per case and "
        "server, while the writer writes; one case after another (Django, then Datasette). Django: gunicorn, "
        f"{args.workers} sync workers, "
        + ("response cache off (`--no-response-cache`)" if args.no_response_cache else "response cache on")
        + " (per process; on PostgreSQL two servers sharing Redis "
        "as `CACHE_URL`, wrk's threads alternating between them). Datasette: `datasette serve` in mutable "
        "mode on the SQLite file (it sees the writes).",
        "- Writer: once a second, the secretariat (token from `/api/v1/auth/token/`) reads a random "
        "recommendation's ETag and posts an approved update with `If-Match`; then another client requests "
        "the dashboard (the first render after the change) and the API's updates of that recommendation.",
        "- Hit rate: the share of Django's answers with `X-Cache: hit` (counted by wrk's Lua `response()`).",
        "",
    ]
    checks = []
    phases = [("sqlite", "SQLite")] + ([("postgres", "PostgreSQL")] if ctx.get("postgres") else [])
    for phase, label_db in phases:
        title = "SQLite: Django against Datasette under the same writer"
        if phase == "postgres":
            title = "PostgreSQL (two servers, Redis): against Datasette on SQLite and PostgreSQL's floor"
        lines += [f"## {title}", ""] + case_table(ctx, phase, label_db, checks) + [""]
    if ctx.get("postgres"):
        lines += [
            "Floor: the SQL of each answer rendered afresh, run with the bare driver cursor (bench/measure.py); "
            f"'of floor' = req/s ÷ ({os.cpu_count()} cores × 1000 / floor ms).",
            "",
        ]
    lines += ["## The first render after a change, and the writes", ""]
    for phase, label_db in phases:
        lines += writes_lines(ctx[phase], label_db, checks)
    lines += ["", "## Memory", ""]
    for phase, label_db in phases:
        lines += memory_lines(ctx[phase], label_db, checks)
    lines += ["", "## Targets (issue 16)", ""]
    lines += [f"- {'met' if ok else '**missed**'}: {text}" for text, ok in checks] or ["- nothing measured"]
    if ctx.get("notes"):
        lines += ["", "## Notes", ""] + [f"- {note}" for note in ctx["notes"]]
    if ctx["failures"]:
        lines += ["", "## Failures", ""] + [f"- {f}" for f in ctx["failures"]]
    lines += ["", "## Requests", "", "| case | Django | Datasette |", "|---|---|---|"]
    for _key, label, dj_path, ds_path in ctx["cases"]:
        lines.append(f"| {label} | `{dj_path}` | {f'`{ds_path}`' if ds_path else '—'} |")
    lines += ["", "Parameters: " + ", ".join(f"{k}={v}" for k, v in ctx["params"].items())]
    return "\n".join(lines) + "\n"
