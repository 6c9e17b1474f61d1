"""Deployment settings, read from NNP_* environment variables (not hyperparameters: those live on the demos).

pydantic-settings reads and checks them: a value that is not of its field's type is refused at start-up with the
variable's name (`from_env`), not taken for the default. An empty variable counts as unset, except NNP_DB_PATH,
whose empty value is the documented way to save nothing."""

from __future__ import annotations

import os

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NNP_", env_ignore_empty=True)

    host: str = "127.0.0.1"  # NNP_HOST
    port: int = 8000  # NNP_PORT
    device: str = "auto"  # NNP_DEVICE: auto | cpu | cuda
    fps: float = 30.0  # NNP_FPS: frames per second sent to each page at most
    min_fps: float = 12.0  # NNP_MIN_FPS: under load frames slow evenly to this, then training yields to them
    slice_ms: float = 8.0  # NNP_SLICE_MS: training time one session gets before the engine moves to the next
    # NNP_MAX_SESSIONS: sessions kept in memory; at the cap the least recently watched one nobody has open is saved
    # and leaves memory (it comes back from the store). Only when every one has an open page is a new one refused.
    max_sessions: int = 500
    # NNP_MAX_PAGES_PER_CLIENT: open sandbox pages one client address may hold (0: no cap), so one client cannot
    # take every session slot. A classroom behind one NAT address shares it: raise it there.
    max_pages_per_client: int = 100
    # NNP_CLIENT_IP_HEADER: behind a reverse proxy, the header it puts the client's address in (X-Forwarded-For,
    # X-Real-IP); its last address is taken. Set it only behind such a proxy: a client can write any header.
    client_ip_header: str = ""
    # NNP_ALLOWED_ORIGINS: comma-separated origins (https://example.org) besides the server's own host whose pages
    # may open websockets and change state; "*" allows every one. Requests without an Origin are not browsers'.
    allowed_origins: str = ""
    # NNP_MAX_MESSAGE_BYTES: the websocket's own message limit, in bytes (uvicorn's ws_max_size): a larger message
    # is never buffered, its connection is closed with code 1009
    max_message_bytes: int = 65536
    max_commands_per_s: float = 50.0  # NNP_MAX_COMMANDS_PER_S: sustained command rate per connection
    command_burst: int = 100  # NNP_COMMAND_BURST: commands allowed in a burst above that rate
    max_points: int = 2000  # NNP_MAX_POINTS: data points one session may hold after a user adds, loads or imports
    max_neurons: int = 400  # NNP_MAX_NEURONS: hidden neurons per network
    idle_expiry_s: float = 3600.0  # NNP_IDLE_EXPIRY_S: a session nobody watches is dropped from memory after this
    # NNP_UNWATCHED_PAUSE_S: a running session no page has shown for this long pauses (0: never), so closed tabs
    # stop taking training time from open ones; a refresh or a dropped connection is back well within it
    unwatched_pause_s: float = 60.0
    db_path: str = "nn-playground.sqlite3"  # NNP_DB_PATH: where sessions are persisted; "" disables persistence
    save_every_s: float = 3.0  # NNP_SAVE_EVERY_S: how often changed sessions are written
    # NNP_ROOM_MISSES_PER_MIN: wrong room codes one client may try in a minute; past it every room lookup from it
    # is refused (429, Retry-After) until the minute has passed. Guessing a code takes years at this rate.
    room_misses_per_min: int = 30
    room_expiry_s: float = 86400.0  # NNP_ROOM_EXPIRY_S: a room nobody used for this long is closed (0: never)
    redis_url: str = ""  # NNP_REDIS_URL: share rooms across processes through Redis pub/sub
    # NNP_PUBLIC_URL: the address students reach this server at (https://playground.example.edu), for the join
    # link and its QR code; empty: the request's forwarded headers, else its host, else this machine's address
    public_url: str = ""
    # NNP_BATCH_MIN: with a GPU, this many running sessions with the same network shape and data size (a class
    # doing one exercise) train together on it, as one batched computation. Fewer train alone on the CPU's fused
    # loop, which beats a GPU's kernel launches for one tiny network by far. An estimate of the break-even
    # point (docs/performance.md), not yet measured on a GPU.
    batch_min: int = 32
    # NNP_TORCH_THREADS: torch's intra-op threads. The networks are tiny: a second thread only spins against the
    # engine (a heatmap pass took 450 ms instead of 11 ms with 2 threads on a busy 2-core machine).
    torch_threads: int = 1

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """The environment's settings, with the command line's `overrides` (None: not given) over them. ValueError
        naming each variable whose value is wrong."""
        given = {k: v for k, v in overrides.items() if v is not None}
        if os.environ.get("NNP_DB_PATH") == "":
            given.setdefault("db_path", "")
        try:
            return cls(**given)
        except ValidationError as e:
            raise ValueError("; ".join(f"NNP_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}, got "
                                       f"{err['input']!r}" for err in e.errors())) from None

    def replace(self, **changes: object) -> Settings:
        """These settings with `changes`, checked as the environment's are (tests build variants of one)."""
        return type(self)(**{**self.model_dump(), **changes})

    def batch_device(self) -> str | None:
        """Where groups of same-shaped sessions train together: the GPU when there is one (or is asked for)."""
        return "cuda" if self.torch_device() == "cuda" else None

    def describe_device(self) -> str:
        gpu = self.batch_device()
        return "cpu" if gpu is None else f"cpu; {self.batch_min}+ same-shaped sessions together on {gpu}"

    def torch_device(self) -> str:
        """cpu or cuda; ValueError for anything else, or for cuda on a machine whose torch sees no GPU."""
        if self.device not in ("auto", "cpu", "cuda"):
            raise ValueError(f"NNP_DEVICE / --device must be auto, cpu or cuda, got {self.device!r}")
        if self.device == "cpu":
            return "cpu"
        import torch

        if self.device == "cuda" and not torch.cuda.is_available():
            raise ValueError("--device cuda (NNP_DEVICE=cuda): torch sees no CUDA GPU here (a CPU-only build of "
                             "torch, or no driver); use --device cpu or auto")
        return "cuda" if torch.cuda.is_available() else "cpu"
