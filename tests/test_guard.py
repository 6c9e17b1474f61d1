"""A hosted server's guards over real sockets: room codes cannot be guessed at speed, rooms expire, foreign pages
cannot use the server, and a flood of bad commands is answered in a few words, the connection kept."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from models.registry import DEMOS
from server.config import Settings
from tests.conftest import LiveServer
from tests.live import Client
from tests.toy import ToyDemo

FWD = "X-Forwarded-For"


@pytest.fixture(autouse=True)
def toy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(DEMOS, "toy", ToyDemo)


def open_room(url: str) -> tuple[Client, dict]:
    lecturer = Client(f"{url}/ws/toy")
    sid = lecturer.next_of("hello")["session"]
    r = httpx.post(f"{url}/api/rooms", json={"session": sid})
    assert r.status_code == 201, r.text
    return lecturer, r.json()


def test_the_60th_wrong_room_code_in_a_minute_is_refused(settings: Settings) -> None:
    with LiveServer(settings.replace(client_ip_header=FWD)) as srv:
        lecturer, room = open_room(srv.url)
        me, other = {FWD: "203.0.113.7"}, {FWD: "203.0.113.8"}
        for _ in range(100):  # the right code, over and over (a class behind one address): never slowed
            assert httpx.get(f"{srv.url}/api/rooms/{room['code']}", headers=me).status_code == 200
        answers = [httpx.get(f"{srv.url}/api/rooms/ZZZZZ{i % 10}", headers=me) for i in range(60)]
        assert [a.status_code for a in answers[:30]] == [404] * 30
        refused = answers[59]
        assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 60
        assert "NNP_ROOM_MISSES_PER_MIN" in refused.json()["detail"]
        # every lookup from that client is refused now, the page, the gallery and the websocket too
        assert httpx.get(f"{srv.url}/api/rooms/{room['code']}", headers=me).status_code == 429
        assert httpx.get(f"{srv.url}/join/{room['code']}", headers=me).status_code == 429
        with Client(f"{srv.url}/ws/toy?follow={room['code']}", headers=me) as ws:
            err = ws.next_of("error")
            assert "too many wrong room codes" in err["message"] and 0 < err["retry_after"] <= 60
        with Client(f"{srv.url}/ws/toy?join={room['code']}", headers=me) as ws:
            assert "too many wrong room codes" in ws.next_of("error")["message"]
        # another client is not slowed by this one
        assert httpx.get(f"{srv.url}/api/rooms/{room['code']}", headers=other).status_code == 200
        with Client(f"{srv.url}/ws/toy?follow={room['code']}", headers=other) as ws:
            assert ws.next_of("hello")["mode"] == "follow"
        lecturer.ws.close()


def test_wrong_codes_over_the_websocket_spend_the_same_budget(settings: Settings) -> None:
    with LiveServer(settings.replace(room_misses_per_min=3)) as srv:
        for i in range(3):
            with Client(f"{srv.url}/ws/toy?follow=NOPE{i}") as ws:
                assert "no room NOPE" in ws.next_of("error")["message"]
        assert httpx.get(f"{srv.url}/api/rooms/NOPE9").status_code == 429


def test_a_room_nobody_uses_expires(settings: Settings) -> None:
    with LiveServer(settings.replace(room_expiry_s=1.0)) as srv:
        lecturer, kept = open_room(srv.url)
        other, gone = open_room(srv.url)
        other.ws.close()  # nobody uses this one any more: no lecturer page, no follower, no lookup
        rooms, deadline = srv.app.state.rooms.backend.rooms, time.monotonic() + 20
        while gone["code"] in rooms:  # watched from inside: asking over HTTP would be a use of the code
            assert time.monotonic() < deadline, "an unused room never expired"
            time.sleep(0.2)
        assert httpx.get(f"{srv.url}/api/rooms/{gone['code']}").status_code == 404
        time.sleep(1.5)
        assert httpx.get(f"{srv.url}/api/rooms/{kept['code']}").status_code == 200, "a room in use stays"
        with Client(f"{srv.url}/ws/toy?follow={kept['code']}") as ws:
            assert ws.next_of("hello")["mode"] == "follow"
        lecturer.ws.close()


def test_a_foreign_origin_is_refused(settings: Settings) -> None:
    with LiveServer(settings.replace(allowed_origins="https://lecture.example.org")) as srv:
        host = srv.url.removeprefix("http://")
        with Client(f"{srv.url}/ws/toy", origin="https://evil.example.com") as ws:
            err = ws.next_of("error")
            assert "origin https://evil.example.com may not use this server" in err["message"]
            assert "NNP_ALLOWED_ORIGINS" in err["message"]
        for origin in (srv.url, "https://lecture.example.org", None):  # its own pages, an allowed site, no browser
            with Client(f"{srv.url}/ws/toy", origin=origin) as ws:
                sid = ws.next_of("hello")["session"]
                ws.send({"type": "step", "n": 1})
                ws.frame_where(lambda f: f["iteration"] == 1)
        evil = {"Origin": "https://evil.example.com"}
        for method, path, body in (("POST", "/api/rooms", {"session": sid}),
                                   ("POST", f"/api/sessions/{sid}/share", None),
                                   ("DELETE", "/api/rooms/ABCDEF", None), ("POST", "/api/rooms/ABCDEF/push", None)):
            r = httpx.request(method, srv.url + path, json=body, headers=evil)
            assert r.status_code == 403 and "may not use this server" in r.json()["detail"], (path, r.text)
        assert httpx.get(f"{srv.url}/api/rooms/ABCDEF", headers=evil).status_code == 404, "reading is not refused"
        r = httpx.post(f"{srv.url}/api/sessions/{sid}/share", headers={"Origin": f"http://{host}"})
        assert r.status_code == 200, "the page's own origin may"


def test_a_flood_is_answered_with_one_error_a_second_and_the_connection_lives(settings: Settings) -> None:
    with LiveServer(settings.replace(max_commands_per_s=20, command_burst=20)) as srv, \
            Client(f"{srv.url}/ws/toy") as c:
        c.next_of("hello")
        sent, start = 0, time.monotonic()
        while time.monotonic() - start < 3.0 and sent < 30_000:
            c.send('{"type": "set", "lr": true}' if sent % 2 else '{"type": "select", "sample": 1}')
            sent += 1
        errors: list[dict] = []
        while True:
            try:
                msg = c.recv(timeout=1.5)
            except TimeoutError:
                break
            if msg["type"] == "error":
                errors.append(msg)
        took = time.monotonic() - start
        print(f"\n{sent:,} commands in 3 s: {len(errors)} error frames in {took:.1f} s")
        assert sent > 1000
        assert 1 <= len(errors) <= 5 + took + 1, (len(errors), sent, took)  # a burst of 5, then one a second
        assert any("commands ignored" in e["message"] for e in errors), [e["message"] for e in errors]
        c.ws.send(b'{"type": "play"}')  # binary: refused, not taken
        time.sleep(1.1)
        c.send({"type": "step", "n": 3})
        msgs = [c.recv()]
        while not (msgs[-1]["type"] == "frame" and msgs[-1]["iteration"] == 3):
            msgs.append(c.recv())
        assert any(m["type"] == "error" and "binary frames are not commands" in m["message"] for m in msgs), msgs
        assert not msgs[-1]["running"], "the binary play was not taken, the step was: the connection lives"


def test_odd_numbers_and_types_are_refused_by_field_and_rule(live_server: LiveServer) -> None:
    with Client(f"{live_server.url}/ws/autoencoder") as c:
        c.next_of("hello")
        for raw, words in (('{"type": "set", "speed": NaN}', "speed: NaN is not a number"),
                           ('{"type": "set", "lr": true}', "lr: Input should be a valid number, got true"),
                           ('{"type": "finetune", "on": "yes"}', "on: Input should be a valid boolean, got 'yes'"),
                           ('{"type": "step", "n": ' + "7" * 5001 + "}", "n: a number with 5,001 digits is too long"),
                           ("[" * 30_000 + "]" * 30_000, "nested too deeply"),
                           ('{"type": "preset", "name": "\\ud800"}', "name: Input should be a valid string"),
                           ('{"type": "select", "sample": 1, "sample": "x"}', "sample: Input should be a valid int")):
            c.send(raw)
            assert words in c.next_of("error")["message"], raw
        c.send(json.dumps({"type": "step", "n": 2}))
        assert c.frame_where(lambda f: f["iteration"] == 2)


NGINX = "/usr/sbin/nginx"
NGINX_CONF = """daemon off; pid {dir}/nginx.pid; error_log {dir}/error.log; worker_processes 1;
events {{ worker_connections 64; }}
http {{
  access_log off; client_body_temp_path {dir}; proxy_temp_path {dir}; fastcgi_temp_path {dir};
  uwsgi_temp_path {dir}; scgi_temp_path {dir};
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://127.0.0.1:{upstream};
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }}
  }}
}}
"""


def test_behind_nginx_the_pages_origin_passes_and_clients_are_told_apart(settings: Settings, tmp_path) -> None:
    """A common reverse proxy: nginx passing `$host` (no port) and appending the peer to X-Forwarded-For."""
    import subprocess

    from tests.conftest import free_port

    if not Path(NGINX).exists():
        pytest.fail("nginx is missing: install Debian's nginx package")
    port = free_port()
    with LiveServer(settings.replace(client_ip_header=FWD, room_misses_per_min=2)):
        conf = tmp_path / "nginx.conf"
        conf.write_text(NGINX_CONF.format(dir=tmp_path, port=port, upstream=settings.port))
        proxy = subprocess.Popen([NGINX, "-c", str(conf), "-e", str(tmp_path / "error.log")],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 20
            while True:
                try:
                    httpx.get(f"{url}/healthz", timeout=2)
                    break
                except httpx.HTTPError:
                    assert proxy.poll() is None and time.monotonic() < deadline, proxy.stderr.read() if \
                        proxy.poll() is not None else "nginx did not come up"
                    time.sleep(0.1)
            with Client(f"{url}/ws/toy", origin=url) as page:  # the page's own origin, through the proxy
                assert page.next_of("hello")["mode"] == "sandbox"
            with Client(f"{url}/ws/toy", origin="https://evil.example.com") as page:
                assert "may not use this server" in page.next_of("error")["message"]
            # the client's own X-Forwarded-For is kept, nginx appends the real peer: the last one counts
            for _ in range(2):
                assert httpx.get(f"{url}/api/rooms/NOPE00", headers={FWD: "198.51.100.1"}).status_code == 404
            assert httpx.get(f"{url}/api/rooms/NOPE00", headers={FWD: "198.51.100.2"}).status_code == 429, \
                "a forged header must not buy a client a new budget"
        finally:
            proxy.terminate()
            proxy.wait(10)
            proxy.stderr.close()
