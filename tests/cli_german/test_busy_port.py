"""A busy port is refused before anything is prepared: German message, exit code 2, nothing written."""

from __future__ import annotations

import socket

import pytest
from typer.testing import CliRunner

from zielwerk.cli import app


@pytest.fixture()
def busy_port():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


@pytest.mark.parametrize("command", ["demo", "serve"])
def test_busy_port_refused_before_anything_changes(tmp_path, busy_port, command):
    data = tmp_path / "daten"
    result = CliRunner().invoke(app, [command, "--data", str(data), "--port", str(busy_port)])
    assert result.exit_code == 2, result.output
    out = result.output
    assert f"Port {busy_port}" in out and "belegt" in out and "--port" in out
    assert "Errno" not in out and "address already in use" not in out
    # nothing was generated, no store created (so no demo password was reset)
    assert not data.exists()


def test_existing_store_untouched_on_busy_port(tmp_path, busy_port):
    data = tmp_path / "daten"
    data.mkdir()
    store = data / "zielwerk.db"
    store.write_bytes(b"unchanged")
    result = CliRunner().invoke(app, ["demo", "--data", str(data), "--port", str(busy_port)])
    assert result.exit_code == 2
    assert store.read_bytes() == b"unchanged"
    assert sorted(p.name for p in data.iterdir()) == ["zielwerk.db"]
