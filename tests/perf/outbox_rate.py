"""How fast the outbox delivers to a local SMTP sink: a quick figure, not the full bench.

`python -m tests.perf.outbox_rate [--notices 2000] [--runs 3]` against the database
in DATABASE_URL (a throwaway SQLite file if unset): it migrates it, writes the
notices, times `outbox.deliver_notifications()` and checks that the sink got each
one exactly once. The sink runs in its own process, as a real mail server would.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/outbox-rate.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DEBUG", "true")  # a local measurement: no SECRET_KEY needed
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from portal.models import LogisticsProvider
    from returns import outbox
    from returns.models import Notification
    from tests.perf.http import free_port

    call_command("migrate", verbosity=0)
    provider, _ = LogisticsProvider.objects.get_or_create(
        code="rate", defaults={"name": "Rate", "ops_email": "ops@rate.example"}
    )
    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, "-m", "tests.perf.smtp_sink", str(port)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert sink.stdout.readline().strip() == "ready"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    Notification.objects.filter(dedupe_key__startswith="outbox-rate:").delete()
    rates = []
    try:
        for run in range(args.runs):
            Notification.objects.bulk_create(
                Notification(
                    audience="provider",
                    provider=provider,
                    kind="returned",
                    to_email="ops@sink.example",
                    subject=f"Package {run}-{n}",
                    body_text="Text part " * 50,
                    body_html="<p>HTML part</p>" * 50,
                    dedupe_key=f"outbox-rate:{time.time_ns()}:{n}",
                )
                for n in range(args.notices)
            )
            started = time.perf_counter()
            summary = outbox.deliver_notifications()
            elapsed = time.perf_counter() - started
            rates.append(summary.sent / elapsed)
            print(f"run {run + 1}: {summary} in {elapsed:.1f} s = {rates[-1]:.0f} notices/s")
    finally:
        received, _ = sink.communicate(timeout=60)  # closes its stdin: it stops and counts
    rates.sort()
    print(
        f"{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}: "
        f"median {rates[len(rates) // 2]:.0f} notices/s (min {rates[0]:.0f}, max {rates[-1]:.0f}); "
        f"the sink received {int(received)} for {args.runs * args.notices} notices"
    )


if __name__ == "__main__":
    main()
