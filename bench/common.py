"""What the benchmark scripts share: the release binary and the sandbox's
fixed settings, a free loopback port, waiting for a server to listen, the
sandbox itself, and running a command for its wall time and peak memory
(GNU time where it is installed, else VmHWM polled in /proc)."""
import functools
import os
import socket
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "druid-bulk")
BULK = "018fcf0a-3b2c-7d41-9e5a-6c8b1f2d4e73"
TOKEN = "bench-token"
SEED = "7"
GNU_TIME = "/usr/bin/time"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, failure, tries=300):
    """Return once something listens on `port`, else exit saying `failure`."""
    for _ in range(tries):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return
        except OSError:
            time.sleep(0.02)
    raise SystemExit(failure)


class Sandbox:
    """`druid-bulk sandbox` on a free port, with the fixed seed and token and
    `extra` arguments."""

    def __init__(self, *extra, bin_path=BIN, seed=SEED, token=TOKEN):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        args = [bin_path, "sandbox", "--addr", f"127.0.0.1:{self.port}", "--seed", seed,
                "--token", token, *extra]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_port(self.port, "the sandbox did not start")
        except BaseException:
            self.stop()
            raise

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


@functools.cache
def gnu_time():
    """Whether /usr/bin/time is GNU time (it takes -f); asked once."""
    if not os.access(GNU_TIME, os.X_OK):
        return False
    done = subprocess.run([GNU_TIME, "-f", "%M", "true"], capture_output=True)
    return done.returncode == 0 and done.stderr.strip().isdigit()


def timed(cmd, env, stdout=False):
    """Run a command; return (wall seconds, max RSS KiB, stdout text or "",
    stderr text)."""
    out = subprocess.PIPE if stdout else subprocess.DEVNULL
    gnu = gnu_time()
    start = time.perf_counter()
    if gnu:
        done = subprocess.run([GNU_TIME, "-f", "%M"] + cmd, stdout=out,
                              stderr=subprocess.PIPE, env=env)
        wall = time.perf_counter() - start
        lines = done.stderr.decode(errors="replace").strip().splitlines()
        rss, err = int(lines[-1]), "\n".join(lines[:-1])
        text = done.stdout.decode() if stdout else ""
    else:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, env=env)
        rss = 0
        while proc.poll() is None:
            try:
                with open(f"/proc/{proc.pid}/status") as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            rss = max(rss, int(line.split()[1]))
            except OSError:
                pass
            time.sleep(0.005)
        wall = time.perf_counter() - start
        text, err = (s.decode(errors="replace") if s else "" for s in proc.communicate())
        done = proc
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed (exit {done.returncode}):\n{err[-2000:]}")
    return wall, rss, text, err
