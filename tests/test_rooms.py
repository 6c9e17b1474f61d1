"""Rooms on one server: follow the lecturer read-only, fork, push, gallery, close; only the key changes a room."""

from __future__ import annotations

import httpx

from server.config import Settings
from server.rooms import ALPHABET, CODE_LENGTH
from tests.conftest import LiveServer, free_port
from tests.live import Client


def open_room(url: str, session: str) -> dict:
    r = httpx.post(f"{url}/api/rooms", json={"session": session})
    assert r.status_code == 201, r.text
    return r.json()


def weights(frame: dict) -> list:
    return frame["demo"]["net"]["weights"]


def test_followers_watch_the_lecturer_live_and_read_only(live_server: LiveServer) -> None:
    url = live_server.url
    with Client(f"{url}/ws/autoencoder") as lecturer:
        sid = lecturer.next_of("hello")["session"]
        lecturer.send({"type": "step", "n": 50})
        lecturer.frame_where(lambda f: f["iteration"] == 50)
        room = open_room(url, sid)
        code = room["code"]
        assert len(code) == CODE_LENGTH and set(code) <= set(ALPHABET) and room["key"]
        with Client(f"{url}/ws/autoencoder?follow={code.lower()}") as follower:
            hello = follower.next_of("hello")
            assert hello["mode"] == "follow" and hello["room"] == code and "session" not in hello
            assert sid not in str(hello), "a follower must never learn the lecturer's session id"
            first = follower.next_of("frame")
            assert first["iteration"] == 50 and first["restart"] and first["losses"][-1][0] == 50
            lecturer.send({"type": "play"})
            moving = follower.frame_where(lambda f: f["iteration"] > 400)
            assert moving["running"] and weights(moving) != weights(first)
            lecturer.send({"type": "pause"})
            stopped = follower.frame_where(lambda f: not f["running"])
            for cmd in ({"type": "play"}, {"type": "set", "lr": 5}, {"type": "reset"}, {"type": "finetune"}):
                follower.send(cmd)
                assert "read-only" in follower.next_of("error")["message"]
            lecturer.send({"type": "select", "sample": 3})
            same = lecturer.frame_where(lambda f: f["selected"] == 3)
            assert same["iteration"] == stopped["iteration"] and same["lr"] == stopped["lr"]


def test_students_fork_and_the_lecturer_pushes(live_server: LiveServer) -> None:
    url = live_server.url
    with Client(f"{url}/ws/autoencoder") as lecturer:
        sid = lecturer.next_of("hello")["session"]
        lecturer.send({"type": "step", "n": 100})
        at_fork = lecturer.frame_where(lambda f: f["iteration"] == 100)
        room = open_room(url, sid)
        code, key = room["code"], room["key"]
        with Client(f"{url}/ws/autoencoder?join={code}") as student:
            hello = student.next_of("hello")
            assert hello["mode"] == "sandbox" and hello["room"] == code and hello["session"] != sid
            mine = student.next_of("frame")
            assert mine["iteration"] == 100 and weights(mine) == weights(at_fork)
            student.send({"type": "set", "lr": 3.5})
            student.send({"type": "step", "n": 20})
            student.frame_where(lambda f: f["iteration"] == 120 and f["lr"] == 3.5)
            # the lecturer is not moved by the student's sandbox
            lecturer.send({"type": "step", "n": 400})
            pushed_from = lecturer.frame_where(lambda f: f["iteration"] == 500)

            # gallery: the student's thumbnail, with the key only
            g = httpx.get(f"{url}/api/rooms/{code}/gallery", headers={"X-Room-Key": key})
            assert g.status_code == 200
            (entry,) = g.json()["students"]
            assert entry["iteration"] == 120 and entry["seat"].startswith("#") and entry["online"]
            assert entry["net"]["sizes"] == [10, 3, 10] and entry["loss"] is not None
            assert hello["session"] not in g.text, "the gallery must not hand out students' session ids"

            r = httpx.post(f"{url}/api/rooms/{code}/push", headers={"X-Room-Key": key})
            assert r.status_code == 200 and r.json()["students"] == 1
            assert "pushed" in student.next_of("info")["message"]
            after = student.frame_where(lambda f: f["iteration"] == 500)
            assert weights(after) == weights(pushed_from) and after["lr"] == pushed_from["lr"] and after["restart"]


def test_only_the_lecturer_key_changes_a_room(live_server: LiveServer) -> None:
    url = live_server.url
    with Client(f"{url}/ws/autoencoder") as lecturer:
        sid = lecturer.next_of("hello")["session"]
        room = open_room(url, sid)
        code, key = room["code"], room["key"]
        with Client(f"{url}/ws/autoencoder?join={code}") as student:
            student_sid = student.next_of("hello")["session"]
            for headers in ({}, {"X-Room-Key": "guess"}, {"X-Room-Key": student_sid}):
                assert httpx.post(f"{url}/api/rooms/{code}/push", headers=headers).status_code == 403
                assert httpx.delete(f"{url}/api/rooms/{code}", headers=headers).status_code == 403
                assert httpx.get(f"{url}/api/rooms/{code}/gallery", headers=headers).status_code == 403
            denied = httpx.post(f"{url}/api/rooms/{code}/push", headers={"X-Room-Key": "guess"})
            assert "only the lecturer's key" in denied.json()["detail"]
            assert httpx.get(f"{url}/api/rooms/{code}").status_code == 200, "the room is still open"
            # a session leads one room at a time; a student may open their own room from their own sandbox
            assert httpx.post(f"{url}/api/rooms", json={"session": sid}).status_code == 409
            assert httpx.post(f"{url}/api/rooms", json={"session": "nope"}).status_code == 404

            assert httpx.delete(f"{url}/api/rooms/{code}", headers={"X-Room-Key": key}).status_code == 200
            assert "closed" in student.next_of("info")["message"]
        assert httpx.get(f"{url}/api/rooms/{code}").status_code == 404
        assert httpx.get(f"{url}/join/{code}").status_code == 404
        with Client(f"{url}/ws/autoencoder?follow={code}") as late:
            assert "no room" in late.next_of("error")["message"]


def test_a_follower_is_told_when_the_room_closes(live_server: LiveServer) -> None:
    url = live_server.url
    with Client(f"{url}/ws/autoencoder") as lecturer:
        room = open_room(url, lecturer.next_of("hello")["session"])
        with Client(f"{url}/ws/autoencoder?follow={room['code']}") as follower:
            follower.next_of("frame")
            httpx.delete(f"{url}/api/rooms/{room['code']}", headers={"X-Room-Key": room["key"]})
            msg = follower.next_of("info")
            assert msg["closed"] and room["code"] in msg["message"]


def test_a_room_and_its_lecturer_outlive_a_restart(settings: Settings) -> None:
    with LiveServer(settings) as srv, Client(f"{srv.url}/ws/autoencoder") as lecturer:
        sid = lecturer.next_of("hello")["session"]
        lecturer.send({"type": "step", "n": 77})
        lecturer.frame_where(lambda f: f["iteration"] == 77)
        room = open_room(srv.url, sid)
    with LiveServer(settings.replace(port=free_port())) as srv:
        assert httpx.get(f"{srv.url}/join/{room['code']}").status_code == 200
        with Client(f"{srv.url}/ws/autoencoder?follow={room['code']}") as follower:
            assert follower.next_of("frame")["iteration"] == 77
            with Client(f"{srv.url}/ws/autoencoder?session={sid}") as lecturer:
                assert lecturer.next_of("hello")["leads"] == room["code"]
                lecturer.send({"type": "step", "n": 3})
                assert follower.frame_where(lambda f: f["iteration"] == 80)


def test_rooms_are_per_demo(live_server: LiveServer, monkeypatch) -> None:
    from models.registry import DEMOS
    from tests.toy import ToyDemo

    monkeypatch.setitem(DEMOS, "toy", ToyDemo)
    with Client(f"{live_server.url}/ws/autoencoder") as lecturer:
        room = open_room(live_server.url, lecturer.next_of("hello")["session"])
        with Client(f"{live_server.url}/ws/toy?follow={room['code']}") as wrong:
            assert "shows the autoencoder demo now" in wrong.next_of("error")["message"]
