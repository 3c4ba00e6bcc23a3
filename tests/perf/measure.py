"""The benchmarks themselves; `tests.perf.run` prepares the database and reports."""

import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.models import LogisticsProvider, User
from returns.models import FailedPackage, Notification, PackageEvent
from returns.tasks import finalize_expired_windows
from returns.tokens import create_api_token
from tests.perf.figures import Figure
from tests.perf.http import ROOT, WRK_THREADS, gunicorn, peak_rss_mb, wrk

FINALIZE_SQL_FLOOR = (
    "UPDATE bench_floor SET status = 'destruction_pending', destruction_requested_at = now()"
    " WHERE status = 'awaiting_seller' AND claim_deadline < now()"
)


def all_figures(args) -> list[Figure]:
    figures = []
    if "finalize" in args.only:
        figures.append(finalize(args.repeat))
    if "pages" in args.only:
        figures += pages(args.repeat, args.seconds)
    if "intake" in args.only:
        figures.append(intake(args.repeat, args.seconds))
    if "email" in args.only:
        figures.append(email_delivery(args.repeat))
    if "instructions" in args.only:
        from tests.perf.instructions import intake_with_instructions

        figures.append(intake_with_instructions(args.repeat))
    return figures


# --- 1. finalize ------------------------------------------------------------------------


def _expired_ids() -> list[int]:
    return list(
        FailedPackage.objects.filter(
            status="awaiting_seller", claim_deadline__lt=timezone.now()
        ).values_list("id", flat=True)
    )


def _reset_finalize(ids: list[int]) -> None:
    """Put the expired packages back as they were, so each repetition does the same work."""
    Notification.objects.filter(
        package_id__in=ids, kind__in=["destruction_finalized", "destruction_instruction"]
    ).delete()
    PackageEvent.objects.filter(package_id__in=ids, action="window_closed").delete()
    FailedPackage.objects.filter(id__in=ids).update(
        status="awaiting_seller", destruction_requested_at=None
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE returns_failedpackage")


def _floor_table() -> None:
    """bench_floor: a copy of the whole package table with the same indexes.

    The whole table, not just the expired rows: an UPDATE's cost is mostly index
    maintenance, and indexes over a million rows cost more to change than
    indexes over the hundred thousand the UPDATE touches. The indexes are built
    after the copy, as `generate` does, from the table's own definitions.
    """
    table = FailedPackage._meta.db_table
    columns = ", ".join(
        field.column for field in FailedPackage._meta.concrete_fields if not field.generated
    )
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE bench_floor (LIKE {table} INCLUDING ALL EXCLUDING INDEXES)")
        cursor.execute(f"INSERT INTO bench_floor ({columns}) SELECT {columns} FROM {table}")
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        for name, definition in cursor.fetchall():
            cursor.execute(
                definition.replace(f" {name} ON ", f" bench_floor_{name} ON ", 1).replace(
                    f" ON public.{table} ", " ON public.bench_floor ", 1
                )
            )


def finalize(times: int) -> Figure:
    ids = _expired_ids()
    _floor_table()

    def floor() -> float:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE bench_floor SET status = 'awaiting_seller', destruction_requested_at = NULL"
                " WHERE id = ANY(%s)",
                [ids],
            )
            cursor.execute("VACUUM ANALYZE bench_floor")
            started = time.perf_counter()
            cursor.execute(FINALIZE_SQL_FLOOR)
            elapsed = time.perf_counter() - started
            assert cursor.rowcount == len(ids), cursor.rowcount
        return len(ids) / elapsed

    def job() -> float:
        _reset_finalize(ids)
        started = time.perf_counter()
        summary = finalize_expired_windows()
        elapsed = time.perf_counter() - started
        assert summary.done == len(ids), summary
        return len(ids) / elapsed

    # Interleaved, so a busy moment of the machine falls on both alike.
    runs, floor_runs = [], []
    for _ in range(times):
        floor_runs.append(floor())
        runs.append(job())
    _reset_finalize(ids)
    return Figure(
        name=f"finalize {len(ids):,} expired packages",
        unit="packages/s",
        runs=runs,
        floor_name="raw UPDATE",
        floor_runs=floor_runs,
        extra={"job peak RSS": f"{_job_peak_rss_mb('finalize_expired_windows'):.0f} MB"},
    )


CHILD_JOB = """
import os, django
django.setup()
from portal.jobs import run_job
from tests.perf.http import peak_rss_mb
run_job({name!r})
print(peak_rss_mb(os.getpid()))
"""


def _job_peak_rss_mb(name: str) -> float:
    """Peak RSS of the job in a fresh process, as a worker runs it, read by the child itself.

    (getrusage would count the bench's own memory: a forked child starts as its copy.)
    """
    result = subprocess.run(
        [sys.executable, "-c", CHILD_JOB.format(name=name)],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return float(result.stdout.strip().splitlines()[-1])


# --- 2 and 3. pages under wrk -----------------------------------------------------------


def _session_cookie(user: User) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "portal.auth.UserBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}"


def _query_count(user: User, path: str) -> int:
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, HTTP_HOST="127.0.0.1", secure=False)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries)


def pages(times: int, seconds: int) -> list[Figure]:
    seller = User.objects.get(email="big@bench.example")
    operator = User.objects.get(email="operator@bench.example")
    agent = User.objects.get(email="agent@swiftlane.bench")
    package = FailedPackage.objects.filter(seller=seller.seller).order_by("id").first()
    seller_cookie, agent_cookie = _session_cookie(seller), _session_cookie(agent)
    seller_pages = {
        "/packages/ (big seller, page 1)": "/packages/",
        "/packages/ (search)": "/packages/?search=ORD-0000&status=awaiting_seller",
        "/packages/<public_id>/": f"/packages/{package.public_id}/",
    }
    seller_filter = f"seller={seller.seller_id}"
    changelists = {
        "staff changelist (default)": "/admin/returns/failedpackage/",
        "staff changelist (status)": "/admin/returns/failedpackage/?status__exact=awaiting_seller",
        "staff changelist (seller)": f"/admin/returns/failedpackage/?{seller_filter}",
    }
    figures = []
    with gunicorn({}) as server:
        bare = [
            wrk(f"{server.url}/__bench__/bare", seconds=seconds).requests_per_second
            for _ in range(times)
        ]
        for name, path in seller_pages.items():
            results = [
                wrk(server.url + path, seconds=seconds, headers={"Cookie": seller_cookie})
                for _ in range(times)
            ]
            assert all(r.non_2xx == 0 for r in results), (name, results)
            figures.append(
                Figure(
                    name=name,
                    unit="req/s",
                    runs=[r.requests_per_second for r in results],
                    floor_name="bare view",
                    floor_runs=bare,
                    extra={
                        "p50": f"{sorted(r.p50_ms for r in results)[1]:.1f} ms",
                        "p99": f"{sorted(r.p99_ms for r in results)[1]:.1f} ms",
                        "queries": _query_count(seller, path),
                    },
                )
            )
        for name, path in changelists.items():
            results = [
                wrk(server.url + path, seconds=seconds, headers={"Cookie": agent_cookie})
                for _ in range(times)
            ]
            assert all(r.non_2xx == 0 for r in results), (name, results)
            figures.append(
                Figure(
                    name=name,
                    unit="ms p99",
                    runs=[r.p99_ms for r in results],
                    higher_is_better=False,
                    extra={
                        "p50": f"{sorted(r.p50_ms for r in results)[1]:.1f} ms",
                        "queries (staff)": _query_count(agent, path),
                        "queries (operator)": _query_count(operator, path),
                    },
                )
            )
        rss = max(peak_rss_mb(pid) for pid in server.worker_pids())
    figures.append(Figure(name="gunicorn worker peak RSS", unit="MB", runs=[rss] * times))
    return figures


# --- 4. intake API ----------------------------------------------------------------------

# Each wrk thread walks its own block of packages from the block's start, and every run
# starts again there: the three runs are a package's first, second and third (failing)
# attempt. A block that ran out would wrap into a fourth attempt, a 422: stop wrk instead.
INTAKE_SCRIPT = """
local counter = 0
local thread_id = 0
setup = function(thread) thread:set("id", thread_id); thread_id = thread_id + 1 end
init = function() prefix = "bench-" .. id .. "-" .. os.time() .. "-" end
request = function()
  counter = counter + 1
  if counter > {block} then error("wrk thread " .. id .. " used up its {block} packages") end
  local tracking = "API" .. string.format("%07d", {first} + id * {block} + counter - 1)
  local body = '{{"type": "delivery_attempt_failed", "event_id": "' .. prefix .. counter ..
    '", "tracking_number": "' .. tracking .. '", "attempted_at": "{at}",' ..
    ' "failure_reason": "Nobody at the address"}}'
  return wrk.format("POST", "/api/v1/events", {{
    ["Content-Type"] = "application/json", ["Authorization"] = "Bearer {token}"}}, body)
end
"""

# Packages per wrk thread and pass: room for 5,000 events/s through a 10-second run.
INTAKE_BLOCK = 25_000
WARM_UP_SECONDS = 3


def _intake_script(folder: str, *, first: int, at: str, token: str) -> Path:
    script = Path(folder) / f"intake-{first}.lua"
    script.write_text(INTAKE_SCRIPT.format(block=INTAKE_BLOCK, first=first, at=at, token=token))
    return script


def intake(times: int, seconds: int) -> Figure:
    provider = LogisticsProvider.objects.get(code="swiftlane")
    _, raw = create_api_token(provider=provider, name="bench")
    seller = User.objects.get(email="big@bench.example").seller
    measured = WRK_THREADS * INTAKE_BLOCK
    # The measured runs' blocks, then the warm-up's own, so it takes no attempt from them.
    FailedPackage.objects.bulk_create(
        FailedPackage(
            provider=provider, seller=seller, tracking_number=f"API{n:07d}", order_id=f"A{n}"
        )
        for n in range(2 * measured)
    )
    at = (timezone.now() - timedelta(hours=1)).isoformat()
    runs = []
    with gunicorn({}) as server, tempfile.TemporaryDirectory() as folder:
        url = server.url + "/api/v1/events"
        # Not counted: the workers' first requests load code and open connections.
        warm_up_script = _intake_script(folder, first=measured, at=at, token=raw)
        warm_up = wrk(url, seconds=WARM_UP_SECONDS, script=warm_up_script)
        assert warm_up.non_2xx == 0, f"{warm_up.non_2xx} warm-up events were refused"
        script = _intake_script(folder, first=0, at=at, token=raw)
        for _ in range(times):
            result = wrk(url, seconds=seconds, script=script)
            assert result.non_2xx == 0, f"{result.non_2xx} intake events were refused"
            runs.append(result.requests_per_second)
    return Figure(name="intake delivery_attempt_failed", unit="events/s", runs=runs)


# --- 5. email delivery ------------------------------------------------------------------

EMAILS = 2000


def email_delivery(times: int) -> Figure:
    from django.conf import settings

    from returns import outbox
    from tests.perf.http import free_port

    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, "-m", "tests.perf.smtp_sink", str(port)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert sink.stdout.readline().strip() == "ready"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    # Earlier benchmarks leave notices in the outbox; this one measures only its own.
    Notification.objects.filter(status="pending").delete()
    packages = list(FailedPackage.objects.filter(status="returned")[:EMAILS])
    provider = packages[0].provider
    runs = []
    try:
        for run in range(times):
            Notification.objects.bulk_create(
                Notification(
                    audience="provider",
                    provider=provider,
                    package=package,
                    kind="returned",
                    to_email="ops@sink.example",
                    subject=f"Package {package.tracking_number}",
                    body_text="Text part " * 50,
                    body_html="<p>HTML part</p>" * 50,
                    dedupe_key=f"bench-email:{run}:{package.pk}",
                )
                for package in packages
            )
            started = time.perf_counter()
            summary = outbox.deliver_notifications()
            elapsed = time.perf_counter() - started
            assert summary.sent == len(packages), summary
            runs.append(summary.sent / elapsed)
    finally:
        received, _ = sink.communicate(timeout=30)  # closes its stdin: it stops and counts
    assert int(received) == times * len(packages), received
    return Figure(name=f"email delivery ({EMAILS:,} to a local SMTP sink)", unit="notices/s",
                  runs=runs)  # fmt: skip
