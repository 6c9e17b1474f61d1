"""HTTP and websocket for a room as a lecture: move, step, pause class, spotlight, anonymize, names, the lecturer
key check, the join link and its QR code, the dashboard, and the lecture page every student keeps open."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from models.registry import DEMOS
from server import protocol
from server.connections import Connection
from server.hub import RoomHub
from server.joinurl import public_base, qr_svg
from server.rooms import Room, RoomError
from server.sessions import LimitReached

router = APIRouter()
Key = Annotated[str | None, Header()]  # X-Room-Key: the lecturer key


class Move(BaseModel):
    session: str = Field(min_length=1, max_length=64)


class StepTo(BaseModel):
    step: int = Field(ge=0, le=1000)


class Pace(BaseModel):
    paused: bool


class Spot(BaseModel):
    seat: str | None = Field(default=None, max_length=8)


class Toggle(BaseModel):
    on: bool


def _hub(request: Request) -> RoomHub:
    return request.app.state.rooms


async def _room_call(coro: Any) -> dict[str, Any]:
    try:
        room: Room = await coro
    except RoomError as e:
        raise HTTPException(e.status, str(e)) from None
    except LimitReached as e:
        raise HTTPException(503, str(e)) from None
    return room.public()


@router.post("/api/rooms/{code}/move")
async def move(code: str, body: Move, request: Request, x_room_key: Key = None) -> dict[str, Any]:
    """The lecturer's page on another demo (or back on an earlier one): the room follows that session."""
    return await _room_call(_hub(request).move(code, x_room_key, body.session))


@router.post("/api/rooms/{code}/step")
async def step(code: str, body: StepTo, request: Request, x_room_key: Key = None) -> dict[str, Any]:
    return await _room_call(_hub(request).set_step(code, x_room_key, body.step))


@router.post("/api/rooms/{code}/pace")
async def pace(code: str, body: Pace, request: Request, x_room_key: Key = None) -> dict[str, Any]:
    return await _room_call(_hub(request).pace(code, x_room_key, body.paused))


@router.post("/api/rooms/{code}/spotlight")
async def spotlight(code: str, body: Spot, request: Request, x_room_key: Key = None) -> dict[str, Any]:
    return await _room_call(_hub(request).spotlight(code, x_room_key, body.seat))


@router.post("/api/rooms/{code}/anonymous")
async def anonymous(code: str, body: Toggle, request: Request, x_room_key: Key = None) -> dict[str, Any]:
    return await _room_call(_hub(request).anonymize(code, x_room_key, body.on))


@router.post("/api/rooms/{code}/follow-step")
async def follow_step(code: str, body: Toggle, request: Request, x_room_key: Key = None) -> dict[str, Any]:
    """"Follow my step": while on, students' own sandboxes go to every lesson step the lecturer goes to."""
    return await _room_call(_hub(request).follow_steps(code, x_room_key, body.on))


@router.post("/api/rooms/{code}/key")
async def check_key(code: str, request: Request, x_room_key: Key = None) -> dict[str, Any]:
    """Whether a key is this room's lecturer key (a page checks a key from a link before it keeps it)."""
    return {"lecturer": True, **await _room_call(_hub(request).authorize(code, x_room_key))}


class Name(BaseModel):
    name: str = Field(max_length=200)


NAME_MAX = 24  # characters of a display name on a dashboard card


def clean_name(text: str) -> str | None:
    """A display name as a card shows it: printable characters only, spaces collapsed, at most NAME_MAX; the
    page escapes it (it is set as text, never as markup)."""
    printable = "".join(ch for ch in text if ch.isprintable())
    return " ".join(printable.split())[:NAME_MAX] or None


@router.post("/api/sessions/{session_id}/name")
async def name(session_id: str, body: Name, request: Request) -> dict[str, Any]:
    """A student's display name for their sandbox (whoever has the session id owns it); empty clears it."""
    s = await request.app.state.registry.find(session_id)
    if s is None:
        raise HTTPException(404, f"no session {session_id!r}")
    if not s.room:
        raise HTTPException(409, "only a student sandbox of a room has a display name")
    s.name, s.saved_version = clean_name(body.name), -1  # saved at the next round
    return {"name": s.name}


@router.get("/api/rooms/{code}/join")
async def join_link(code: str, request: Request) -> dict[str, Any]:
    """The join link students can reach, and a note when it is a guess or there is none."""
    room = await _room_call(_hub(request).room(code))
    base, note = public_base(request, request.app.state.settings)
    return {"code": room["code"], "url": f"{base}/join/{room['code']}" if base else None, "note": note,
            "qr": f"/rooms/{room['code']}/qr.svg" if base else None}


@router.get("/rooms/{code}/qr.svg")
async def qr(code: str, request: Request) -> Response:
    room = await _room_call(_hub(request).room(code))
    base, note = public_base(request, request.app.state.settings)
    if base is None:
        return JSONResponse({"detail": note}, status_code=409)
    return Response(qr_svg(f"{base}/join/{room['code']}"), media_type="image/svg+xml",
                    headers={"Cache-Control": "no-store"})


@router.get("/join/{code}", response_class=HTMLResponse)
async def lecture_page(code: str, request: Request) -> HTMLResponse:
    """The student's page for the whole lecture: the room's bar, and the lecturer's current demo below it (live,
    read-only) or one of the student's own sandboxes; it switches when the lecturer moves on, without a reload."""
    templates = request.app.state.templates
    try:
        room = await _hub(request).room(code)
    except RoomError as e:
        return templates.TemplateResponse(request, "join.html", {"error": str(e)}, status_code=e.status)
    titles = {name: cls.title for name, cls in DEMOS.items()}
    return templates.TemplateResponse(request, "lecture.html", {"code": room.code, "room": room.public(),
                                                                "titles": titles})


@router.websocket("/ws/rooms/{code}")
async def lecture_socket(ws: WebSocket, code: str) -> None:
    """Room messages for a lecture page: the room's public state now, then at every change; nothing else."""
    hub: RoomHub = ws.app.state.rooms
    await ws.accept()
    try:
        room = await hub.room(code)
    except RoomError as e:
        await ws.send_text(protocol.encode(protocol.error(str(e))))
        await ws.close(code=1008)
        return
    conn = Connection(ws)
    hub.add_lobby(room.code, conn)
    try:
        await conn.send({"type": "room", **(await hub.room(room.code)).public()})
        while (await ws.receive())["type"] != "websocket.disconnect":
            pass  # a lecture page only listens
    except WebSocketDisconnect:
        pass
    finally:
        hub.remove_lobby(room.code, conn)
        with contextlib.suppress(Exception):
            await ws.close()
