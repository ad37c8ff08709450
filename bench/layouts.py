"""The targets for every page layout a server may write, on two servers
(issue 24): the same 200,000 rows in pages of 1,000, captured from the
sandbox started with `--layout` and `--lastid`, served by the raw-socket
prerendered server and by Python's `http.server`, druid-bulk interleaved
rep by rep with the `curl -K` floor for that layout and server (and with
`--baseline PATH` an older binary). Every CSV is checked to be byte for
byte the compact one's. Used by bench.py."""
import os
import subprocess

from targets import PAGE, Server, capture, check_floor, floor_config, interleaved, print_table

# The page layouts a server may write (the sandbox's --layout and --lastid).
# (short name, what the page looks like, the sandbox's arguments)
LAYOUTS = [
    ("compact", "compact, lastId first", ("--layout", "compact", "--lastid", "first")),
    ("compact-last", "compact, lastId after results", ("--layout", "compact", "--lastid", "last")),
    ("escaped", "`\\u`-escaped non-ASCII, compact, lastId first", ("--layout", "escaped", "--lastid", "first")),
    ("spaced", '`", "` / `": "` spacing, lastId after results', ("--layout", "spaced", "--lastid", "last")),
    ("indented", "indented, lastId after results", ("--layout", "pretty", "--lastid", "last")),
]
SERVERS = [("raw-socket prerendered", "prerendered.py"), ("http.server", "httpserver.py")]
# The goals: JSON lines to /dev/null, CSV -o, CSV -o at 5 ms a page (each
# ÷ the floor), the worst layout ÷ the best on each server.
GOAL_JSONL, GOAL_CSV, GOAL_SLOW, GOAL_CLIFF = 1.3, 1.7, 1.03, 1.1
LATENCY_MS = 5


def measure(bins, bulk, token, work, env, reps, path, pages, script, latency=0):
    """One layout on one server: {name: (wall, cpu, rss, out)} for the floor
    and each binary's CSV -o (and at no latency, its JSON lines to
    /dev/null)."""
    cfg = os.path.join(work, "floor-layouts.cfg")
    with Server(path, token, bulk, latency, script=script) as srv:
        floor_config(srv.endpoint, bulk, pages, token, cfg)
        cmds = {"floor": (["curl", "-sS", "-K", cfg], None)}
        for n, b in bins.items():
            base = [b, "results", bulk, "-e", srv.endpoint, "--page-size", str(PAGE), "-q"]
            cmds[f"{n} csv"] = (base + ["-f", "csv", "-o", os.path.join(work, f"{n}-layout.csv")], None)
            if not latency:
                cmds[f"{n} jsonl"] = (base + ["-f", "jsonl"], "/dev/null")
        got = interleaved(reps, cmds, env)
    check_floor(got["floor"][3], pages)
    return got


def instructions(bin_path, bulk, endpoint, fmt, work, env):
    """The instructions an export executes in user space, counted by
    valgrind's callgrind: the same count run after run, where CPU seconds on
    a shared machine vary by 10–30% (the kernel's share is not in it)."""
    out = os.path.join(work, "callgrind.out")
    cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", bin_path, "results", bulk,
           "-e", endpoint, "--page-size", str(PAGE), "-f", fmt, "-q"]
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    with open(out) as f:
        return next(int(line.split()[1]) for line in f if line.startswith("summary:"))


def layouts(bin_path, baseline, reps, bulk, token, seed, work, env, rows=200_000, count=False):
    """One row per target, layout and server, then the cliff and memory
    rows; with `count`, the instructions of each layout's export too."""
    bins = {"new": bin_path}
    if baseline:
        bins["old"] = baseline
    rows_out, want, cliff = [], None, {}
    per_million = 1_000_000 / rows

    def row(label, measure, value, goal, met):
        new, old = value("new"), value("old") if baseline else ""
        rows_out.append((label, measure, new, old, goal, met))

    for short, name, layout in LAYOUTS:
        path, pages = capture(bin_path, rows, bulk, token, seed, work, layout)
        size = sum(len(b) for b in pages.values())
        largest = max(len(b) for b in pages.values())
        for server, script in SERVERS:
            got = measure(bins, bulk, token, work, env, reps, path, pages, script)
            slow = measure(bins, bulk, token, work, env, reps, path, pages, script, LATENCY_MS)
            for n in bins:
                with open(os.path.join(work, f"{n}-layout.csv"), "rb") as f:
                    text = f.read()
                want = want or text
                if text != want:
                    raise SystemExit(f"{n}: the CSV from {name} pages on {server} differs from the compact one")
            floor, floor_slow = got["floor"][0], slow["floor"][0]
            label = f"{name}, {server}"
            ratio = lambda g, key, f: lambda n: f"{g[f'{n} {key}'][0] / f:.2f}x ({g[f'{n} {key}'][0]:.3f} s)"
            row(label, f"JSON lines → /dev/null ÷ floor ({floor:.3f} s, {size / 1e6:.0f} MB)",
                ratio(got, "jsonl", floor), f"≤ {GOAL_JSONL}x", got["new jsonl"][0] / floor <= GOAL_JSONL)
            row(label, "CSV -o ÷ floor", ratio(got, "csv", floor), f"≤ {GOAL_CSV}x",
                got["new csv"][0] / floor <= GOAL_CSV)
            row(label, f"CSV -o, {LATENCY_MS} ms a page ÷ floor ({floor_slow:.3f} s)",
                ratio(slow, "csv", floor_slow), f"≤ {GOAL_SLOW}x", slow["new csv"][0] / floor_slow <= GOAL_SLOW)
            bound = 4 * largest / 1024 + 32 * 1024
            row(label, "CSV -o: CPU per 1,000,000 rows; max RSS",
                lambda n: f"{got[f'{n} csv'][1] * per_million:.3f} s; {got[f'{n} csv'][2] / 1024:.1f} MiB",
                f"RSS ≤ {bound / 1024:.0f} MiB (4x page + 32 MiB)", got["new csv"][2] <= bound)
            if count and script == "prerendered.py":
                with Server(path, token, bulk) as srv:
                    ir = {(n, fmt): instructions(b, bulk, srv.endpoint, fmt, work, env)
                          for n, b in bins.items() for fmt in ("csv", "jsonl")}
                for fmt in ("csv", "jsonl"):
                    row(name, f"{fmt} → /dev/null: user-space instructions per 1,000,000 rows (callgrind)",
                        lambda n, fmt=fmt: f"{ir[(n, fmt)] * per_million / 1e9:.2f} billion "
                                           f"({ir[(n, fmt)] / size:.1f} a byte)", "—", None)
                    for n in bins:
                        cliff.setdefault((f"instructions, {fmt}", n), {"count": {}})["count"][short] = ir[(n, fmt)]
            for n in bins:
                c = cliff.setdefault((server, n), {"wall": {}, "cpu": {}})
                c["wall"][short] = got[f"{n} csv"][0] / floor
                c["cpu"][short] = got[f"{n} csv"][1] * per_million
    checks = [(server, what, m) for server, _ in SERVERS
              for what, m in (("wall", "CSV -o ÷ floor"), ("cpu", "CSV -o CPU per 1,000,000 rows"))]
    if count:
        checks += [(f"instructions, {fmt}", "count", f"{fmt} → /dev/null, user-space instructions")
                   for fmt in ("csv", "jsonl")]
    for server, what, measure_ in checks:
        def spread(n, server=server, what=what):
            v = cliff[(server, n)][what]
            worst, best = max(v, key=v.get), min(v, key=v.get)
            return f"{v[worst] / v[best]:.2f}x ({worst} ÷ {best})"
        v = cliff[(server, "new")][what]
        row(f"no cliff, {server}", f"worst layout ÷ best, {measure_}", spread,
            f"≤ {GOAL_CLIFF}x", max(v.values()) / min(v.values()) <= GOAL_CLIFF)
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"\nlayouts: {rows:,} rows in pages of {PAGE:,}, each layout from two servers; "
          f"median of {reps} interleaved runs; load at the end: {load}\n")
    print_table(rows_out, baseline)
