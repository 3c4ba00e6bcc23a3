"""The benchmarks themselves; `tests.perf.run` prepares the database and reports."""

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from portal.models import User
from returns.models import FailedPackage
from tests.perf import jobs
from tests.perf.figures import Figure
from tests.perf.http import gunicorn, peak_rss_mb, wrk


def all_figures(args) -> list[Figure]:
    figures = []
    if "finalize" in args.only:
        figures.append(jobs.finalize(args.repeat))
    if "pages" in args.only:
        figures += pages(args.repeat, args.seconds)
    if "intake" in args.only:
        figures += jobs.intake(args.repeat)
    if "email" in args.only:
        figures += jobs.email_delivery(args.repeat)
    return figures


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
