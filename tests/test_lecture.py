"""A room as a lecture over real websockets: the lecturer moves across demos, followers and lecture pages hear of
it, students are held by "pause class", a spotlight shows a student's network, and only the key changes any of it."""

from __future__ import annotations

import httpx
import pytest

from server.config import Settings
from server.lecture import PAUSED
from tests.conftest import LiveServer
from tests.live import Client


def open_room(url: str, session: str) -> dict:
    r = httpx.post(f"{url}/api/rooms", json={"session": session})
    assert r.status_code == 201, r.text
    return r.json()


def call(url: str, code: str, what: str, key: str, **body: object) -> httpx.Response:
    return httpx.post(f"{url}/api/rooms/{code}/{what}", json=body, headers={"X-Room-Key": key})


def lecture(base: str, url: str | None = None) -> None:
    """The whole lecture against `base` (the lecturer's server); students and followers on `url` (or the same)."""
    url = url or base
    with Client(f"{base}/ws/autoencoder") as lecturer:
        sid = lecturer.next_of("hello")["session"]
        room = open_room(base, sid)
        code, key = room["code"], room["key"]
        with Client(f"{url}/ws/rooms/{code}") as lobby, Client(f"{url}/ws/autoencoder?follow={code}") as follower, \
                Client(f"{url}/ws/autoencoder?join={code}") as student:
            assert lobby.next_of("room")["demo"] == "autoencoder"
            follower.next_of("frame")
            st = student.next_of("hello")
            assert st["mode"] == "sandbox" and st["room"] == code and st["hold"] is None

            # Only the key moves the room; the lecturer's knockout page takes it along.
            with Client(f"{base}/ws/knockout") as knock:
                ksid = knock.next_of("hello")["session"]
                assert call(base, code, "move", "not-the-key", session=ksid).status_code == 403
                # a student's sandbox cannot lead (on another process it is not even known there)
                assert call(base, code, "move", key, session=st["session"]).status_code in (404, 409)
                moved = call(base, code, "move", key, session=ksid)
                assert moved.status_code == 200 and moved.json()["demo"] == "knockout"
                assert ksid not in moved.text and sid not in moved.text
                seen = lobby.next_of("room")
                assert seen["demo"] == "knockout" and seen["version"] == moved.json()["version"]
                assert follower.next_of("room")["shown_demo"] == "knockout"
                assert httpx.get(f"{url}/api/rooms/{code}").json()["demo"] == "knockout"
                # The old demo's followers are told to switch; a follower of the new demo sees the knockout net.
                with Client(f"{url}/ws/knockout?follow={code}") as kf:
                    assert kf.next_of("hello")["mode"] == "follow"
                    knock.send({"type": "step", "n": 7})
                    kf.frame_where(lambda f: f["iteration"] == 7)
                with Client(f"{url}/ws/autoencoder?follow={code}") as late:
                    assert "knockout" in late.next_of("error")["message"]
                with Client(f"{url}/ws/knockout?join={code}") as kstudent:
                    khello = kstudent.next_of("hello")
                    kstudent.frame_where(lambda f: f["iteration"] == 7)  # a copy of the lecturer's knockout net

                    # Pause class: every student sandbox stops and refuses play, with the reason; resume frees it.
                    kstudent.send({"type": "play"})
                    kstudent.frame_where(lambda f: f["running"])
                    assert call(base, code, "pace", "nope", paused=True).status_code == 403
                    assert call(base, code, "pace", key, paused=True).json()["paused"] is True
                    assert kstudent.next_of("info")["hold"] == PAUSED
                    held_at = kstudent.frame_where(lambda f: not f["running"])["iteration"]
                    assert student.next_of("info")["hold"] == PAUSED  # the autoencoder sandbox too
                    kstudent.send({"type": "play"})
                    assert kstudent.next_of("error")["message"] == PAUSED
                    kstudent.send({"type": "step", "n": 1})
                    assert kstudent.next_of("error")["message"] == PAUSED
                    with Client(f"{url}/ws/knockout?session={khello['session']}") as again:  # a reopened page
                        assert again.next_of("hello")["hold"] == PAUSED
                    assert call(base, code, "pace", key, paused=False).json()["paused"] is False
                    assert kstudent.next_of("info")["hold"] == ""
                    kstudent.send({"type": "step", "n": 3})
                    kstudent.frame_where(lambda f: f["iteration"] == held_at + 3)

                    # Spotlight: followers watch the student's network instead, then the lecturer's again.
                    with Client(f"{url}/ws/knockout?follow={code}") as kf:
                        kf.frame_where(lambda f: f["iteration"] == 7)
                        assert call(base, code, "spotlight", key, seat="#zzzz").status_code == 404
                        spot = call(base, code, "spotlight", key, seat=khello["seat"])
                        assert spot.status_code == 200 and spot.json()["spotlight"] == khello["seat"], spot.text
                        assert kf.next_of("room")["spotlight"] == khello["seat"]
                        kf.frame_where(lambda f: f["iteration"] == held_at + 3)
                        kstudent.send({"type": "step", "n": 2})
                        kf.frame_where(lambda f: f["iteration"] == held_at + 5)
                        assert call(base, code, "spotlight", key, seat=None).json()["spotlight"] is None
                        kf.frame_where(lambda f: f["iteration"] == 7)
                        # joining during a spotlight still copies the lecturer's network
                        assert httpx.post(f"{base}/api/rooms/{code}/key", headers={"X-Room-Key": key}).is_success
                        assert httpx.post(f"{base}/api/rooms/{code}/key", headers={"X-Room-Key": "x"}).status_code \
                            == 403


def test_a_lecture_on_one_server(live_server: LiveServer) -> None:
    lecture(live_server.url)


def test_moving_back_and_the_join_link(live_server: LiveServer) -> None:
    url = live_server.url
    with Client(f"{url}/ws/autoencoder") as a, Client(f"{url}/ws/boundary") as b:
        asid, bsid = a.next_of("hello")["session"], b.next_of("hello")["session"]
        room = open_room(url, asid)
        code, key = room["code"], room["key"]
        assert call(url, code, "move", key, session=bsid).json()["demo"] == "boundary"
        back = call(url, code, "move", key, session=asid).json()
        assert back["demo"] == "autoencoder"
        same = call(url, code, "move", key, session=asid).json()
        assert same["version"] == back["version"], "moving to the session the room shows changes nothing"
        with Client(f"{url}/ws/boundary") as a2:  # the old session leads nothing now; a new page may move the room
            assert a2.next_of("hello")["leads"] is None
        with Client(f"{url}/ws/autoencoder?session={asid}") as again:
            assert again.next_of("hello")["leads"] == code
        # The join link is never a loopback address: the live server listens on 127.0.0.1 only, so it says so.
        j = httpx.get(f"{url}/api/rooms/{code}/join").json()
        assert j["url"] is None and "NNP_PUBLIC_URL" in j["note"]
        fwd = httpx.get(f"{url}/api/rooms/{code}/join",
                        headers={"X-Forwarded-Host": "nn.example.edu", "X-Forwarded-Proto": "https"}).json()
        assert fwd["url"] == f"https://nn.example.edu/join/{code}" and fwd["note"] is None
        svg = httpx.get(f"{url}/rooms/{code}/qr.svg", headers={"X-Forwarded-Host": "nn.example.edu"})
        assert svg.headers["content-type"].startswith("image/svg+xml") and "<path" in svg.text
        assert httpx.get(f"{url}/rooms/{code}/qr.svg").status_code == 409


@pytest.mark.parametrize("public", ["https://playground.example.edu/"])
def test_the_public_url_setting_wins(settings: Settings, public: str) -> None:
    settings.public_url = public
    with LiveServer(settings) as srv, Client(f"{srv.url}/ws/sigmoid") as c:
        code = open_room(srv.url, c.next_of("hello")["session"])["code"]
        j = httpx.get(f"{srv.url}/api/rooms/{code}/join", headers={"X-Forwarded-Host": "other.example"}).json()
        assert j["url"] == f"https://playground.example.edu/join/{code}"


def test_a_moved_room_outlives_a_restart(settings: Settings) -> None:
    with LiveServer(settings) as srv, Client(f"{srv.url}/ws/autoencoder") as a, Client(f"{srv.url}/ws/knockout") as k:
        room = open_room(srv.url, a.next_of("hello")["session"])
        ksid = k.next_of("hello")["session"]
        assert call(srv.url, room["code"], "move", room["key"], session=ksid).json()["demo"] == "knockout"
        assert call(srv.url, room["code"], "pace", room["key"], paused=True).json()["paused"] is True
    with LiveServer(settings) as srv:  # the same database: the room is where the lecturer left it
        again = httpx.get(f"{srv.url}/api/rooms/{room['code']}").json()
        assert again["demo"] == "knockout" and again["paused"] is True
        with Client(f"{srv.url}/ws/knockout?session={ksid}") as k2:
            assert k2.next_of("hello")["leads"] == room["code"]


def test_the_lecturers_lesson_step_is_the_rooms(live_server: LiveServer) -> None:
    """The lecturer's own page going to a lesson step moves the room's step (heard by lecture pages and followers);
    "follow my step" is the lecturer's to switch; a student's own step changes nothing of the room."""
    url = live_server.url
    with Client(f"{url}/ws/autoencoder") as lecturer:
        room = open_room(url, lecturer.next_of("hello")["session"])
        code, key = room["code"], room["key"]
        assert httpx.get(f"{url}/api/rooms/{code}").json()["follow_step"] is False
        with Client(f"{url}/ws/rooms/{code}") as lobby, Client(f"{url}/ws/autoencoder?follow={code}") as follower, \
                Client(f"{url}/ws/autoencoder?join={code}") as student:
            assert lobby.next_of("room")["step"] == 0
            follower.next_of("frame")
            student.next_of("hello")
            lecturer.send({"type": "lesson", "step": 2})
            assert lobby.next_of("room")["step"] == 2
            assert follower.next_of("room")["step"] == 2
            lecturer.frame_where(lambda f: f["lesson"] == 2)
            assert httpx.get(f"{url}/api/rooms/{code}").json()["step"] == 2

            assert call(url, code, "follow-step", "not-the-key", on=True).status_code == 403
            on = call(url, code, "follow-step", key, on=True).json()
            assert on["follow_step"] is True and on["step"] == 2
            assert lobby.next_of("room")["follow_step"] is True

            student.send({"type": "lesson", "step": 1})  # a student's own step is theirs, not the room's
            student.frame_where(lambda f: f["lesson"] == 1)
            lecturer.send({"type": "lesson", "step": 3})
            seen = lobby.next_of("room")
            assert seen["step"] == 3 and seen["version"] == on["version"] + 1, seen
            off = call(url, code, "follow-step", key, on=False).json()
            assert off["follow_step"] is False and off["step"] == 3
