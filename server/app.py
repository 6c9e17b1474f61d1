"""create_app(): the FastAPI app with its engine, session registry, pages and websocket."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import torch
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from models.registry import DEMOS, PLANNED
from server import ws
from server.config import Settings
from server.engine import Engine
from server.sessions import Registry

ROOT = Path(__file__).resolve().parent.parent


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    device = settings.torch_device()
    torch.set_num_threads(settings.torch_threads)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = Engine(slice_s=settings.slice_ms / 1000)
        app.state.registry = Registry(settings, engine, device)
        engine.start()
        try:
            yield
        finally:
            engine.stop()

    app = FastAPI(title="nn-playground", lifespan=lifespan)
    app.state.settings = settings
    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
    templates = Jinja2Templates(directory=ROOT / "templates")

    @app.get("/", response_class=HTMLResponse)
    async def index(request: Request) -> HTMLResponse:
        demos = [{"slug": slug, "title": title, "blurb": blurb, "ready": slug in DEMOS}
                 for slug, title, blurb in PLANNED]
        return templates.TemplateResponse(request, "index.html", {"demos": demos, "device": device})

    @app.get("/demos/{name}", response_class=HTMLResponse)
    async def demo_page(request: Request, name: str) -> HTMLResponse:
        planned = {slug: (title, blurb) for slug, title, blurb in PLANNED}
        if name not in DEMOS:
            if name in planned:
                return templates.TemplateResponse(request, "soon.html", {"title": planned[name][0], "slug": name})
            raise HTTPException(404, f"no demo {name!r}")
        cls = DEMOS[name]
        return templates.TemplateResponse(request, f"demos/{name}.html",
                                          {"demo": cls, "title": cls.title, "slug": name, "device": device})

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

    @app.get("/healthz")
    async def healthz() -> dict[str, object]:
        reg: Registry = app.state.registry
        return {"ok": True, "device": device, "sessions": len(reg.sessions)}

    app.include_router(ws.router)
    return app
