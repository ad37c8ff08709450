"""The `--split` targets: one bulk fetched as id ranges at once, against
the sandbox (`--latency`, `--id-layout`, `--cursor-mode`), side by side in
one run. Used by bench.py (`bash bench/run --split-only`).

Every case starts its own sandbox (fixed seed; always this tree's build, so
`--binary` can point the client at another one) and first runs two exports
with `-v`, untimed: the sequential one, whose output is the reference and
whose log gives the number of results requests (its pages), their URLs in
order and each body's size; then the `--split` one, whose log gives the
requests it made and the ranges its last `--split: N ranges` line names
(`-v` logs every results request as `> GET …/results?…`). That second run
also warms the sandbox up. Then the timed runs, interleaved rep by rep:
`--split` against the `curl -K` floor (one curl process fetching the
sequential export's page URLs in order over one keep-alive connection, each
a 200 of the size the export got) or against the sequential export. Every
output, timed or not, is compared with the reference with `cmp`.

The exports write CSV to a file: `-f csv -o FILE -q`, as in the targets
table."""
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

from common import BIN, Sandbox
from targets import timed

LATENCY = "20ms"
MIB = 1024  # KiB
RSS_GOAL = 64 * MIB


def export(bin_path, bulk, endpoint, out, page, extra=()):
    return [bin_path, "results", bulk, "-e", endpoint, "--page-size", str(page), "-f", "csv", "-o", out,
            *extra]


def logged(cmd, env):
    """Run an export with -v, untimed: (exit code, [(results URL, body bytes)],
    the ranges the last `--split: N ranges` line names (None without one),
    the last line saying `--split:`, stderr)."""
    done = subprocess.run(cmd + ["-v"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    err = done.stderr.decode(errors="replace")
    requests, pending = [], None
    for line in err.splitlines():
        if line.startswith("> GET "):
            url = line[len("> GET "):].strip()
            pending = url if "/results" in url.split("?")[0] else None
            if pending:
                requests.append([pending, None])
        elif line.startswith("< ") and pending:
            size = re.search(r"\((\d+) bytes\)", line)
            # Sequential: each answer follows its request. With --split the
            # answers interleave; only the count is used there.
            requests[-1][1] = int(size.group(1)) if size else None
            pending = None
    said = [line[line.index("--split:"):] for line in err.splitlines() if "--split:" in line]
    counts = [int(m.group(1)) for m in (re.match(r"--split: (\d+) ranges\b", line) for line in said) if m]
    return done.returncode, requests, (counts[-1] if counts else None), (said[-1] if said else ""), err


def same(got, want, what):
    """`cmp` of an output with the reference; a difference is said loudly at once."""
    if subprocess.run(["cmp", "-s", got, want]).returncode == 0:
        return True
    first = subprocess.run(["cmp", got, want], capture_output=True, text=True)
    print(f"\n*** NOT IDENTICAL: {what}: {(first.stdout or first.stderr).strip()} ***\n",
          file=sys.stderr, flush=True)
    return False


def floor_config(requests, token, path):
    """The sequential export's results URLs, for one `curl -K`: one
    Authorization header, each body discarded, its status and size written."""
    with open(path, "w") as f:
        f.write(f'header = "Authorization: Bearer {token}"\nheader = "Accept: application/json"\n')
        f.write('write-out = "%{http_code} %{size_download}\\n"\n')
        for url, _ in requests:
            f.write(f'url = "{url}"\noutput = "/dev/null"\n')


def check_floor(out, requests):
    got = out.decode().split("\n")[:-1]
    want = [f"200 {size}" for _, size in requests]
    if got != want:
        bad = next(((g, w) for g, w in zip(got + [""] * len(want), want) if g != w), ("", ""))
        raise SystemExit(f"the curl floor did not get the pages the export got (got {bad[0]!r}, "
                         f"want {bad[1]!r}; {len(got)} answers for {len(want)} URLs)")


class Case:
    """One sandbox, the reference export and the logged --split run."""

    def __init__(self, ctx, name, rows, page, split, sandbox=(), client=()):
        self.ctx, self.name, self.page, self.split, self.client = ctx, name, page, split, list(client)
        ctx.cases += 1
        self.dir = os.path.join(ctx.work, f"split-{ctx.cases}")
        os.makedirs(self.dir)
        self.ref, self.out = os.path.join(self.dir, "sequential.csv"), os.path.join(self.dir, "split.csv")
        self.sb = Sandbox("--rows", str(rows), *sandbox, bin_path=ctx.sandbox_bin, seed=ctx.seed,
                          token=ctx.token)
        self.identical = True
        self.failure = None
        server = ["druid-bulk sandbox --addr", f"127.0.0.1:{self.sb.port}", "--rows", str(rows),
                  "--seed", ctx.seed, "--token", ctx.token, *sandbox]
        client = [f"DRUID_TOKEN={ctx.token} druid-bulk results", ctx.bulk, "-e", self.sb.endpoint,
                  "--page-size", str(page), *self.client, "--split", str(split), "-f csv -o split.csv"]
        self.repro = f"{' '.join(server)} & {' '.join(client)}, and without --split -o sequential.csv"
        try:
            code, self.pages, _, _, err = logged(self.sequential(self.ref), ctx.env)
            if code != 0:
                raise SystemExit(f"{name}: the sequential export failed (exit {code}):\n{err[-2000:]}")
            code, reqs, ranges, self.summary, err = logged(self.split_cmd(), ctx.env)
            if code != 0:
                self.failure = f"exit {code}"
                print(f"\n*** {name}: --split {split} exited {code}:\n{err[-2000:]}\n", file=sys.stderr, flush=True)
            else:
                self.check(self.out, "the -v run")
            self.requests = len(reqs)
            self.ranges = ranges if ranges is not None else 1  # fell back before splitting: one range
        except BaseException:
            self.stop()
            raise

    def stop(self):
        """The sandbox stopped, this case's outputs deleted (a million rows
        of CSV take 170 MB)."""
        self.sb.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def sequential(self, out):
        return export(self.ctx.bin, self.ctx.bulk, self.sb.endpoint, out, self.page, self.client)

    def split_cmd(self, quiet=False):
        return export(self.ctx.bin, self.ctx.bulk, self.sb.endpoint, self.out, self.page,
                      self.client + ["--split", str(self.split)] + (["-q"] if quiet else []))

    def check(self, path, when):
        ok = same(path, self.ref, f"{self.name}, --split {self.split} ({when}) vs the sequential export")
        self.identical = self.identical and ok

    def timed_split(self):
        wall, _, rss, _ = timed(self.split_cmd(quiet=True), env=self.ctx.env)
        self.check(self.out, "a timed run")
        return wall, rss

    def limit(self):
        return len(self.pages) + 3 * self.ranges


def interleaved(case, reps, other, other_reps=None):
    """`--split` and `other` (a function returning its wall time) rep by rep,
    in turn first (`other` only in its first `other_reps` reps, when given):
    `other`'s times, and `--split`'s times and peaks."""
    others, walls, rss = [], [], []
    for rep in range(reps if not case.failure else 0):
        jobs = ["split"] + (["other"] if other_reps is None or rep < other_reps else [])
        for job in (jobs if rep % 2 == 0 else jobs[::-1]):
            if job == "other":
                others.append(other())
            else:
                wall, peak = case.timed_split()
                walls.append(wall)
                rss.append(peak)
    return others, walls, rss


def against_floor(ctx, name, rows, page, split, goal, layout, failed_only=False, rss_goal=None):
    """--split's speed-up over the curl -K floor of the same pages."""
    client = ["--failed-only"] if failed_only else []
    case = Case(ctx, name, rows, page, split, ("--latency", LATENCY, "--id-layout", layout), client)
    try:
        cfg = os.path.join(case.dir, "floor.cfg")
        floor_config(case.pages, ctx.token, cfg)
        def run_floor():
            wall, _, _, out = timed(["curl", "-sS", "-K", cfg], env=ctx.env)
            check_floor(out, case.pages)
            return wall
        floors, walls, rss = interleaved(case, ctx.reps, run_floor, max(1, ctx.floor_reps))
    finally:
        case.stop()
    if case.failure:
        ctx.add(case, f"--split {split} ÷ floor", case.failure, f"≥ {goal}x faster", False, None, None)
        return
    floor, wall = statistics.median(floors), statistics.median(walls)
    ctx.add(case, f"floor ({len(case.pages)} pages, {floor:.2f} s) ÷ --split {split}",
            f"{floor / wall:.2f}x ({wall:.3f} s)", f"≥ {goal}x", floor / wall >= goal, max(rss), rss_goal)


def against_sequential(ctx, name, rows, page, split, goal, sandbox, reps=None):
    """--split's wall time over the sequential export's, same server."""
    case = Case(ctx, name, rows, page, split, sandbox)
    try:
        seq_out = os.path.join(case.dir, "sequential-timed.csv")
        def sequential():
            wall = timed(case.sequential(seq_out) + ["-q"], env=ctx.env)[0]
            if not same(seq_out, case.ref, f"{name}: the sequential export, twice"):
                raise SystemExit(f"{name}: two sequential exports of the same server differ")
            return wall
        seqs, walls, rss = interleaved(case, reps or ctx.reps, sequential)
    finally:
        case.stop()
    if case.failure:
        ctx.add(case, f"--split {split} ÷ sequential", case.failure, "exit 0", False, None, None)
        return
    seq, wall = statistics.median(seqs), statistics.median(walls)
    ctx.add(case, f"--split {split} ÷ sequential ({len(case.pages)} pages, {seq:.2f} s)",
            f"{wall / seq:.2f}x ({wall:.3f} s)", f"≤ {goal}x", wall / seq <= goal, max(rss), None)


class Context:
    def __init__(self, bin_path, sandbox_bin, reps, floor_reps, bulk, token, seed, work, env):
        self.bin, self.sandbox_bin, self.reps, self.floor_reps = bin_path, sandbox_bin, reps, floor_reps
        self.bulk, self.token, self.seed, self.work, self.env = bulk, token, seed, work, env
        self.results, self.cases = [], 0

    def add(self, case, measure, value, goal, met, rss, rss_goal):
        self.results.append(dict(name=case.name, repro=case.repro, measure=measure, value=value, goal=goal, met=met,
                                 identical=case.identical, requests=case.requests, limit=case.limit(),
                                 pages=len(case.pages), ranges=case.ranges, summary=case.summary,
                                 rss=rss, rss_goal=rss_goal))
        r = self.results[-1]
        print(f"  {r['name']}: {r['value']} (goal {r['goal']}), identical {'yes' if r['identical'] else 'NO'}, "
              f"{r['requests']} requests (limit {r['limit']})", file=sys.stderr, flush=True)


def run(bin_path, reps, floor_reps, bulk, token, seed, work, env, sandbox_bin=BIN):
    ctx = Context(bin_path, sandbox_bin, reps, floor_reps, bulk, token, seed, work, env)
    started = time.monotonic()
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    layouts = ("uniform", "bursty", "skewed")
    for failed_only in (False, True):
        for layout in layouts:
            name = f"1,000 pages of 100, {layout}" + (", --failed-only" if failed_only else "")
            against_floor(ctx, name, 100_000, 100, 8, 5, layout, failed_only, rss_goal=RSS_GOAL)
    for layout in layouts:
        against_floor(ctx, f"100 pages of 100, {layout}", 10_000, 100, 8, 3.5, layout)
    against_floor(ctx, "1,000,000 rows, pages of 1,000, uniform", 1_000_000, 1000, 16, 8, "uniform",
                  rss_goal=RSS_GOAL)
    for mode in ("refuse", "restart", "inclusive", "round"):
        against_sequential(ctx, f"--cursor-mode {mode}, 200 pages of 100", 20_000, 100, 8, 1.1,
                           ("--latency", LATENCY, "--cursor-mode", mode))
    # A tenth of a second a run: three times the reps cost a few seconds.
    against_sequential(ctx, "no latency, 1,000 pages of 100", 100_000, 100, 8, 1.1, (), reps=3 * reps)
    print(f"\n--split: `-f csv -o FILE -q` from the sandbox (seed {seed}, {LATENCY} a results request "
          f"unless said), median of {reps} interleaved runs (the curl -K floor: {min(floor_reps, reps)}; "
          f"no latency: {3 * reps}); {bin_path}; load at start: {load}; the table took "
          f"{time.monotonic() - started:.0f} s\n")
    print_table(ctx.results)
    bad = [f"{r['name']} ({r['repro']})" for r in ctx.results if not r["identical"]]
    if bad:
        raise SystemExit("--split did not write the sequential export byte for byte: " + "; ".join(bad))


def yes(ok):
    return "yes" if ok else "**no**"


def print_table(results):
    head = ["case", "measure", "figure", "goal", "met", "identical", "results requests ≤ pages + 3 × ranges",
            "max RSS"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in results:
        reqs = (f"{r['requests']:,} ≤ {r['pages']:,} + 3 × {r['ranges']} = {r['limit']:,}: "
                f"{yes(r['requests'] <= r['limit'])}")
        if r["rss"] is None:
            rss = "—"
        elif r["rss_goal"]:
            rss = f"{r['rss'] / MIB:.1f} MiB ≤ {r['rss_goal'] // MIB} MiB: {yes(r['rss'] <= r['rss_goal'])}"
        else:
            rss = f"{r['rss'] / MIB:.1f} MiB"
        cells = [r["name"], r["measure"], r["value"], r["goal"], yes(r["met"]),
                 "yes" if r["identical"] else "**NO**", reqs, rss]
        print("| " + " | ".join(cells) + " |")
    summaries = [(r["name"], r["summary"]) for r in results]
    print("\nwhat the logged --split run said last about --split (`-v`):\n")
    for name, line in summaries:
        print(f"- {name}: {line or '(nothing)'}")
