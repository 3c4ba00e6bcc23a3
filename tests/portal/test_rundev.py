"""`make run`'s server: debug pages on, and only ever on the machine's own loopback."""

import socket

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
    # Another server on this machine may hold 8000: these tests are about the address.
    monkeypatch.setattr(rundev, "port_in_use", lambda address: False)
    return children


@pytest.mark.parametrize("address", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "8000"])
def test_the_server_and_the_worker_run_with_debug_on_at_a_loopback_address(
    started, settings, address
):
    settings.RUN_ADDRESS = address

    with pytest.raises(SystemExit) as stopped:
        call_command("rundev")

    assert stopped.value.code == 0
    assert [child.args[2:] for child in started] == [["runserver", address], ["qcluster"]]
    assert all(child.env["DEBUG"] == "true" for child in started)


@pytest.mark.parametrize("address", ["0.0.0.0:8000", "192.0.2.10:8000", "returns.example:80"])
def test_a_debug_server_facing_the_network_is_refused(started, settings, address):
    settings.RUN_ADDRESS = address

    with pytest.raises(CommandError, match="RUN_ADDRESS"):
        call_command("rundev")

    assert started == []


@pytest.fixture
def busy_port():
    """A port something already listens on."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def test_a_busy_port_is_refused_before_the_banner(settings, monkeypatch, capsys, busy_port):
    started = []
    monkeypatch.setattr(rundev.subprocess, "Popen", lambda *args, **kwargs: started.append(args))
    monkeypatch.setattr(rundev.signal, "signal", lambda *args: None)
    settings.RUN_ADDRESS = f"127.0.0.1:{busy_port}"

    with pytest.raises(CommandError, match=f"127.0.0.1:{busy_port} is already in use") as refused:
        call_command("rundev")

    assert f"make run PORT={busy_port + 10}" in str(refused.value)
    assert started == []
    assert "Returns portal" not in capsys.readouterr().out


def test_a_free_port_is_free(busy_port):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]

    assert rundev.port_in_use(f"127.0.0.1:{busy_port}")
    assert not rundev.port_in_use(f"127.0.0.1:{free}")
    assert not rundev.port_in_use(f"localhost:{free}")
