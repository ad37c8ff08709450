#!/usr/bin/env python3
"""Side-by-side benchmark of `druid-bulk results -f csv` against the network
floor (one keep-alive `curl -K` fetching every page URL, output discarded)
and the scripts users write today (a bash curl+jq loop, a Python loop),
after the table of the performance targets (`targets.py`), the layouts
table (`layouts.py`) and the `--split` targets (`split.py`).

Everything runs against the built-in sandbox (fixed seed) on loopback, in
one run, several repetitions each; medians are compared as ratios, peak
memory (max RSS) is read from /usr/bin/time, and every tool's CSV is parsed
and compared row by row. Run it with `bash bench/run`.
"""
import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import layouts
import split
import targets
from common import BIN, BULK, ROOT, SEED, TOKEN, Sandbox

PAGE = 1000


def timed(cmd, stdout_path=None, env=None):
    """Run a command; return (wall seconds, max RSS KiB)."""
    full = ["/usr/bin/time", "-f", "%M"] + cmd
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    start = time.perf_counter()
    done = subprocess.run(full, stdout=out, stderr=subprocess.PIPE, env=env)
    wall = time.perf_counter() - start
    if stdout_path:
        out.close()
    if done.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed: {done.stderr.decode(errors='replace')[-2000:]}")
    rss = int(done.stderr.decode().strip().splitlines()[-1])
    return wall, rss


def rows_of(path):
    with open(path, newline="", encoding="utf-8") as f:
        return [tuple(r) for r in csv.reader(f)]


def curl_config(endpoint, ids, rows, path):
    """Every page URL known in advance: the cursor of page k+1 is the id of row k*PAGE-1."""
    with open(path, "w") as f:
        f.write(f'header = "Authorization: Bearer {TOKEN}"\nheader = "Accept: application/json"\n')
        base = f"{endpoint}/activityid/v1/user/bulk/{BULK}/results?limit={PAGE}"
        f.write(f'url = "{base}"\noutput = "/dev/null"\n')
        for k in range(PAGE, rows, PAGE):
            f.write(f'url = "{base}&last={ids[k - 1]}"\noutput = "/dev/null"\n')
    return (rows + PAGE - 1) // PAGE


def median_run(reps, make_cmd, out_path=None, env=None):
    walls, rss = [], []
    for _ in range(reps):
        w, r = timed(make_cmd(), out_path, env)
        walls.append(w)
        rss.append(r)
    return statistics.median(walls), max(rss)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--reps", type=int,
                        help="repetitions of each measurement (default 5; 3 in the --split table)")
    parser.add_argument("--floor-reps", type=int, default=1,
                        help="in the --split table, repetitions of the curl -K floor (at 20 ms a page it "
                             "varies little, and 1,000 pages take 20 s)")
    parser.add_argument("--binary", metavar="PATH", default=BIN,
                        help="the druid-bulk binary under test (default: this tree's release build; the "
                             "--split table's sandbox is always this tree's build)")
    parser.add_argument("--slow-reps", type=int, default=3, help="repetitions of the bash and Python loops")
    parser.add_argument("--latency-rows", type=int, default=100000)
    parser.add_argument("--baseline", metavar="PATH",
                        help="an older release binary, run interleaved with the new one in the targets table")
    parser.add_argument("--targets-only", action="store_true", help="only the targets and layouts tables")
    parser.add_argument("--no-targets", action="store_true", help="skip the targets and layouts tables")
    parser.add_argument("--split-only", action="store_true",
                        help="only the --split table (one bulk as id ranges at once, against the sandbox)")
    parser.add_argument("--no-split", action="store_true", help="skip the --split table")
    parser.add_argument("--no-layouts", action="store_true",
                        help="skip the layouts table (the targets for every page layout on the "
                             "raw-socket prerendered server and on http.server)")
    parser.add_argument("--layouts-only", action="store_true", help="only the layouts table")
    parser.add_argument("--instructions", action="store_true",
                        help="in the layouts table, also count each layout's instructions with valgrind "
                             "(callgrind; about a minute)")
    args = parser.parse_args()
    args.binary = os.path.abspath(args.binary)
    sizes = [int(s) for s in args.sizes.split(",")]
    env = dict(os.environ, DRUID_TOKEN=TOKEN)
    env.pop("CI", None)
    work = tempfile.mkdtemp(prefix="druid-bulk-bench-")
    try:
        run(args, sizes, env, work)
    finally:
        # The captured pages and outputs take over a gigabyte.
        shutil.rmtree(work, ignore_errors=True)


def run(args, sizes, env, work):
    if args.split_only:
        split.run(args.binary, args.reps or 3, args.floor_reps, BULK, TOKEN, SEED, work, env)
        return
    reps = args.reps or 5
    if not args.no_targets and not args.layouts_only:
        load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
        targets.run(args.binary, args.baseline, reps, BULK, TOKEN, SEED, work, env, load)
    if not args.no_targets and not args.no_layouts:
        layouts.layouts(args.binary, args.baseline, reps, BULK, TOKEN, SEED, work, env, count=args.instructions)
    if (args.targets_only and not args.no_targets) or args.layouts_only:
        return
    if not args.no_split:
        split.run(args.binary, args.reps or 3, args.floor_reps, BULK, TOKEN, SEED, work, env)
    binary = args.binary
    results = []
    for rows in sizes:
        sb = Sandbox("--rows", str(rows))
        try:
            d_csv, b_csv, p_csv = (os.path.join(work, f"{n}-{rows}.csv") for n in ("druid", "bash", "python"))
            druid = lambda: [binary, "results", BULK, "-e", sb.endpoint, "--page-size", str(PAGE),
                             "-f", "csv", "-o", d_csv, "-q"]
            timed(druid(), env=env)  # warm-up (page cache, sandbox caches)
            d_wall, d_rss = median_run(reps, druid, env=env)
            expected = rows_of(d_csv)
            ids = [r[0] for r in expected[1:]]
            cfg = os.path.join(work, f"curl-{rows}.cfg")
            pages = curl_config(sb.endpoint, ids, rows, cfg)
            f_wall, _ = median_run(reps, lambda: ["curl", "-sSf", "-K", cfg])
            slow = args.slow_reps if rows < 1_000_000 else 1
            b_wall, _ = median_run(slow, lambda: ["bash", os.path.join(ROOT, "bench", "loop.sh"),
                                                  sb.endpoint, BULK, TOKEN, str(PAGE)], b_csv)
            p_wall, _ = median_run(slow, lambda: [sys.executable, os.path.join(ROOT, "bench", "loop.py"),
                                                  sb.endpoint, BULK, TOKEN, str(PAGE)], p_csv)
            same = rows_of(b_csv) == expected and rows_of(p_csv) == expected and len(expected) == rows + 1
            results.append((rows, pages, d_wall, f_wall, b_wall, p_wall, d_rss, same))
        finally:
            sb.stop()

    print(f"\nlocal sandbox on loopback, page size {PAGE}, median of {reps} runs "
          f"({args.slow_reps} for the loops, 1 at 1,000,000 rows); wall times in seconds\n")
    head = ("rows", "pages", "druid-bulk", "floor", "bash loop", "python", "druid/floor",
            "bash/druid", "python/druid", "max RSS", "same rows")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for rows, pages, d, f, b, p, rss, same in results:
        print(f"| {rows:,} | {pages} | {d:.3f} | {f:.3f} | {b:.2f} | {p:.2f} | {d / f:.2f} | "
              f"{b / d:.1f} | {p / d:.1f} | {rss / 1024:.1f} MiB | {'yes' if same else 'NO'} |")
    if len(results) > 1:
        first, last = results[0][6], results[-1][6]
        print(f"\nmax RSS at {results[-1][0]:,} rows is {last / first:.2f}x the {results[0][0]:,}-row figure")

    # Latency: every request waits 20 ms in the sandbox.
    rows = args.latency_rows
    pages = (rows + PAGE - 1) // PAGE
    floor = next((r[3] for r in results if r[0] == rows), None)
    sb = Sandbox("--rows", str(rows), "--latency", "20ms")
    try:
        out = os.path.join(work, f"latency-{rows}.csv")
        druid = lambda: [binary, "results", BULK, "-e", sb.endpoint, "--page-size", str(PAGE),
                         "-f", "csv", "-o", out, "-q"]
        d_wall, _ = median_run(reps, druid, env=env)
        ids = [r[0] for r in rows_of(out)[1:]]
        cfg = os.path.join(work, f"curl-latency-{rows}.cfg")
        curl_config(sb.endpoint, ids, rows, cfg)
        f_wall, _ = median_run(reps, lambda: ["curl", "-sSf", "-K", cfg])
    finally:
        sb.stop()
    budget = pages * 0.020 + (floor or 0)
    print(f"\nwith --latency 20ms, {rows:,} rows in {pages} pages: druid-bulk {d_wall:.3f}s, "
          f"curl -K floor {f_wall:.3f}s, pages x 20 ms + floor transfer = {budget:.3f}s, "
          f"druid-bulk / that = {d_wall / budget:.2f}")
    if not all(r[7] for r in results):
        raise SystemExit("the tools did not produce the same rows")


if __name__ == "__main__":
    main()
