"""create_app(): the FastAPI app with its engine, sessions, rooms, save loop, pages and websocket."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import torch
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from models.demo import Demo
from models.registry import DEMOS, ordered, warm_up
from server import lecture_api, rooms_api, ws
from server.config import Settings
from server.engine import Engine
from server.frames import FramePump, stop
from server.guard import Lookups, OriginGuard, Pages, RoomCodeGuard
from server.hub import RoomHub
from server.pacing import ROUND_SHARE
from server.room_expiry import RoomExpiry
from server.rooms import MemoryRooms, RoomBackend
from server.sessions import Registry
from server.store import Store


def asset_dir(name: str) -> Path:
    """static/ or templates/: inside the installed package (a wheel puts them there), else beside server/ (a
    checkout, where they stay top-level folders)."""
    here = Path(__file__).resolve().parent
    for d in (here / name, here.parent / name):
        if d.is_dir():
            return d
    raise RuntimeError(f"nn-playground: no {name}/ folder in {here} or {here.parent}: a broken install")


def room_backend(settings: Settings, store: Store | None) -> RoomBackend:
    if settings.redis_url:
        from server.redis_rooms import RedisRooms

        return RedisRooms(settings.redis_url)
    return MemoryRooms(store)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    # Every session's network lives on the CPU: one tiny network trains fastest there (the fused loop) and a frame
    # reads it without a device copy. A GPU, when there is one, trains groups of same-shaped sessions at once.
    device, shown = "cpu", settings.describe_device()
    torch.set_num_threads(settings.torch_threads)
    lookups = Lookups(settings.room_misses_per_min)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(settings.db_path) if settings.db_path else None
        # A running session's frame changes once per engine round: the pump keeps a full round just under one
        # frame interval (its own, which grows when the server is loaded), so every session changes every frame.
        engine = Engine(slice_s=settings.slice_ms / 1000, round_s=ROUND_SHARE / settings.fps,
                        batch_device=settings.batch_device(), batch_min=settings.batch_min)
        registry = Registry(settings, engine, device, store)
        pump = FramePump(settings.fps, settings.min_fps, engine)
        hub = RoomHub(room_backend(settings, store), registry, pump, settings)
        app.state.registry, app.state.pump, app.state.rooms = registry, pump, hub
        app.state.room_expiry = expiry = RoomExpiry(hub, lookups, settings)
        engine.start()
        app.state.warm = False  # /healthz says when the compiled kernels are loaded (a readiness probe can wait)

        def warm() -> None:
            warm_up(device)
            app.state.warm = True

        threading.Thread(target=warm, name="nnp-warm-up", daemon=True).start()
        await hub.start()
        tasks = [asyncio.create_task(pump.run()), asyncio.create_task(registry.autosave()),
                 asyncio.create_task(expiry.run())]
        try:
            yield
        finally:
            for t in tasks:
                await stop(t)
            await hub.close()
            engine.stop()  # no more training: what is saved now is what the pages showed last
            await registry.save()
            if store is not None:
                store.close()

    app = FastAPI(title="nn-playground", lifespan=lifespan)
    app.state.settings = settings
    # A hosted server's guards (server/guard.py): open pages per client, room codes tried, the Origin of a page.
    app.state.pages, app.state.lookups = Pages(settings.max_pages_per_client), lookups
    app.add_middleware(RoomCodeGuard, settings=settings, lookups=lookups)
    app.add_middleware(OriginGuard, settings=settings)
    app.mount("/static", StaticFiles(directory=asset_dir("static")), name="static")
    templates = Jinja2Templates(directory=asset_dir("templates"))
    app.state.templates = templates

    @app.get("/", response_class=HTMLResponse)
    async def index(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(request, "index.html", {"demos": ordered(), "device": shown})

    @app.get("/demos/{name}", response_class=HTMLResponse)
    async def demo_page(request: Request, name: str) -> HTMLResponse:
        if name not in DEMOS:
            raise HTTPException(404, f"no demo {name!r}")
        cls = DEMOS[name]
        return templates.TemplateResponse(request, f"demos/{name}.html",
                                          {"demo": cls, "title": cls.title, "slug": name, "device": shown,
                                           "solvable": cls.solved is not Demo.solved})

    @app.get("/demos/{name}/{filename}")
    async def download(name: str, filename: str, session: str) -> Response:
        """A file a demo offers from a session's state (the decision-boundary points as CSV, ...)."""
        reg: Registry = app.state.registry
        s = reg.sessions.get(session)
        if s is None or s.demo.name != name:
            raise HTTPException(404, f"no {name} session {session!r}")
        try:
            with s.lock:
                media_type, text = s.demo.download(filename)
        except KeyError as e:
            raise HTTPException(404, str(e.args[0])) from None
        return Response(text, media_type=media_type,
                        headers={"Content-Disposition": f'attachment; filename="{name}-{filename}"'})

    @app.get("/api/lessons/{name}")
    async def lessons(name: str) -> dict[str, object]:
        """A demo's lecture, step by step, for the step bar (models/lesson.py)."""
        if name not in DEMOS:
            raise HTTPException(404, f"no demo {name!r}; there are {', '.join(DEMOS)}")
        return {"demo": name, "steps": [step.public() for step in DEMOS[name].lesson]}

    @app.get("/healthz")
    async def healthz() -> dict[str, object]:
        reg: Registry = app.state.registry
        pump: FramePump = app.state.pump
        return {"ok": True, "device": shown, "sessions": len(reg.sessions),
                "running": sum(1 for s in reg.sessions.values() if s.runnable),
                # how the server copes: the frame rate it paces pages at, and training's share of a round
                "fps": round(1.0 / pump.interval, 1), "training_duty": round(reg.engine.duty, 2),
                "training_rounds": reg.engine.rounds, "warm": app.state.warm}

    app.include_router(ws.router)
    app.include_router(rooms_api.router)
    app.include_router(lecture_api.router)
    return app
