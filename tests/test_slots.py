"""Session slots on a hosted server: pages opened and closed never lock a new visitor out, changed sessions leave
memory for the store and come back, one client cannot hold every slot, and a damaged store row is told, kept."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from models.registry import DEMOS
from server.config import Settings
from tests.conftest import LiveServer
from tests.live import Client
from tests.toy import ToyDemo


@pytest.fixture(autouse=True)
def toy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(DEMOS, "toy", ToyDemo)


def test_a_thousand_open_close_cycles_leave_room_for_a_new_visitor(settings: Settings) -> None:
    with LiveServer(settings.replace(max_sessions=20, save_every_s=0.3)) as srv:
        registry = srv.app.state.registry
        changed: dict[str, int] = {}
        for i in range(30):  # more changed sessions than the cap: the oldest are saved and leave memory
            with Client(f"{srv.url}/ws/toy") as c:
                sid = c.next_of("hello")["session"]
                c.send({"type": "step", "n": i + 1})
                c.frame_where(lambda f, n=i + 1: f["iteration"] == n)
                changed[sid] = i + 1
        assert len(registry.sessions) <= 20

        refused: list[str] = []
        done = [0]

        def cycles(n: int) -> None:  # an attacker's loop: open a page, wait for its session, drop it
            for _ in range(n):
                with Client(f"{srv.url}/ws/toy") as c:
                    msg = c.recv()
                    if msg["type"] != "hello":
                        refused.append(msg.get("message", ""))
                done[0] += 1

        threads = [threading.Thread(target=cycles, args=(250,), daemon=True) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        assert done[0] == 1000 and not refused, refused[:3]
        assert len(registry.sessions) <= 20, "sessions nobody changed must not pile up"

        with Client(f"{srv.url}/ws/toy") as visitor:
            assert visitor.next_of("hello")["mode"] == "sandbox", "a new visitor still gets a session"
        for sid, n in list(changed.items())[:3] + list(changed.items())[-3:]:  # evicted ones come back from the store
            with Client(f"{srv.url}/ws/toy?session={sid}") as c:
                assert c.next_of("hello")["session"] == sid
                assert c.next_of("frame")["iteration"] == n


def test_only_open_pages_fill_the_server_and_one_client_cannot_take_them_all(settings: Settings) -> None:
    with LiveServer(settings.replace(max_sessions=4, max_pages_per_client=2,
                                     client_ip_header="X-Forwarded-For")) as srv:
        def page(addr: str) -> Client:
            return Client(f"{srv.url}/ws/toy", headers={"X-Forwarded-For": f"10.0.0.99, {addr}"})

        a1, a2 = page("10.0.0.1"), page("10.0.0.1")
        assert a1.next_of("hello") and a2.next_of("hello")
        with page("10.0.0.1") as a3:
            err = a3.next_of("error")
            assert "too many open pages from your address" in err["message"]
            assert "NNP_MAX_PAGES_PER_CLIENT" in err["message"]
        b1, b2 = page("10.0.0.2"), page("10.0.0.2")  # another client: its own budget
        assert b1.next_of("hello") and b2.next_of("hello")
        for c in (a1, a2, b1, b2):
            c.send({"type": "step", "n": 2})  # changed: these are saved before they may leave memory
            c.frame_where(lambda f: f["iteration"] == 2)
        with page("10.0.0.3") as c3:
            err = c3.next_of("error")
            assert "full" in err["message"] and "4 of 4 sessions have a page open" in err["message"]
        a1.ws.close()
        gone, deadline = srv.app.state.registry.sessions[a1.hello["session"]], time.monotonic() + 15
        while srv.app.state.registry.watched(gone):  # the server hears of the close a moment after the client closed
            assert time.monotonic() < deadline, "the server never saw the page close"
            time.sleep(0.05)
        with page("10.0.0.3") as c3:  # a closed page's session is saved and makes room
            assert c3.next_of("hello")["mode"] == "sandbox"
        with page("10.0.0.1") as again:
            assert again.next_of("hello")["session"] != a1.hello["session"]
        for c in (a2, b1, b2):
            c.ws.close()


def _damage(db: Path, marker: str) -> bytes:
    """Break the chain pointer of the overflow page holding `marker`, one in the middle of a long row (SQLite then
    reports a malformed database when the row is read); returns that page as it is after the damage."""
    data = bytearray(db.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    at = data.index(marker.encode())
    start = at - at % page
    assert start > 0 and data[start] == 0, "the marker must lie in an overflow page"
    data[start:start + 4] = b"\xff\xff\xff\xf0"  # the next-overflow-page number: far beyond the file
    db.write_bytes(bytes(data))
    return bytes(data[start:start + page])


def test_a_damaged_row_gives_a_clear_error_and_a_fresh_session_and_stays_as_it_was(
        settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    db = Path(settings.db_path)
    with LiveServer(settings) as srv, Client(f"{srv.url}/ws/toy") as c:
        sid = c.next_of("hello")["session"]
        c.send({"type": "step", "n": 4})
        c.frame_where(lambda f: f["iteration"] == 4)
    with sqlite3.connect(db) as con:  # a long state, so that part of the row lives in an overflow page
        state = con.execute("SELECT state FROM sessions WHERE id = ?", (sid,)).fetchone()[0]
        marker = "DAMAGE-HERE-" + sid
        padded = state[:-1] + ',"pad":"' + "p" * 5000 + marker + "q" * 9000 + '"}'
        con.execute("UPDATE sessions SET state = ? WHERE id = ?", (padded, sid))
    sqlite3.connect(db).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    damaged_page = _damage(db, marker)
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(db).execute("SELECT state FROM sessions WHERE id = ?", (sid,)).fetchone()

    with LiveServer(settings.replace(save_every_s=0.2)) as srv:
        with Client(f"{srv.url}/ws/toy?session={sid}") as c:
            hello = c.next_of("hello")
            assert hello["session"] != sid, "a fresh session, under a new id"
            err = c.next_of("error")
            assert "could not read your saved session" in err["message"] and "DatabaseError" in err["message"]
            c.send({"type": "step", "n": 2})  # the fresh session works, and is saved beside the damaged row
            c.frame_where(lambda f: f["iteration"] == 2)
        with Client(f"{srv.url}/ws/toy?session={sid}") as again:  # and again: told again, never a dropped socket
            assert again.next_of("hello")["session"] != sid
            assert "could not read" in again.next_of("error")["message"]
        with Client(f"{srv.url}/ws/toy?fork={sid}") as fork:
            assert fork.next_of("hello")["mode"] == "sandbox"
            assert "the session you opened a copy of" in fork.next_of("error")["message"]
        srv.app.state.registry.store.save([])  # nothing; the store itself still answers
    told = [r for r in caplog.records if r.name == "nnp.sessions" and sid in r.getMessage()]
    assert len(told) == 3 and all(r.exc_info is None for r in told), "one line per failed read, no traceback"
    assert "DatabaseError" in told[0].getMessage() and "kept as it is" in told[0].getMessage()
    data = db.read_bytes()
    assert damaged_page in data, "the damaged row is kept as it was, for whoever looks into it"
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT COUNT(*) FROM sessions WHERE id = ?", (sid,)).fetchone()[0] == 1
        assert con.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] >= 2


def test_an_empty_store_file_says_so(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    Path(settings.db_path).write_bytes(b"")
    with LiveServer(settings) as srv, Client(f"{srv.url}/ws/toy") as c:
        assert c.next_of("hello")["mode"] == "sandbox"
    assert any("is an empty file (0 bytes)" in r.getMessage() for r in caplog.records if r.name == "nnp.store")


# uvicorn ends a failed start-up with sys.exit(3) in the server's own thread: that exit is what the test expects
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_an_unreadable_store_file_is_refused_at_start_up(settings: Settings) -> None:
    Path(settings.db_path).write_bytes(b"not a database, and long enough to be read as a header" * 100)
    srv = LiveServer(settings)
    srv.thread.start()
    srv.thread.join(30)
    assert not srv.server.started, "the server must not start on a store it cannot read"
    assert Path(settings.db_path).read_bytes().startswith(b"not a database"), "and must leave the file as it was"


def test_a_save_the_store_refuses_is_told_once_and_the_others_are_saved(
        settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    with LiveServer(settings.replace(save_every_s=0.1)) as srv, Client(f"{srv.url}/ws/toy") as bad, \
            Client(f"{srv.url}/ws/toy") as good:
        store = srv.app.state.registry.store
        bad_id, good_id = bad.next_of("hello")["session"], good.next_of("hello")["session"]
        real_save = store.save

        def save(rows: list[tuple[str, str, str]]) -> None:  # a damaged page under this one row, as SQLite says it
            if any(r[0] == bad_id for r in rows):
                raise sqlite3.DatabaseError("database disk image is malformed")
            real_save(rows)

        store.save = save
        for c in (bad, good):
            c.send({"type": "step", "n": 5})
        err = bad.next_of("error")
        assert "could not save your session (DatabaseError: database disk image is malformed)" in err["message"]
        bad.send({"type": "step", "n": 1})  # changed again: saving is retried, quietly
        bad.frame_where(lambda f: f["iteration"] == 6)
        deadline = time.monotonic() + 10
        while store.load(good_id) is None:
            assert time.monotonic() < deadline, "the other session was never saved"
            time.sleep(0.1)
        time.sleep(0.5)
        assert store.load(bad_id) is None
        with pytest.raises((TimeoutError, AssertionError)):  # no second error for the same problem
            bad.next_of("error", timeout=1)
    told = [r for r in caplog.records if r.name == "nnp.sessions" and bad_id in r.getMessage()]
    assert len(told) == 1 and told[0].exc_info is None, "one log line, however many rounds retried"
