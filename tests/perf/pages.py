"""The page benchmarks: every page beside the bare view, in rounds, on one or two trees.

1. Before any timing, fetch each page as its user and check that it answers 200 with
   its own content: wrk counts a redirect to the login page as a success.
2. Each round measures the bare view, then every page, on each tree in turn (the branch,
   then each `--baseline` tree on the same database), so a busy moment of the machine
   falls on the floor and on every tree alike. A page a baseline does not answer as
   checked (it is newer than that tree) is left out for that tree, and said so.
3. Each figure is the median of the rounds, with p50/p99 latency, the workers' CPU per
   request, the page's size and its queries, the connection health check included.
"""

import http.client
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import close_old_connections, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from portal.models import User
from returns.models import FailedPackage
from tests.perf.figures import Figure
from tests.perf.http import ROOT, Server, WrkResult, gunicorn, peak_rss_mb, wrk
from tickets.models import Ticket

BIG_SELLER = "big@bench.example"
AGENT = "agent@swiftlane.bench"
OPERATOR = "operator@bench.example"


@dataclass
class Page:
    name: str
    path: str
    user: User
    # Text only this page's real answer holds: not the login page, not an error page.
    content: str
    # Rates beside the bare view; the console's lists are read by their p99.
    latency: bool = False


@dataclass
class Measured:
    results: list[WrkResult]
    cpu_ms: list[float]


BACKEND_OF_TREE = """
import django
django.setup()
from django.conf import settings
print(settings.AUTHENTICATION_BACKENDS[-1])
"""


def _backend_of(tree: Path) -> str:
    """The backend a session must name for `tree` to load its user (an older tree has
    another one, and takes a session naming a backend it lacks for a visitor's)."""
    result = subprocess.run([sys.executable, "-c", BACKEND_OF_TREE], cwd=tree, check=True,
                            capture_output=True, text=True)  # fmt: skip
    return result.stdout.strip().splitlines()[-1]


def _session_cookie(user: User, backend: str) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = backend
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}"


def bench_pages() -> list[Page]:
    seller = User.objects.get(email=BIG_SELLER)
    agent = User.objects.get(email=AGENT)
    packages = FailedPackage.objects.filter(seller=seller.seller_id)
    package = packages.order_by("id").first()
    # A question: its package field may be changed, and used to offer every package.
    ticket = (
        Ticket.objects.filter(seller=seller.seller_id, provider=agent.provider_id)
        .filter(category=Ticket.Category.QUESTION)
        .order_by("id")
        .first()
    )
    tickets = Ticket.objects.filter(seller=seller.seller_id).count()
    changelist = "/admin/returns/failedpackage/"
    scanned = (
        FailedPackage.objects.filter(provider=agent.provider_id).order_by("id").first()
    ).tracking_number
    return [
        Page("/packages/ (big seller, page 1)", "/packages/", seller,
             f"{packages.count()} packages"),
        Page("/packages/ (search)", "/packages/?search=ORD-0000&status=awaiting_seller", seller,
             "match your filters"),
        Page("/packages/<public_id>/", f"/packages/{package.public_id}/", seller,
             package.order_id),
        Page("send-back form (big seller)", "/tickets/new/?category=send_back", seller,
             'id="package-search"'),
        Page(f"staff ticket page ({tickets:,} tickets)",
             f"/admin/tickets/ticket/{ticket.pk}/change/", agent, ticket.reference),
        Page("staff ticket changelist", "/admin/tickets/ticket/", agent, 'id="result_list"',
             latency=True),
        Page("staff changelist (default)", changelist, agent, 'id="result_list"', latency=True),
        Page("staff changelist (status)", f"{changelist}?status__exact=awaiting_seller", agent,
             'id="result_list"', latency=True),
        Page("staff changelist (seller)", f"{changelist}?seller={seller.seller_id}", agent,
             'id="result_list"', latency=True),
        Page("staff changelist (prefix search)", f"{changelist}?q={scanned[:8]}", agent,
             'id="result_list"', latency=True),
        # The console's index: the work list with its last 30 days (portal.week).
        Page("work list with charts", "/admin/", agent, 'class="week', latency=True),
        Page("scan station lookup", f"{changelist}scan/?tracking={scanned}", agent, scanned,
             latency=True),
    ]  # fmt: skip


def _fetch(url: str, cookie: str) -> tuple[int, bytes]:
    """One GET as wrk sends it, redirects not followed."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""),
                     headers={"Cookie": cookie})  # fmt: skip
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def check(server: Server, page: Page, cookie: str) -> int | None:
    """The page's size in bytes, once it answered 200 with its own content."""
    status, body = _fetch(server.url + page.path, cookie)
    if status == 200 and page.content.encode() in body:
        return len(body)
    problem = f"{page.name} at {server.tree}: answered {status} without {page.content!r}"
    if server.tree == ROOT:
        raise SystemExit(f"{problem}; timing it would measure something else.")
    print(f"{problem}: not measured there.", flush=True)
    return None


def queries(user: User, path: str) -> tuple[int, int]:
    """(queries, health checks) of one request, as a server's request makes them.

    The test client skips `close_old_connections` at the request's start, so the
    health check a kept connection gets on each request (CONN_HEALTH_CHECKS), a
    `SELECT 1` outside the query log, is counted here by hand. A first request, not
    counted, warms what a running worker keeps (the connection, the user's permissions,
    the content types): the count is every request's after it, as the tests assert it.
    """
    client = Client()
    client.force_login(user)
    client.get(path, HTTP_HOST="127.0.0.1", secure=False)
    checks = 0
    is_usable = connection.is_usable

    def counted() -> bool:
        nonlocal checks
        checks += 1
        return is_usable()

    connection.is_usable = counted
    try:
        with CaptureQueriesContext(connection) as captured:
            close_old_connections()
            response = client.get(path, HTTP_HOST="127.0.0.1", secure=False)
    finally:
        del connection.is_usable
    assert response.status_code == 200, (path, response.status_code)
    return len(captured), checks


def _settle(server: Server) -> None:
    """Wait until the workers are idle: wrk stops sending, not the requests already queued,
    and a slow page's backlog would otherwise fall on the next measurement. Idle is no CPU
    tick at all for 0.3 s: on a loaded machine a busy worker gets a few ticks even so."""
    for _ in range(400):
        before = server.cpu_seconds()
        time.sleep(0.3)
        if server.cpu_seconds() == before:
            return
    raise SystemExit(f"{server.tree}: the workers were still busy two minutes after a run")


def _timed(server: Server, url: str, seconds: int, cookie: str | None) -> tuple[WrkResult, float]:
    _settle(server)
    before = server.cpu_seconds()
    result = wrk(url, seconds=seconds, headers={"Cookie": cookie} if cookie else None)
    cpu_ms = 1000 * (server.cpu_seconds() - before) / max(result.requests, 1)
    if result.non_2xx:
        raise SystemExit(f"{url}: {result.non_2xx} answers were not 2xx or 3xx")
    return result, cpu_ms


def _rounds(
    servers: list[Server],
    pages: list[Page],
    sizes: dict[tuple[int, str], int | None],
    cookies: dict[tuple[int, int], str],
    times: int,
    seconds: int,
) -> dict[tuple[int, str], Measured]:
    measured: dict[tuple[int, str], Measured] = {}
    for _ in range(times):
        for index, server in enumerate(servers):
            for name, path, cookie in [
                ("bare", "/__bench__/bare", None),
                *(
                    (p.name, p.path, cookies[index, p.user.pk])
                    for p in pages
                    if sizes[index, p.name] is not None
                ),
            ]:
                result, cpu_ms = _timed(server, server.url + path, seconds, cookie)
                entry = measured.setdefault((index, name), Measured([], []))
                entry.results.append(result)
                entry.cpu_ms.append(cpu_ms)
    return measured


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def _figure(page: Page, tree: str, measured: Measured, floor: Measured, notes: dict) -> Figure:
    results = measured.results
    notes = {
        **(
            {"runs with no answer": sum(1 for r in results if not r.requests)}
            if any(not r.requests for r in results)
            else {}
        ),
        "p50": f"{_median([r.p50_ms for r in results]):.1f} ms",
        **({} if page.latency else {"p99": f"{_median([r.p99_ms for r in results]):.1f} ms"}),
        "CPU": f"{_median(measured.cpu_ms):.1f} ms/request",
        **notes,
    }
    if page.latency:
        return Figure(name=page.name + tree, unit="ms p99", runs=[r.p99_ms for r in results],
                      higher_is_better=False, extra=notes)  # fmt: skip
    return Figure(
        name=page.name + tree,
        unit="req/s",
        runs=[r.requests_per_second for r in results],
        floor_name="bare view",
        floor_runs=[r.requests_per_second for r in floor.results],
        extra=notes,
    )


def _trees(baselines: list[Path]) -> Iterator[tuple[str, Path]]:
    yield "", ROOT
    for tree in baselines:
        yield f" [baseline {tree.name}]", tree


def pages(times: int, seconds: int, baselines: list[Path]) -> list[Figure]:
    page_list = bench_pages()
    users = {page.user.pk: page.user for page in page_list}
    operator = User.objects.get(email=OPERATOR)
    trees = list(_trees(baselines))
    backends = [_backend_of(tree) for _, tree in trees]
    cookies = {
        (index, pk): _session_cookie(user, backend)
        for index, backend in enumerate(backends)
        for pk, user in users.items()
    }
    notes: dict[str, dict] = {}
    for page in page_list:
        count, checks = queries(page.user, page.path)
        note = {"queries": f"{count} + {checks} health check" if checks else count}
        if page.latency:
            note["queries (operator)"] = queries(operator, page.path)[0]
        notes[page.name] = note
    with ExitStack() as stack:
        servers = [stack.enter_context(gunicorn({}, tree=tree)) for _, tree in trees]
        sizes = {(i, p.name): check(s, p, cookies[i, p.user.pk]) for i, s in enumerate(servers)
                 for p in page_list}  # fmt: skip
        measured = _rounds(servers, page_list, sizes, cookies, times, seconds)
        rss = [max(peak_rss_mb(pid) for pid in server.worker_pids()) for server in servers]
    figures = []
    for page in page_list:
        for index, (label, _) in enumerate(trees):
            if sizes[index, page.name] is None:
                continue
            # Queries are counted in this process, with this tree's code: the branch's only.
            note = {"size": f"{sizes[index, page.name] / 1000:.1f} kB"}
            figure_notes = {**note, **notes[page.name]} if index == 0 else note
            floor = measured[index, "bare"]
            figures.append(_figure(page, label, measured[index, page.name], floor, figure_notes))
    for index, (label, _) in enumerate(trees):
        bare = measured[index, "bare"]
        figures.append(Figure(name="bare view" + label, unit="req/s",
                              runs=[r.requests_per_second for r in bare.results],
                              extra={"CPU": f"{_median(bare.cpu_ms):.2f} ms/request"}))  # fmt: skip
        figures.append(Figure(name="gunicorn worker peak RSS" + label, unit="MB",
                              runs=[rss[index]] * times))  # fmt: skip
    return figures
