"""HTTP for rooms and links: open, push, close, gallery (lecturer key in `X-Room-Key`), share, and the pages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Header, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel, Field

from server.cards import aggregates
from server.hub import RoomHub
from server.rooms import RoomError, normalise
from server.sessions import LimitReached, Registry, StoreError

router = APIRouter()


class OpenRoom(BaseModel):
    session: str = Field(min_length=1, max_length=64)


def _hub(request: Request) -> RoomHub:
    return request.app.state.rooms


def _fail(e: RoomError) -> HTTPException:
    return HTTPException(e.status, str(e))


@router.post("/api/rooms", status_code=201)
async def open_room(body: OpenRoom, request: Request) -> dict[str, Any]:
    """Open a room led by this session. The key is in this answer only: the lecturer's page keeps it."""
    try:
        room, key = await _hub(request).open(body.session)
    except RoomError as e:
        raise _fail(e) from None
    except LimitReached as e:
        raise HTTPException(503, str(e)) from None
    return {"code": room.code, "key": key, "demo": room.demo, "join": f"/join/{room.code}",
            "gallery": f"/rooms/{room.code}/gallery"}


@router.get("/api/rooms/{code}")
async def room_info(code: str, request: Request) -> dict[str, Any]:
    try:
        room = await _hub(request).room(code)
    except RoomError as e:
        raise _fail(e) from None
    return {**room.public(), "join": f"/join/{room.code}"}


@router.post("/api/rooms/{code}/push")
async def push(code: str, request: Request, x_room_key: str | None = Header(default=None)) -> dict[str, Any]:
    try:
        return {"students": await _hub(request).push(code, x_room_key)}
    except RoomError as e:
        raise _fail(e) from None


@router.get("/api/rooms/{code}/gallery")
async def gallery(code: str, request: Request, x_room_key: str | None = Header(default=None)) -> dict[str, Any]:
    """The dashboard: every student sandbox of the room (what each did), and the class aggregates per demo."""
    try:
        students = await _hub(request).gallery(code, x_room_key)
        room = await _hub(request).room(code)
    except RoomError as e:
        raise _fail(e) from None
    return {"code": normalise(code), "room": room.public(), "students": students, "aggregates": aggregates(students)}


@router.delete("/api/rooms/{code}")
async def close_room(code: str, request: Request, x_room_key: str | None = Header(default=None)) -> dict[str, Any]:
    try:
        await _hub(request).close_room(code, x_room_key)
    except RoomError as e:
        raise _fail(e) from None
    return {"closed": normalise(code)}


@router.post("/api/sessions/{session_id}/share")
async def share(session_id: str, request: Request) -> dict[str, Any]:
    """A frozen copy of the session, opened as a new session by whoever gets the link (never the original)."""
    registry: Registry = request.app.state.registry
    try:
        sid = await registry.share(session_id)
        state = await registry.load_state(sid)
    except KeyError as e:
        raise HTTPException(404, str(e.args[0])) from None
    except StoreError as e:
        raise HTTPException(503, str(e)) from None
    demo = state["demo"] if state else ""
    return {"fork": sid, "url": f"/demos/{demo}?fork={sid}"}


# ---------------------------------------------------------------- pages
@router.get("/join", response_class=HTMLResponse, response_model=None)
async def join_form(request: Request, code: str | None = None) -> HTMLResponse | RedirectResponse:
    if code:
        return RedirectResponse(f"/join/{normalise(code)}", status_code=303)
    return request.app.state.templates.TemplateResponse(request, "join.html", {"error": None})


@router.get("/rooms/{code}/gallery", response_class=HTMLResponse, response_model=None)
async def gallery_page(code: str, request: Request) -> HTMLResponse | JSONResponse:
    """The lecturer's gallery; its script reads the key from this browser's storage (or the URL's #key=)."""
    try:
        room = await _hub(request).room(code)
    except RoomError as e:
        return JSONResponse({"detail": str(e)}, status_code=e.status)
    return request.app.state.templates.TemplateResponse(request, "gallery.html",
                                                        {"code": room.code, "demo": room.demo})
