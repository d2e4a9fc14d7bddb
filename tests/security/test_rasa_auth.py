"""Rasa is reachable on 127.0.0.1 only, and neither its HTTP API nor its REST channel answers without the
per-start token: no local process can read or rewrite a resident's tracker."""
from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
import uuid

import pytest

from bot.launcher import RASA_BIND, rasa_command
from bot.settings import Settings


def test_rasa_command_binds_loopback_and_takes_the_token(tmp_path):
    cmd = rasa_command(Settings(var_dir=tmp_path), tmp_path / "e.yml", tmp_path / "m.tar.gz", 5005, 0,
                       "tok-123", tmp_path / "c.yml")
    assert cmd[cmd.index("-i") + 1] == RASA_BIND == "127.0.0.1"
    assert "--auth-token=tok-123" in cmd
    assert cmd[cmd.index("--credentials") + 1] == str(tmp_path / "c.yml")


def test_a_token_starting_with_a_dash_is_still_one_argument(tmp_path):
    # secrets.token_urlsafe() starts with "-" one time in 64; "--auth-token -x" made `rasa run` exit.
    import argparse
    cmd = rasa_command(Settings(var_dir=tmp_path), tmp_path / "e.yml", tmp_path / "m.tar.gz", 5005, 0,
                       "-Xy_z", tmp_path / "c.yml")
    parser = argparse.ArgumentParser()
    parser.add_argument("-t", "--auth-token", type=str)
    args, _ = parser.parse_known_args(cmd[2:])
    assert args.auth_token == "-Xy_z"


def _status(url: str, data: bytes | None = None) -> int:
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _outside_address() -> str | None:
    """This machine's address on a non-loopback interface (the route a neighbour would use), if any."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            addr = s.getsockname()[0]
        except OSError:
            return None
    return None if addr.startswith("127.") else addr


@pytest.mark.stack
def test_rasa_refuses_tracker_reads_and_messages_without_the_token(live_stack):
    sender = f"api:auth-{uuid.uuid4().hex[:10]}"
    live_stack.chat("你好", sender.split(":", 1)[1])
    base = live_stack.rasa_url
    assert _status(f"{base}/conversations/{sender}/tracker") == 401
    assert _status(f"{base}/conversations/{sender}/tracker?token=wrong") == 401
    assert _status(f"{base}/conversations/{sender}/tracker/events",
                   json.dumps([{"event": "restart"}]).encode()) == 401
    assert _status(f"{base}/model/parse", json.dumps({"text": "你好"}).encode()) == 401
    webhook = json.dumps({"sender": sender, "message": "我是冒充的"}).encode()
    assert _status(f"{base}/webhooks/rest/webhook", webhook) == 401
    tracker = live_stack.rasa_get(f"/conversations/{sender}/tracker")
    assert "我是冒充的" not in json.dumps(tracker, ensure_ascii=False)
    assert _status(f"{base}/webhooks/rest/webhook?token={live_stack.rasa_token}",
                   json.dumps({"sender": f"api:ok-{uuid.uuid4().hex[:6]}", "message": "你好"}).encode()) == 200


@pytest.mark.stack
def test_rasa_is_not_reachable_from_outside_loopback(live_stack):
    port = int(live_stack.rasa_url.rsplit(":", 1)[1])
    addr = _outside_address()
    if addr is None:
        pytest.skip("this machine has no non-loopback address")
    with socket.socket() as s:
        s.settimeout(3)
        assert s.connect_ex((addr, port)) != 0, f"Rasa answers on {addr}:{port}"
    with socket.socket() as s:
        s.settimeout(3)
        assert s.connect_ex(("127.0.0.1", port)) == 0
