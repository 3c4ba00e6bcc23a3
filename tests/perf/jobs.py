"""The jobs' benchmarks: finalize beside its raw UPDATE, the intake API per event type,
and the outbox on both its paths. Each phase leaves the data as it found it, so the
next phase measures the same portal."""

import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from django.db import connection
from django.utils import timezone

from portal.models import LogisticsProvider, Seller
from returns import bulk as bulk_finalize
from returns import outbox
from returns.models import FailedPackage, IntakeEvent, Notification, PackageEvent
from returns.tasks import finalize_expired_windows
from returns.tokens import create_api_token
from tests.perf.figures import Figure
from tests.perf.http import ROOT, free_port, gunicorn, require_wrk

FINALIZE_SQL_FLOOR = (
    "UPDATE bench_floor SET status = 'destruction_pending', destruction_requested_at = now()"
    " WHERE status = 'awaiting_seller' AND claim_deadline < now()"
)

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
        for table in ("returns_failedpackage", "returns_packageevent", "returns_notification"):
            cursor.execute(f"VACUUM ANALYZE {table}")


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
    rss = _job_peak_rss_mb("finalize_expired_windows")
    _reset_finalize(ids)  # the child finalized them all: the pages and the outbox must not see it
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_floor")
    return Figure(
        name=f"finalize {len(ids):,} expired packages",
        unit="packages/s",
        runs=runs,
        floor_name="raw UPDATE",
        floor_runs=floor_runs,
        extra={"job peak RSS": f"{rss:.0f} MB"},
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


# --- 4. intake API, per event type ------------------------------------------------------

# One wrk thread (its event loop keeps 8 connections busy) sends exactly INTAKE_EVENTS
# events, one per package, and ends the process: wrk itself would wait out its duration.
# The phases are a package's life in order (registered, attempts 1 and 2, the third
# attempt that fails it and writes its destruction notice), each on the same packages.
# A request sent after the last one needed repeats the last event, a replay answered
# from its stored answer; the process ends before it counts.
INTAKE_SCRIPT = """
local counter, done = 0, 0
request = function()
  counter = counter + 1
  local n = math.min(counter, {events})
  local tracking = string.format("API{run}-%07d", n)
  local body
  if "{kind}" == "register" then
    body = '{{"type": "return_registered", "event_id": "bench-{run}-r-' .. n ..
      '", "tracking_number": "' .. tracking .. '", "order_id": "A' .. n ..
      '", "shop_code": "{shop}", "occurred_at": "{at}"}}'
  else
    body = '{{"type": "delivery_attempt_failed", "event_id": "bench-{run}-{kind}-' .. n ..
      '", "tracking_number": "' .. tracking .. '", "attempted_at": "{at}",' ..
      ' "failure_reason": "Nobody at the address"}}'
  end
  return wrk.format("POST", "/api/v1/events", {{
    ["Content-Type"] = "application/json", ["Authorization"] = "Bearer {token}"}}, body)
end
response = function(status, headers, body)
  done = done + 1
  if status >= 300 then
    io.stderr:write("intake answered " .. status .. ": " .. body)
    os.exit(1)
  end
  if done >= {events} then os.exit(0) end
end
"""

INTAKE_PHASES = {
    "register": "registration",
    "1": "attempt 1",
    "2": "attempt 2",
    "3": "attempt 3 (fails it, writes its notice)",
}
# Events per phase (BENCH_INTAKE_EVENTS: fewer for a quick look).
INTAKE_EVENTS = int(os.environ.get("BENCH_INTAKE_EVENTS", "3000"))
INTAKE_SHOP = "SHOP-00001"  # not the big seller, whose pages must not grow with the bench


def _intake_rate(url: str, folder: str, *, run: str, kind: str, token: str, at: str) -> float:
    script = Path(folder) / f"intake-{run}-{kind}.lua"
    script.write_text(
        INTAKE_SCRIPT.format(
            events=INTAKE_EVENTS, run=run, kind=kind, shop=INTAKE_SHOP, at=at, token=token
        )
    )
    command = [require_wrk(), "-t1", "-c8", "-d600s", "-s", str(script), url]
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, text=True, check=True)
    return INTAKE_EVENTS / (time.perf_counter() - started)


def _remove_intake_packages() -> None:
    """What the phase wrote goes, so the pages and the outbox after it see the same data."""
    packages = FailedPackage.objects.filter(tracking_number__startswith="API")
    Notification.objects.filter(package__in=packages).delete()
    PackageEvent.objects.filter(package__in=packages).delete()
    packages.delete()  # its attempts with it
    IntakeEvent.objects.filter(event_id__startswith="bench-").delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def intake(times: int) -> list[Figure]:
    provider = LogisticsProvider.objects.get(code="swiftlane")
    token, raw = create_api_token(provider=provider, name="bench")
    assert Seller.objects.filter(shop_code=INTAKE_SHOP).exists()
    at = (timezone.now() - timedelta(hours=1)).isoformat()
    rates: dict[str, list[float]] = {kind: [] for kind in INTAKE_PHASES}
    try:
        with gunicorn({}) as server, tempfile.TemporaryDirectory() as folder:
            url = server.url + "/api/v1/events"
            # Not counted: the workers' first requests load code and open connections.
            _intake_rate(url, folder, run="warm", kind="register", token=raw, at=at)
            for run in range(times):
                for kind in INTAKE_PHASES:
                    rates[kind].append(
                        _intake_rate(url, folder, run=str(run), kind=kind, token=raw, at=at)
                    )
    finally:
        _remove_intake_packages()
        token.delete()
    figures = [
        Figure(name=f"intake {label}", unit="events/s", runs=rates[kind])
        for kind, label in INTAKE_PHASES.items()
    ]
    # The same number of events in each phase: their harmonic mean is the events per
    # second over a package's whole life at the API.
    harmonic = [
        len(INTAKE_PHASES) / sum(1 / rates[kind][run] for kind in INTAKE_PHASES)
        for run in range(times)
    ]
    figures.append(Figure(name="intake, harmonic mean of the four", unit="events/s",
                          runs=harmonic))  # fmt: skip
    return figures


# --- 5. email delivery ------------------------------------------------------------------

EMAILS = 2000


def _deliver(expected: int) -> float:
    started = time.perf_counter()
    summary = outbox.deliver_notifications()
    elapsed = time.perf_counter() - started
    assert summary.sent == expected, summary
    return summary.sent / elapsed


def email_delivery(times: int) -> list[Figure]:
    """Pre-rendered notices, and the path the finalize job feeds: its two notices per
    package written unrendered by its own batch function, rendered as they are sent."""
    from django.conf import settings

    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, "-m", "tests.perf.smtp_sink", str(port)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert sink.stdout.readline().strip() == "ready"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    assert not Notification.objects.filter(status="pending").exists(), "a phase left notices"
    packages = list(FailedPackage.objects.filter(status="returned").order_by("id")[:EMAILS])
    expired = _expired_ids()[: EMAILS // 2]
    provider = packages[0].provider
    rendered, bulk = [], []
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
            rendered.append(_deliver(len(packages)))
            Notification.objects.filter(dedupe_key__startswith="bench-email:").delete()
            bulk_finalize.finalize_expired_packages(package_ids=expired, now=timezone.now())
            bulk.append(_deliver(2 * len(expired)))
            _reset_finalize(expired)
    finally:
        received, _ = sink.communicate(timeout=30)  # closes its stdin: it stops and counts
    assert int(received) == times * (len(packages) + 2 * len(expired)), received
    return [
        Figure(name=f"email, pre-rendered ({len(packages):,} to a local SMTP sink)",
               unit="notices/s", runs=rendered),
        Figure(name=f"email, written by finalize, unrendered ({2 * len(expired):,})",
               unit="notices/s", runs=bulk),
    ]  # fmt: skip
