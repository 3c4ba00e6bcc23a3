"""`make run` (`manage.py rundev`): web server and job worker side by side; Ctrl-C stops both.

Each child runs in its own session so that Ctrl-C reaches only this script,
which then stops every child by its own PID with SIGINT. (A TERM sent to a
whole process group leaves django-q2's cluster waiting on its workers.)
"""

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand

from portal.demo import DEFAULT_PASSWORD, describe_logins

ADDRESS = os.environ.get("RUN_ADDRESS", "127.0.0.1:8000")
STOP_TIMEOUT_SECONDS = 15


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "manage.py", *args], start_new_session=True)


def stop(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


class Command(BaseCommand):
    help = "Run the development web server and the django-q2 worker together."

    def handle(self, *args, **options):
        # Ctrl-C and TERM both stop cleanly. SIGINT is set explicitly because a shell
        # that starts us in the background makes us (and so our children) ignore it.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        sys.exit(run())


def run() -> int:
    children = [start("runserver", ADDRESS), start("qcluster")]
    print(
        f"\nReturns portal: http://{ADDRESS}/  (provider console: http://{ADDRESS}/admin/)\n"
        f"{describe_logins(DEFAULT_PASSWORD)}\n"
        "Emails are written to var/mail/. Press Ctrl-C to stop the server and the worker.\n",
        flush=True,
    )
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping the web server and the worker…", flush=True)
    stop(children)
    return max(child.returncode or 0 for child in children)
