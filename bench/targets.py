"""The performance targets (issue 16), measured against a prerendered
server (`prerendered.py`: page bodies captured from the sandbox, sent from
memory), side by side in one run: druid-bulk, the `curl -K` floor, and with
`--baseline PATH` a saved older binary, interleaved rep by rep. Medians of
wall time, user+sys CPU and max RSS (GNU time). Used by bench.py."""
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from common import Sandbox, free_port, wait_port

HERE = os.path.dirname(os.path.abspath(__file__))
PAGE = 1000


def capture(bin_path, rows, bulk, token, seed, work, layout=()):
    """Every page of a sandbox bulk of `rows` rows, keyed by the cursor that
    asks for it; `layout`: extra sandbox arguments (`--layout`, `--lastid`)."""
    sb = Sandbox("--rows", str(rows), *layout, bin_path=bin_path, seed=seed, token=token)
    try:
        pages, last = {}, ""
        while True:
            url = f"{sb.endpoint}/activityid/v1/user/bulk/{bulk}/results?limit={PAGE}"
            if last:
                url += f"&last={last}"
            req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
            body = urllib.request.urlopen(req).read()
            pages[last] = body
            last = (json.loads(body).get("content") or {}).get("lastId") or ""
            if not last:
                break
    finally:
        sb.stop()
    path = os.path.join(work, f"pages-{rows}{''.join(layout)}.pickle")
    with open(path, "wb") as f:
        pickle.dump(pages, f)
    return path, pages


def huge_pages(bulk, work, last=False):
    """Three pages of 20,000,000 `{}` rows (60 MB each), keyed by cursor;
    with `last`, `lastId` after `results` (so the next request goes out on
    a cursor guessed from the end of the body)."""
    rows = ",".join(["{}"] * 20_000_000)
    c1, c2 = "018fd118-9400-7805-8ace-000000000001", "018fd118-9400-7805-8ace-000000000002"

    def page(cursor):
        member = f'"lastId":"{cursor}"' if cursor else ""
        results = f'"results":[{rows}]'
        members = [f'"bulkId":"{bulk}"'] + ([results, member] if last else [member, results])
        return (f'{{"content":{{{",".join(m for m in members if m)}}},'
                f'"result":{{"status":200}}}}').encode()
    pages = {"": page(c1), c1: page(c2), c2: page(None)}
    path = os.path.join(work, f"pages-huge{'-last' if last else ''}.pickle")
    with open(path, "wb") as f:
        pickle.dump(pages, f)
    return path, pages


class Server:
    """`prerendered.py` (raw sockets), or with script="httpserver.py" the
    same pages from Python's `http.server`."""

    def __init__(self, pages_path, token, bulk, latency_ms=0, script="prerendered.py"):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        args = [sys.executable, os.path.join(HERE, script), pages_path, str(self.port), token, bulk]
        if latency_ms:
            args += ["--latency-ms", str(latency_ms)]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port, f"nothing listens on port {self.port}")

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.proc.terminate()
        self.proc.wait()


def floor_config(endpoint, bulk, pages, token, path):
    """One `curl -K` config: ONE Authorization header (curl config `header`
    lines accumulate for every later URL, so it is written once), every page
    URL, each body discarded and its status and size written out."""
    with open(path, "w") as f:
        f.write(f'header = "Authorization: Bearer {token}"\nheader = "Accept: application/json"\n')
        f.write('write-out = "%{http_code} %{size_download}\\n"\n')
        base = f"{endpoint}/activityid/v1/user/bulk/{bulk}/results?limit={PAGE}"
        for last in pages:
            url = base + (f"&last={last}" if last else "")
            f.write(f'url = "{url}"\noutput = "/dev/null"\n')


def check_floor(out, pages):
    """Every floor response a 200 with the whole body."""
    want = [f"200 {len(b)}" for b in pages.values()]
    got = out.decode().split()
    got = [" ".join(got[i:i + 2]) for i in range(0, len(got), 2)]
    if got != want:
        bad = next((g, w) for g, w in zip(got + [""] * len(want), want) if g != w)
        raise SystemExit(f"the curl floor did not get every page whole (got {bad[0]!r}, want {bad[1]!r})")


def timed(cmd, env=None, out_path=None, shell=False):
    """Run once; return wall seconds, user+sys seconds, max RSS KiB and
    stdout. CPU comes from the kernel's account of the child (`wait4`), to
    the microsecond (GNU time prints it to the hundredth of a second, too
    coarse for an export of a fraction of a second; its own share, about a
    millisecond, is the same for every command); max RSS from GNU time
    (the child of a small process: `wait4`'s would count this Python
    process, whose memory a child has until it execs)."""
    argv = ["/usr/bin/time", "-f", "%M"] + (["bash", "-c", cmd] if shell else cmd)
    with open(out_path, "wb") if out_path else tempfile.TemporaryFile() as out, \
            tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        # Popen does not reap the child here: wait4 does, and gives its usage.
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        errors = err.read().decode(errors="replace")
        if proc.returncode != 0:
            raise SystemExit(f"{cmd} failed: {errors[-2000:]}")
        stdout = b""
        if not out_path:
            out.seek(0)
            stdout = out.read()
    return wall, usage.ru_utime + usage.ru_stime, int(errors.strip().splitlines()[-1]), stdout


def interleaved(reps, cmds, env):
    """cmds: {name: (argv, out_path)}; every rep runs each once, in rotating
    order. Returns {name: (median wall, median cpu, max rss, last stdout)}."""
    runs = {n: [] for n in cmds}
    names = list(cmds)
    for rep in range(reps + 1):  # the first round warms caches and is dropped
        order = names[rep % len(names):] + names[:rep % len(names)]
        for n in order:
            argv, out_path = cmds[n]
            r = timed(argv, env=env, out_path=out_path, shell=isinstance(argv, str))
            if rep:
                runs[n].append(r)
    return {n: (statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs),
                max(r[2] for r in rs), rs[-1][3]) for n, rs in runs.items()}


def run(bin_path, baseline, reps, bulk, token, seed, work, env, uptime):
    bins = {"new": bin_path}
    if baseline:
        bins["old"] = baseline
    rows_out = []  # (target, measure, new, old, goal, met)

    def export(b, endpoint, fmt, out, extra=()):
        return [b, "results", bulk, "-e", endpoint, "--page-size", str(PAGE), "-f", fmt, "-o", out, "-q", *extra]

    # 1, 2, 4: 200,000 rows, 200 pages, CSV (and JSON lines) to a file.
    path, pages = capture(bin_path, 200_000, bulk, token, seed, work)
    size = sum(len(b) for b in pages.values())
    cfg = os.path.join(work, "floor.cfg")
    for latency, goal_csv in ((0, 1.5), (5, 1.03)):
        with Server(path, token, bulk, latency) as srv:
            floor_config(srv.endpoint, bulk, pages, token, cfg)
            cmds = {"floor": (["curl", "-sS", "-K", cfg], None)}
            for name, b in bins.items():
                cmds[f"{name} csv"] = (export(b, srv.endpoint, "csv", os.path.join(work, f"{name}.csv")), None)
                if latency == 0:
                    cmds[f"{name} jsonl"] = (export(b, srv.endpoint, "jsonl", os.path.join(work, f"{name}.jsonl")), None)
            got = interleaved(reps, cmds, env)
            check_floor(got["floor"][3], pages)
            floor = got["floor"][0]
            what = f"{len(pages)} pages ({size / 1e6:.0f} MB)" + (f", {latency} ms a page" if latency else "")
            label = "prerendered server, 200,000 rows, CSV" + (f", +{latency} ms/page" if latency else "")
            ratio = {n: got[f"{n} csv"][0] / floor for n in bins}
            rows_out.append((label, f"wall / curl -K floor ({floor:.3f} s, {what})",
                             f"{ratio['new']:.2f}x ({got['new csv'][0]:.3f} s)",
                             f"{ratio['old']:.2f}x ({got['old csv'][0]:.3f} s)" if baseline else "",
                             f"≤ {goal_csv}x", ratio["new"] <= goal_csv))
            if latency == 0:
                j = {n: got[f"{n} jsonl"][0] / floor for n in bins}
                rows_out.append(("prerendered server, 200,000 rows, JSON lines", "wall / curl -K floor",
                                 f"{j['new']:.2f}x ({got['new jsonl'][0]:.3f} s)",
                                 f"{j['old']:.2f}x ({got['old jsonl'][0]:.3f} s)" if baseline else "",
                                 "≤ 1.3x", j["new"] <= 1.3))
    # 3 and 6: 10,000 and 1,000,000 rows: CPU per 1,000,000 rows, peak memory.
    rss = {}
    for rows in (10_000, 1_000_000):
        path, pages = capture(bin_path, rows, bulk, token, seed, work)
        largest = max(len(b) for b in pages.values())
        with Server(path, token, bulk) as srv:
            cmds = {n: (export(b, srv.endpoint, "csv", os.path.join(work, f"{n}-{rows}.csv")), None)
                    for n, b in bins.items()}
            got = interleaved(reps if rows < 1_000_000 else max(3, reps // 2), cmds, env)
        rss[rows] = {n: got[n][2] for n in bins}
        if rows == 1_000_000:
            cpu = {n: got[n][1] for n in bins}
            goal = cpu["old"] / 2 if baseline else None
            rows_out.append(("CPU (user+sys) per 1,000,000 rows, CSV", "seconds, median",
                             f"{cpu['new']:.3f} s", f"{cpu['old']:.3f} s" if baseline else "",
                             f"≤ {goal:.3f} s (half the old)" if goal else "half of today's",
                             cpu["new"] <= goal if goal else None))
            bound = 4 * largest / 1024 + 32 * 1024
    flat = {n: rss[1_000_000][n] / rss[10_000][n] for n in bins}
    rows_out.append(("peak memory, 10,000 → 1,000,000 rows", "max RSS",
                     f"{rss[10_000]['new'] / 1024:.1f} → {rss[1_000_000]['new'] / 1024:.1f} MiB ({flat['new']:.2f}x)",
                     f"{rss[10_000]['old'] / 1024:.1f} → {rss[1_000_000]['old'] / 1024:.1f} MiB ({flat['old']:.2f}x)"
                     if baseline else "",
                     f"≤ 1.25x and ≤ {bound / 1024:.1f} MiB (4x page + 32 MiB)",
                     flat["new"] <= 1.25 and rss[1_000_000]["new"] <= bound))

    # 6, the run-safety bound on huge pages: three 60 MB pages of
    # 20,000,000 `{}` rows each (the most rows a page of that size holds),
    # with `lastId` before and after `results`.
    for last in (False, True):
        huge = huge_pages(bulk, work, last)
        largest = max(len(b) for b in huge[1].values())
        bound = 4 * largest / 1024 + 32 * 1024
        with Server(huge[0], token, bulk) as srv:
            cmds = {n: (export(b, srv.endpoint, "csv", os.path.join(work, f"{n}-huge.csv")), None)
                    for n, b in bins.items()}
            got = interleaved(2, cmds, env)
        where = "after" if last else "before"
        rows_out.append((f"peak memory, 3 pages of 60 MB, 20,000,000 `{{}}` rows each, lastId {where} results",
                         "max RSS", f"{got['new'][2] / 1024:.0f} MiB",
                         f"{got['old'][2] / 1024:.0f} MiB" if baseline else "",
                         f"≤ {bound / 1024:.0f} MiB (4x page + 32 MiB)", got["new"][2] <= bound))

    # 5: many bulks: 100 bulks of 2,000 rows, 20 ms a page, --concurrency 8.
    path, pages = capture(bin_path, 2000, bulk, token, seed, work)
    ids = [f"{bulk[:24]}{i:012x}" for i in range(100)]
    ideal = len(ids) * len(pages) * 0.020 / 8
    with Server(path, token, bulk, 20) as srv:
        cmds = {n: ([b, "results", *ids, "-e", srv.endpoint, "--page-size", str(PAGE), "--concurrency", "8",
                     "-f", "csv", "-o", os.path.join(work, f"{n}-many.csv"), "-q"], None)
                for n, b in bins.items()}
        loops = os.path.join(work, "loops")
        os.makedirs(loops, exist_ok=True)
        cmds["xargs"] = (f"printf '%s\\n' {' '.join(ids)} | xargs -P 8 -I{{}} sh -c "
                         f"'bash {HERE}/loop.sh {srv.endpoint} {{}} {token} {PAGE} > {loops}/{{}}.csv'", None)
        got = interleaved(max(3, reps // 2), cmds, env)
    rows_out.append((f"many bulks: 100 × 2,000 rows, 20 ms/page, --concurrency 8",
                     f"wall / ideal ({ideal:.2f} s = {len(ids) * len(pages)} pages × 20 ms / 8); "
                     f"xargs -P 8 bash loops {got['xargs'][0]:.2f} s",
                     f"{got['new'][0] / ideal:.2f}x ({got['new'][0]:.3f} s)",
                     f"{got['old'][0] / ideal:.2f}x ({got['old'][0]:.3f} s)" if baseline else "",
                     "≤ 1.2x", got["new"][0] / ideal <= 1.2))
    rows_out.append(("many bulks: peak memory", "max RSS", f"{got['new'][2] / 1024:.1f} MiB",
                     f"{got['old'][2] / 1024:.1f} MiB" if baseline else "", "≤ 64 MiB",
                     got["new"][2] <= 64 * 1024))

    print(f"\ntargets (issue 16): median of {reps} interleaved runs; load at start: {uptime}\n")
    print_table(rows_out, baseline)


def print_table(rows_out, baseline):
    head = ["target", "measure", "druid-bulk"] + (["baseline"] if baseline else []) + ["goal", "met"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for label, measure, new, old, goal, met in rows_out:
        cells = [label, measure, new] + ([old] if baseline else []) + \
            [goal, "—" if met is None else ("yes" if met else "**no**")]
        print("| " + " | ".join(cells) + " |")
