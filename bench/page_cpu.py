"""Worker CPU per page, through gunicorn on PostgreSQL, at several plan sizes: does a page stay cheap as a plan grows?

For each size (1,000 and 5,000 actions by default; PAGES_20K=1 adds 20,000, whose database takes minutes to
build the first time) the PostgreSQL database `PREFIX_SIZE` is built with bench/database.py's data (ten updates
an action, 50,000 at least) and kept for the next run. gunicorn serves it with one sync worker on 127.0.0.1;
one client signed in as each of the lead, an owner and the admin opens every main page in turn, warm, `runs`
times, one request at a time. The worker records the CPU it spent on each request (bench/gunicorn_cpu.py);
p50 and p95 are of those. The same statements run at every size (tests/test_query_counts.py), so what grows
is the work each statement and the template do.

    python bench/page_cpu.py [--runs 15] [--sizes 1000,5000,20000] [--prefix bench_pages]
"""

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

from load_client import Client, Person  # noqa: E402

from bench import pgdata  # noqa: E402
from bench.database import PASSWORD  # noqa: E402
from bench.pages import percentile  # noqa: E402

BUDGET_MS = 25  # worker CPU at p50, at 5,000 actions (docs/design.md, Scale and deployment)
PORT = int(os.environ.get("PAGES_PORT", "8131"))
ADMIN = "admin@bench.police.uk"


SIGNED_OUT = ""  # "who" of a page opened by somebody not signed in


def pages(data) -> list[tuple[str, str, str]]:
    """(name, path, who opens it) for every main page of the big plan, after the requests that show the cost
    every request pays whatever its page: a static file, the signed-out sign-in page, a signed-in redirect (the
    home address: the person is checked and sent on, nothing is read or drawn) and the small account page."""
    plan, action, lead, owner = data.plan_id, data.action_id, data.lead_email, data.owner_email
    return [
        ("Static file", "/assets/app.css", lead),
        ("Sign-in page, signed out", "/sign-in", SIGNED_OUT),
        ("Home (a redirect)", "/", lead),
        ("Account page", "/account", lead),
        ("Plans list", "/plans", lead),
        ("Plan page", f"/plans/{plan}", lead),
        ("Plan page, stale", f"/plans/{plan}?only=stale", lead),
        ("Plan page, overdue", f"/plans/{plan}?only=overdue", lead),
        ("Plan page, searched", f"/plans/{plan}?q=Sentinel", lead),
        ("Dashboard", f"/plans/{plan}/dashboard", lead),
        ("Review queue", f"/plans/{plan}/review", lead),
        ("Action page (50 updates)", f"/actions/{action}", lead),
        ("Action edit page", f"/actions/{action}/edit", lead),
        ("My actions", "/my-actions", owner),
        ("Audit log", "/admin/audit", ADMIN),
        ("Traceability: PCC", "/links/PCC", lead),
        ("Traceability: NS", "/links/NS", lead),
        ("Traceability: Sentinel", "/links/Sentinel", lead),
        ("Traceability: HMIC", "/links/HMIC", lead),
    ]


@dataclass
class SizeResult:
    actions: int
    updates: int
    cpu: dict[str, list[float]] = field(default_factory=dict)  # page -> worker CPU ms of each request
    wall: dict[str, list[float]] = field(default_factory=dict)

    def p50(self, page: str) -> float:
        return statistics.median(self.cpu[page])

    def p95(self, page: str) -> float:
        return percentile(self.cpu[page], 95)

    def wall_p50(self, page: str) -> float:
        return statistics.median(self.wall[page])


def sign_in_secrets(name: str, emails: set[str]) -> dict[str, str | None]:
    """Each person's authenticator key; a code used in the last 30 s (a run just before) may be used again."""
    import psycopg

    with psycopg.connect(pgdata.url(name).replace("+psycopg", "")) as connection:
        connection.execute('UPDATE "user" SET totp_last_step = NULL WHERE email = ANY(%s)', [list(emails)])
        rows = connection.execute('SELECT email, totp_secret FROM "user" WHERE email = ANY(%s)', [list(emails)])
        return dict(rows.fetchall())


def start_gunicorn(
    name: str,
    log_path: str,
    server_log,
    checkout: Path = ROOT,
    profile: Path | None = None,
    port: int = PORT,
    secret_key: str | None = None,
) -> subprocess.Popen:
    env = {
        **os.environ,
        **({"PAGE_PROFILE_DIR": str(profile)} if profile else {}),
        "DATABASE_URL": pgdata.url(name),
        "SECRET_KEY": secret_key or secrets.token_urlsafe(48),
        "PAGE_CPU_LOG": log_path,
        "RATELIMIT_STORAGE_URI": "memory://",  # one worker
    }
    env.pop("FLASK_CONFIG", None)  # production cookies are Secure: they would not come back over http
    command = [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}"]
    command += ["--config", str(ROOT / "bench" / "gunicorn_cpu.py"), "--log-level", "warning", "wsgi:app"]
    server = subprocess.Popen(command, cwd=checkout, env=env, stdout=server_log, stderr=subprocess.STDOUT)
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start within 30 seconds")


def measure(
    name: str, data, runs: int, warm_up: int = 3, checkout: Path = ROOT, profile: Path | None = None
) -> SizeResult:
    """The pages of the database `name`, served by the tracker in `checkout` (this one unless comparing)."""
    return measure_side_by_side(name, data, runs, [checkout], warm_up, profile)[0]


def measure_side_by_side(
    name: str, data, runs: int, checkouts: list[Path], warm_up: int = 3, profile: Path | None = None
) -> list[SizeResult]:
    """The pages of the database `name`, served by each checkout at once (one gunicorn each, on ports of their
    own), a run of every page on one and then on the other, the order swapped each run: both see the same load
    on the machine, which a shared machine's drift otherwise puts between two runs one after the other."""
    listed = pages(data)
    with tempfile.TemporaryDirectory(prefix="page-cpu-") as folder:
        logs = [str(Path(folder) / f"requests-{i}.tsv") for i in range(len(checkouts))]
        servers, sides = [], []
        with open(Path(folder) / "gunicorn.log", "w") as server_log:
            try:
                secret_key = secrets.token_urlsafe(48)  # one for every side: the same session cookies serve each
                for i, checkout in enumerate(checkouts):
                    servers.append(
                        start_gunicorn(
                            name, logs[i], server_log, checkout, profile if i == 0 else None, PORT + i, secret_key
                        )
                    )
                # Signed in once, on the first side: signing in again elsewhere would end the first session.
                keys = sign_in_secrets(name, {who for _, _, who in listed if who})
                for i in range(len(checkouts)):
                    clients = {}
                    for who in dict.fromkeys(who for _, _, who in listed):
                        clients[who] = Client(Person("bench", who, PASSWORD, [], [], keys.get(who)), PORT + i, None)
                        if i == 0 and who != SIGNED_OUT:
                            clients[who].sign_in()
                        elif i > 0:
                            clients[who].cookies = dict(sides[0][who].cookies)
                    sides.append(clients)

                def open_every_page(clients):
                    for page, path, who in listed:
                        status, _, _ = clients[who].request(page, "GET", path)
                        if status not in (200, 302):
                            raise SystemExit(f"GET {path}: {status}")

                for _ in range(warm_up):
                    for clients in sides:
                        open_every_page(clients)
                # The worker logs a request after answering it: one more request, not measured, is answered only
                # once the last warm-up request has been logged, and what it logs itself is not read.
                for clients, log_path in zip(sides, logs, strict=True):
                    clients[listed[0][2]].request("sync", "GET", "/assets/app.js")
                    Path(log_path).write_text("")  # from here on, each request is a measured one
                if profile:  # the warm-up's profiles are not kept either
                    for old in profile.iterdir():
                        old.unlink()
                for run in range(runs):
                    for clients in sides if run % 2 == 0 else sides[::-1]:
                        open_every_page(clients)
            finally:
                for server in servers:
                    server.terminate()
                for server in servers:
                    server.wait(timeout=30)
        return [_read_log(log_path, listed, data) for log_path in logs]


def _read_log(log_path: str, listed, data) -> SizeResult:
    result = SizeResult(data.actions, data.updates)
    by_path = {path: page for page, path, _ in listed}
    for line in Path(log_path).read_text().splitlines():
        _, method, path, status, cpu, wall = line.split("\t")
        if method == "GET" and status in ("200", "302") and path in by_path:
            result.cpu.setdefault(by_path[path], []).append(float(cpu))
            result.wall.setdefault(by_path[path], []).append(float(wall))
    order = [page for page, _, _ in listed]
    result.cpu = {page: result.cpu[page] for page in order if page in result.cpu}
    result.wall = {page: result.wall[page] for page in order if page in result.wall}
    return result


def run(sizes: list[int], runs: int, prefix: str, say=print, compare: Path | None = None, profile: Path | None = None):
    """The results at each size, and with `compare` (another checkout) that checkout's on the same databases,
    served at the same time, the runs alternating between the two, so that both see the same load on the
    machine. With `profile`, every measured request's cProfile statistics go to a folder of each size's under
    it."""
    results, others = [], []
    for actions in sizes:
        name = f"{prefix}_{actions}"
        data = pgdata.prepare(name, actions, say=say)
        say(f"Pages at {actions:,} actions: {runs} requests each through gunicorn")
        folder = None
        if profile:
            folder = profile / str(actions)
            folder.mkdir(parents=True, exist_ok=True)
        if compare:
            say(f"... and served by {compare} at the same time, the runs alternating")
            mine, other = measure_side_by_side(name, data, runs, [ROOT, compare], profile=folder)
            results.append(mine)
            others.append(other)
        else:
            results.append(measure(name, data, runs, profile=folder))
    return results, others


def render(results: list[SizeResult], load: str) -> str:
    sizes = " / ".join(f"{r.actions:,}" for r in results)
    head = "| Page (worker CPU, ms) | " + " | ".join(
        f"p50 at {r.actions // 1000}k | p95 at {r.actions // 1000}k | wall p50 at {r.actions // 1000}k" for r in results
    )
    lines = [head + f" | {results[-1].actions // results[0].actions}× the plan | |"]
    lines.append("|---|" + "---:|---:|---:|" * len(results) + "---:|---|")
    base = next((r for r in results if r.actions == 5000), results[0])
    for page in results[0].cpu:
        cells = " | ".join(f"{r.p50(page):.1f} | {r.p95(page):.1f} | {r.wall_p50(page):.0f}" for r in results)
        growth = results[-1].p50(page) / results[0].p50(page)
        ok = base.p50(page) < BUDGET_MS
        lines.append(f"| {page} | {cells} | {growth:.2f}× | {'within budget' if ok else '**over budget**'} |")
    lines += [
        "",
        f"Worker CPU per request (time.process_time in the gunicorn worker around the whole request), one sync worker "
        f"on PostgreSQL, one request at a time, warm; plans of {sizes} actions with ten updates an action (50,000 "
        f"at least). Budget: p50 under {BUDGET_MS} ms at 5,000 actions. The growth column is the p50 at the largest "
        f"size over the p50 at the smallest. Wall p50 is the same requests' time in the worker, the database's work "
        f"and any wait for a CPU included. Machine load while measuring: {load}.",
        "Every page drawn afresh: nothing kept between requests (--afresh), as on the first request after a write."
        if os.environ.get("PAGE_CPU_AFRESH")
        else "Pages kept between requests are reused after the warm-up: nobody writes while this bench reads.",
    ]
    return "\n".join(lines)


def profile_summary(folder: Path, data, top: int = 25) -> str:
    """The functions each page spends its time in, from a profiled run's files: cumulative and own time per
    request, every page's requests together first (what every request pays shows there), then page by page."""
    import io
    import pstats

    by_path = {path: page for page, path, _ in pages(data)}
    files: dict[str, list[str]] = {}
    for line in (folder / "index.tsv").read_text().splitlines():
        name, _, path, _ = line.split("\t")
        if not (folder / name).exists():  # the last warm-up request's, written as the first measured one began
            continue
        files.setdefault(by_path.get(path, path), []).append(str(folder / name))
    out = io.StringIO()
    for page, names in [("every page", [n for ns in files.values() for n in ns]), *files.items()]:
        stats = pstats.Stats(*names, stream=out)
        stats.files = []  # not the list of every file read
        each = stats.total_tt * 1000 / len(names)  # type: ignore[attr-defined]
        out.write(f"\n## {page}: {len(names)} requests, {each:.1f} ms a request (profiled)\n")
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)
    return out.getvalue().replace(str(ROOT) + "/", "").replace(sysconfig.get_path("purelib") + "/", "")


START, END = "<!-- page cpu bench -->", "<!-- /page cpu bench -->"
# --afresh writes a section of its own beside the kept pages' one, so that both stay in bench/results.md.
AFRESH_START, AFRESH_END = "<!-- page cpu bench, afresh -->", "<!-- /page cpu bench, afresh -->"


def machine() -> str:
    try:
        names = [line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")]
    except OSError:
        names = []
    return f"{names[0]} × {len(names)}" if names else "an unknown CPU"


def section(results: list[SizeResult], load: str, afresh: bool = False) -> str:
    """The part of bench/results.md this bench owns, with the machine and the date: the kept pages' section, or
    with `afresh` the one of pages drawn afresh."""
    import platform
    from datetime import datetime

    when = f"Measured {datetime.now():%d %B %Y %H:%M} on {machine()} (Python {platform.python_version()})."
    start, end = (AFRESH_START, AFRESH_END) if afresh else (START, END)
    title = "Pages through gunicorn on PostgreSQL" + (", drawn afresh" if afresh else "")
    return f"{start}\n## {title}\n\n{when}\n\n{render(results, load)}\n{end}\n"


def write_section(text: str, path: Path = ROOT / "bench" / "results.md") -> None:
    """Put this bench's section into bench/results.md in place of the last one of its kind (kept or afresh, as the
    text's first line says), or at the end when there is none."""
    start, end = (AFRESH_START, AFRESH_END) if text.startswith(AFRESH_START) else (START, END)
    old = path.read_text() if path.exists() else "# Benchmark results\n"
    if start in old and end in old:
        before, rest = old.split(start, 1)
        new = before + text.rstrip("\n") + rest.split(end, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n" + text
    path.write_text(new)


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    default_sizes = "1000,5000,20000" if os.environ.get("PAGES_20K") else "1000,5000"
    parser.add_argument("--sizes", default=default_sizes, help=f"plan sizes (default {default_sizes})")
    parser.add_argument("--prefix", default=os.environ.get("PAGES_DATABASE_PREFIX", "bench_pages"))
    parser.add_argument("--compare", type=Path, help="another checkout of the tracker to serve the same data")
    parser.add_argument("--write", action="store_true", help="put the table into bench/results.md (only there)")
    parser.add_argument(
        "--profile",
        type=Path,
        help="run each request under cProfile, keep the statistics in this folder and write where the time goes "
        "to profile.txt there (the CPU figures of such a run are cProfile's, not the pages')",
    )
    parser.add_argument(
        "--afresh",
        action="store_true",
        help="keep nothing between requests: every page as it is drawn on the first request after a write",
    )
    args = parser.parse_args()
    if args.afresh:
        os.environ["PAGE_CPU_AFRESH"] = "1"  # read by bench/gunicorn_cpu.py in each worker it starts
    compare = args.compare.resolve() if args.compare else None
    sizes = [int(s) for s in args.sizes.split(",")]
    profile = args.profile.resolve() if args.profile else None
    results, others = run(sizes, args.runs, args.prefix, compare=compare, profile=profile)
    load = load_average()
    print(render(results, load))
    if profile:
        for actions in sizes:
            data = pgdata.built(f"{args.prefix}_{actions}", actions)
            (profile / str(actions) / "profile.txt").write_text(profile_summary(profile / str(actions), data))
            print(f"Where the time goes at {actions:,} actions: {profile / str(actions) / 'profile.txt'}")
    if args.write:
        write_section(section(results, load, afresh=args.afresh))
    if others:
        print(f"\nServed by {compare}:\n")
        print(render(others, load_average()))
        sides = f"{compare.name} ÷ this"
        print("\n| Page | " + " | ".join(f"{r.actions // 1000}k CPU: {sides} | wall" for r in results) + " |")
        print("|---|" + "---:|---:|" * len(results))
        for page in results[0].cpu:
            ratios = " | ".join(
                f"{o.p50(page) / r.p50(page):.2f}× | {o.wall_p50(page) / r.wall_p50(page):.2f}×"
                for r, o in zip(results, others, strict=True)
            )
            print(f"| {page} | {ratios} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
