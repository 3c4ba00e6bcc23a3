"""gunicorn started and stopped by the bench, and wrk driving it."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def require_wrk() -> str:
    wrk = shutil.which("wrk")
    if not wrk:
        sys.exit("The HTTP benchmarks need wrk: apt-get install -y wrk")
    return wrk


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    tree: Path

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def cpu_seconds(self) -> float:
        """User and system CPU the workers have used so far (the master only waits)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.worker_pids():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks


@contextmanager
def gunicorn(env: dict[str, str], workers: int = 2, tree: Path = ROOT):
    """gunicorn serving `tree`'s code (another work tree of the portal, for a baseline)."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "portal.wsgi",
            "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
            "--log-level", "warning",
        ],
        cwd=tree,
        env={**os.environ, **env, "DJANGO_SETTINGS_MODULE": "tests.perf.settings"},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        yield Server(url=url, process=process, tree=tree)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


# wrk's threads; the intake script gives each one its own packages.
WRK_THREADS = 2


@dataclass
class WrkResult:
    requests: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(
    url: str,
    *,
    connections: int = 8,
    seconds: int = 10,
    headers: dict[str, str] | None = None,
    script: Path | None = None,
) -> WrkResult:
    # A long timeout: a slow page's requests count with their real latency, not as lost.
    command = [require_wrk(), "--latency", f"-t{WRK_THREADS}", f"-c{connections}", f"-d{seconds}s",
               "--timeout", "60s"]  # fmt: skip
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", output, re.MULTILINE))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return WrkResult(
        requests=int(re.search(r"(\d+) requests in", output).group(1)),
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=_ms(latency["50"]),
        p99_ms=_ms(latency["99"]),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
    )


def peak_rss_mb(pid: int) -> float:
    """The high-water mark of a process's resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for {pid}")
