"""`make run` (`manage.py rundev`): web server and job worker side by side; Ctrl-C stops both.

Both run with DEBUG on (the portal's default is off), so the server binds to a
loopback address only: debug pages show settings and code to whoever reaches them.

Each child runs in its own session so that Ctrl-C reaches only this script,
which then stops every child by its own PID with SIGINT. (A TERM sent to a
whole process group leaves django-q2's cluster waiting on its workers.)
"""

import errno
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.demo import DEFAULT_PASSWORD, describe_logins

STOP_TIMEOUT_SECONDS = 15


def is_loopback(address: str) -> bool:
    """`127.0.0.1:8000`, `[::1]:8000`, `localhost:8000` or a bare port (runserver's 127.0.0.1)."""
    host, _, port = address.rpartition(":")
    host = host.strip("[]")
    if not host:
        return port.isdigit()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def port_in_use(address: str) -> bool:
    """Whether something already listens there, so runserver would fail after our banner.

    Bound as runserver binds (SO_REUSEADDR), so a port left in TIME_WAIT by the last
    run counts as free, as it is for runserver.
    """
    host, _, port = address.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    family, kind, proto, _, where = socket.getaddrinfo(host, int(port), type=socket.SOCK_STREAM)[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(where)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def start(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        env={**os.environ, "DEBUG": "true"},
        start_new_session=True,
    )


def stop(children: list[subprocess.Popen[bytes]]) -> None:
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

    def handle(self, *args: Any, **options: Any) -> None:
        address = settings.RUN_ADDRESS
        if not is_loopback(address):
            raise CommandError(
                f"RUN_ADDRESS={address!r} is not a loopback address. The development server "
                "runs with DEBUG on, which must not face a network: use 127.0.0.1:<port>, or "
                "gunicorn with production settings (see the README's deploy section)."
            )
        if port_in_use(address):
            another = int(address.rpartition(":")[2]) + 10
            raise CommandError(
                f"{address} is already in use, by another server or an earlier `make run`. "
                f"Stop it, or choose another port: make run PORT={another}"
            )
        # Ctrl-C and TERM both stop cleanly. SIGINT is set explicitly because a shell
        # that starts us in the background makes us (and so our children) ignore it.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        sys.exit(run(address))


def run(address: str) -> int:
    children = [start("runserver", address), start("qcluster")]
    site = settings.RUN_URL
    print(
        f"\nReturns portal: {site}/  (provider console: {site}/admin/)\n"
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
