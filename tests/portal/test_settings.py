"""Start-up refuses bad configuration with a message that names the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "returns.example",
    "SITE_URL": "https://returns.example",
    "DATABASE_URL": "sqlite:////tmp/portal-check-deploy.sqlite3",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example:587",
}


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Only what the test names: no database URL from CI, no test-only switches.
    inherited = PRODUCTION.keys() | {
        "DATABASE_URL",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "PORT",
        "RUN_ADDRESS",
    }
    clean = {k: v for k, v in os.environ.items() if k not in inherited}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"CLAIM_WINDOW_DAYS": "abc"}, "CLAIM_WINDOW_DAYS"),
        ({"CLAIM_WINDOW_DAYS": "0"}, "CLAIM_WINDOW_DAYS"),
        ({"MAX_DELIVERY_ATTEMPTS": "three"}, "MAX_DELIVERY_ATTEMPTS"),
        ({"REMINDER_HOURS_BEFORE": "-4"}, "REMINDER_HOURS_BEFORE"),
        ({"REMINDER_HOURS_BEFORE": "72,abc"}, "REMINDER_HOURS_BEFORE"),
        ({"REMINDER_HOURS_BEFORE": "72,0"}, "REMINDER_HOURS_BEFORE"),
        ({"REMINDER_HOURS_BEFORE": "72,,24"}, "REMINDER_HOURS_BEFORE"),
        ({"TICKET_FIRST_RESPONSE_HOURS": "1.5"}, "TICKET_FIRST_RESPONSE_HOURS"),
        ({"TIME_ZONE": "Mars/Olympus_Mons"}, "TIME_ZONE"),
        ({"TRUSTED_PROXY_COUNT": "-1"}, "TRUSTED_PROXY_COUNT"),
        ({"TRUSTED_PROXY_COUNT": "one"}, "TRUSTED_PROXY_COUNT"),
        ({"LOGIN_ADDRESS_FAILURE_LIMIT": "0"}, "LOGIN_ADDRESS_FAILURE_LIMIT"),
        ({"DEBUG": "off"}, "SECRET_KEY"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"SITE_URL": "returns.example"}, "SITE_URL"),
        ({"PORT": "eighty"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL"),
        ({"CACHE_URL": "nosuchcache://x"}, "CACHE_URL"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(env, named):
    result = run_manage("check", **{"DEBUG": "true", **env})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr.strip().splitlines()[-1]


def test_check_deploy_is_clean_with_production_values():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_no_environment_at_all_stops_asking_for_a_secret_key():
    # DEBUG is off unless asked for, so a forgotten variable never serves debug pages
    # signed with a published key.
    result = run_manage("check")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr.strip().splitlines()[-1]


def test_debug_is_off_unless_it_is_asked_for():
    show = "from django.conf import settings; print(settings.DEBUG)"

    assert run_manage("shell", "-c", show, SECRET_KEY="k" * 50).stdout.split()[-1] == "False"
    assert run_manage("shell", "-c", show, DEBUG="true").stdout.split()[-1] == "True"


def test_debug_alone_runs_on_the_embedded_defaults():
    # What `make run` exports for every step it runs.
    result = run_manage("check", DEBUG="true")

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("env", "site_url"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8010"}, "http://127.0.0.1:8010"),  # make run PORT=8010
        ({"RUN_ADDRESS": "localhost:8020"}, "http://localhost:8020"),
        ({"PORT": "8010", "SITE_URL": "https://returns.example"}, "https://returns.example"),
    ],
)
def test_email_links_follow_the_port_make_run_serves_unless_site_url_is_set(env, site_url):
    show = "from django.conf import settings; print(settings.SITE_URL)"
    result = run_manage("shell", "-c", show, DEBUG="true", **env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == site_url


@pytest.mark.parametrize(
    ("url", "options"),
    [
        ("postgres://portal@db:5432/portal", "-c synchronize_seqscans=off"),
        (
            "postgres://portal@db:5432/portal?options=-c%20statement_timeout%3D5000",
            "-c statement_timeout=5000 -c synchronize_seqscans=off",
        ),
    ],
)
def test_postgresql_connections_scan_from_the_start_keeping_the_urls_own_options(url, options):
    show = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
    result = run_manage("shell", "-c", show, DEBUG="true", DATABASE_URL=url)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == repr({"options": options})


@pytest.mark.postgres
def test_a_limited_scan_of_the_portals_connection_starts_at_the_tables_start(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronize_seqscans")
        assert cursor.fetchone() == ("off",)
