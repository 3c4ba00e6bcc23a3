"""`make run`'s server: debug pages on, and only ever on the machine's own loopback."""

import pytest
from django.core.management import CommandError, call_command

from portal.management.commands import rundev


class FinishedChild:
    """A child process that has already exited cleanly."""

    returncode = 0

    def __init__(self, args, env, start_new_session):
        self.args = args
        self.env = env

    def poll(self) -> int:
        return 0

    def wait(self, timeout: float | None = None) -> int:
        return 0


@pytest.fixture
def started(monkeypatch):
    children = []

    def popen(args, **kwargs):
        children.append(FinishedChild(args, **kwargs))
        return children[-1]

    monkeypatch.setattr(rundev.subprocess, "Popen", popen)
    # The command's Ctrl-C handling is for a terminal, not for the test process.
    monkeypatch.setattr(rundev.signal, "signal", lambda *args: None)
    monkeypatch.delenv("DEBUG", raising=False)
    return children


@pytest.mark.parametrize("address", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "8000"])
def test_the_server_and_the_worker_run_with_debug_on_at_a_loopback_address(
    started, monkeypatch, address
):
    monkeypatch.setattr(rundev, "ADDRESS", address)

    with pytest.raises(SystemExit) as stopped:
        call_command("rundev")

    assert stopped.value.code == 0
    assert [child.args[2:] for child in started] == [["runserver", address], ["qcluster"]]
    assert all(child.env["DEBUG"] == "true" for child in started)


@pytest.mark.parametrize("address", ["0.0.0.0:8000", "192.0.2.10:8000", "returns.example:80"])
def test_a_debug_server_facing_the_network_is_refused(started, monkeypatch, address):
    monkeypatch.setattr(rundev, "ADDRESS", address)

    with pytest.raises(CommandError, match="RUN_ADDRESS"):
        call_command("rundev")

    assert started == []
