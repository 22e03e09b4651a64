"""Start-up of a command: `flask --app wsgi plans list`, run again and again in fresh processes.

Reports the median wall time, CPU (user + system, from the child's resource usage) and peak RSS. With
--compare DIR the same command runs in another checkout of the tracker too, alternately, so both sides
share the machine's load and the ratio comes from one run:

    python bench/startup.py --runs 15 --compare ../other-checkout

Modules are compiled once and cached, as in a deployment. The database is whatever DATABASE_URL names (the
command only reads it); SECRET_KEY is made up if unset.
"""

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMAND = ["-m", "flask", "--app", "wsgi", "plans", "list"]


@dataclass
class Runs:
    where: Path
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.where}: wall {statistics.median(self.wall) * 1000:.0f} ms, "
            f"CPU {statistics.median(self.cpu) * 1000:.0f} ms, peak RSS {statistics.median(self.rss_mb):.0f} MiB "
            f"(medians of {len(self.wall)})"
        )


def run_once(where: Path, python: str, env: dict, runs: Runs) -> None:
    started = time.perf_counter()
    child = subprocess.Popen([python, *COMMAND], cwd=where, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    runs.wall.append(time.perf_counter() - started)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(COMMAND)} failed in {where} (exit {child.returncode})")
    runs.cpu.append(usage.ru_utime + usage.ru_stime)
    runs.rss_mb.append(usage.ru_maxrss / 1024)  # kilobytes on Linux


def measure(checkouts: list[Path], count: int, python: str) -> list[Runs]:
    env = dict(os.environ)
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
    # As deployed: Python caches compiled modules in __pycache__ (a shell that sets PYTHONDONTWRITEBYTECODE
    # would otherwise compile every module from source on every run, about half the start-up).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    results = [Runs(where) for where in checkouts]
    for runs in results:  # one unmeasured run each: the page cache and .pyc files warm for both alike
        run_once(runs.where, python, env, Runs(runs.where))
    for _ in range(count):
        for runs in results:
            run_once(runs.where, python, env, runs)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--compare", type=Path, help="another checkout to run alternately (the 'before')")
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args()
    checkouts = [ROOT] + ([args.compare.resolve()] if args.compare else [])
    results = measure(checkouts, args.runs, args.python)
    for runs in results:
        print(runs.line())
    if len(results) == 2:
        here, there = results
        for name in ("wall", "cpu", "rss_mb"):
            ratio = statistics.median(getattr(there, name)) / statistics.median(getattr(here, name))
            print(f"{name}: {there.where.name} / {here.where.name} = {ratio:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
