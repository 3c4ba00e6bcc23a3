"""`make bench`: the portal measured at scale, each figure beside its floor.

1. Create a throwaway PostgreSQL database next to DATABASE_URL's, migrate it
   and fill it with `tests.perf.generate` (1,000,000 packages by default).
2. Run each benchmark at least three times; report the median with min and max.
3. Print the table, write bench-results.json, drop the database.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tests.perf.http import require_wrk

ROOT = Path(__file__).resolve().parents[2]
# BENCH_DATABASE lets two benches share one server without dropping each other's data.
BENCH_DB = os.environ.get("BENCH_DATABASE", "portal_bench")


def database_urls() -> tuple[str, str]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "make bench needs PostgreSQL: set DATABASE_URL=postgres://user@host:5432/db "
            "(the benchmark creates and drops its own database beside it; SQLite is refused)."
        )
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    bench = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))
    return admin, bench


def recreate_database(admin_url: str, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        if not drop_only:
            conn.execute(f"CREATE DATABASE {BENCH_DB}")


def commit() -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()


def _prepare_baseline(tree: Path) -> None:
    """The baseline's own static files (the manifest lives in its tree) and catalogs."""
    commands = [["collectstatic", "--no-input"]]
    if (tree / "portal" / "management" / "commands" / "i18n_compile.py").exists():
        commands.append(["i18n_compile"])
    for command in commands:
        subprocess.run([sys.executable, "manage.py", *command, "--verbosity", "0"],
                       cwd=tree, check=True)  # fmt: skip


def measure_groups() -> tuple[str, ...]:
    # Kept here, not imported from measure: that module needs Django set up.
    return ("finalize", "pages", "intake", "email", "instructions")


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the returns portal.")
    parser.add_argument("--packages", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--keep-db", action="store_true", help="leave the database for study")
    parser.add_argument(
        "--baseline",
        type=Path,
        action="append",
        default=[],
        help="another work tree of the portal whose models read this schema (repeatable): its "
        "pages are measured in the same rounds, on the same data (e.g. main beside a branch)",
    )
    parser.add_argument(
        "--charts-cache-seconds",
        type=int,
        help="CONSOLE_CHARTS_CACHE_SECONDS for every tree served; 0 counts the work list's "
        "charts on each request, as the first one after the cache expires does",
    )
    parser.add_argument(
        "--cache-url",
        default="dbcache://bench_cache",
        help="CACHE_URL for every tree served, as a deployment of several web processes "
        "shares one (a table of the bench's database, or redis://…, emptied first); '' "
        "gives each process its own",
    )
    parser.add_argument(
        "--only",
        type=lambda value: value.split(","),
        default=list(measure_groups()),
        help="comma-separated groups to run: " + ", ".join(measure_groups()),
    )
    args = parser.parse_args()
    if unknown := set(args.only) - set(measure_groups()):
        sys.exit(f"--only: unknown group {', '.join(sorted(unknown))}")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", BENCH_DB):
        sys.exit(f"BENCH_DATABASE must be a plain lower-case name, not {BENCH_DB!r}")
    if args.repeat < 3:
        sys.exit("--repeat must be at least 3: figures are medians of three or more runs.")

    for tree in args.baseline:
        if not (tree / "portal" / "wsgi.py").exists():
            sys.exit(f"--baseline: {tree} is not a work tree of the portal")
    admin_url, bench_url = database_urls()
    if {"pages", "intake"} & set(args.only):
        require_wrk()  # before the load, not after it
    os.environ.update(
        DATABASE_URL=bench_url,
        DEBUG="false",
        SECRET_KEY="bench-only-secret-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SITE_URL="http://127.0.0.1",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="tests.perf.settings",
    )
    os.environ["CACHE_URL"] = args.cache_url or "locmemcache://"
    if args.cache_url.startswith("redis"):
        import redis

        # Numbers kept from an earlier run would be another database's (the same ids).
        redis.Redis.from_url(args.cache_url).flushdb()
    if args.charts_cache_seconds is not None:
        os.environ["CONSOLE_CHARTS_CACHE_SECONDS"] = str(args.charts_cache_seconds)
    recreate_database(admin_url)
    try:
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        # Compiled catalogs are not committed: without them every page would be English.
        call_command("i18n_compile", verbosity=0)
        for tree in args.baseline:
            _prepare_baseline(tree)
        from tests.perf import generate, measure

        print(f"Generating {args.packages:,} packages…", flush=True)
        loaded = generate.generate(args.packages)
        print(f"Loaded in {loaded['seconds']} s: {loaded}", flush=True)
        figures = measure.all_figures(args)
    finally:
        if not args.keep_db:
            from django.db import connections

            connections.close_all()
            recreate_database(admin_url, drop_only=True)

    print()
    print("| figure | median | min–max | floor | ratio to floor | notes |")
    print("|---|---|---|---|---|---|")
    for figure in figures:
        print(figure.row())
    results = {
        "commit": commit(),
        "cores": os.cpu_count(),
        "packages": args.packages,
        "load_seconds": loaded["seconds"],
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "figures": [
            {**asdict(f), "median": f.median, "floor": f.floor, "ratio": f.ratio} for f in figures
        ],
    }
    (ROOT / "bench-results.json").write_text(json.dumps(results, indent=2))
    print("\nWritten to bench-results.json")


if __name__ == "__main__":
    main()
