"""The wire protocol: pydantic command models (one union tagged by "type") and frame encoding."""

from __future__ import annotations

import json
import math
from functools import cache
from typing import Annotated, Any, Literal, Union

import orjson
from pydantic import BaseModel, Field, TypeAdapter, ValidationError, field_validator

from models.command import Command
from models.demo import Demo

# printing floats is most of what a frame costs; orjson does it an order of magnitude faster than json
_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


class Play(Command):
    """Train on at the set speed; with `n` ("Train N"), pause again n iterations from now."""

    type: Literal["play"] = "play"
    n: int | None = Field(default=None, ge=1, le=100_000)


class Pause(Command):
    type: Literal["pause"] = "pause"


class Step(Command):
    """Train n iterations now, then stay paused."""

    type: Literal["step"] = "step"
    n: int = Field(default=1, ge=1, le=100_000)


class Reset(Command):
    """New random init from `seed` (default: the current one); what the user added is kept."""

    type: Literal["reset"] = "reset"
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)


class SetParams(Command):
    """Change the learning rate, the speed (iterations per second, 0 = as fast as possible), the iteration to
    pause at (0 = none) and whether to pause as soon as the task is solved."""

    type: Literal["set"] = "set"
    lr: float | None = None
    speed: float | None = Field(default=None, ge=0, le=1e9)
    stop_at: int | None = Field(default=None, ge=0, le=10**9)
    pause_solved: bool | None = None

    @field_validator("lr")
    @classmethod
    def _finite_lr(cls, v: float | None) -> float | None:
        if v is not None and not (math.isfinite(v) and v > 0):
            raise ValueError("lr must be a finite number above 0")
        return v


class Select(Command):
    """Which test sample the page shows neuron values for."""

    type: Literal["select"] = "select"
    sample: int = Field(ge=0, le=100_000)


class Preset(Command):
    """Rebuild the demo from one of its presets."""

    type: Literal["preset"] = "preset"
    name: str = Field(max_length=64)


class Lesson(Command):
    """Go to step `step` (1-based) of the demo's lesson: its state rebuilt exactly, its training started."""

    type: Literal["lesson"] = "lesson"
    step: int = Field(ge=1, le=100)


class Bookmark(Command):
    """Mark this moment (server.bookmarks): the session's whole state, to jump back to exactly."""

    type: Literal["bookmark"] = "bookmark"
    name: str | None = Field(default=None, min_length=1, max_length=40)


class Jump(Command):
    """Go back to bookmark `index` (0-based, as in the frame's `bookmarks`), exactly as it was; paused."""

    type: Literal["jump"] = "jump"
    index: int = Field(ge=0, le=100)


class Unbookmark(Command):
    """Forget bookmark `index`, or every one (no index)."""

    type: Literal["unbookmark"] = "unbookmark"
    index: int | None = Field(default=None, ge=0, le=100)


BOOKMARKING = (Bookmark, Jump, Unbookmark)
COMMON: tuple[type[Command], ...] = (Play, Pause, Step, Reset, SetParams, Select, Preset, Lesson, *BOOKMARKING)


class BadCommand(ValueError):
    """A message that is not a valid command; its text is sent back to the client as an error frame."""


@cache
def adapter(demo: type[Demo]) -> TypeAdapter[Any]:
    """One validator per demo: the common commands plus the demo's own, discriminated by "type"."""
    models = COMMON + tuple(demo.commands)
    for m in demo.commands:
        if not issubclass(m, Command):  # its base refuses unknown fields; a plain BaseModel would ignore them
            raise TypeError(f"{demo.__name__}'s command {m.__name__} must derive from models.command.Command")
    union = Annotated[Union[models], Field(discriminator="type")]  # noqa: UP007 - a runtime-built union
    return TypeAdapter(union)


@cache
def _types(demo: type[Demo]) -> tuple[str, ...]:
    return tuple(m.model_fields["type"].default for m in COMMON + tuple(demo.commands))


def command_types(demo: type[Demo]) -> list[str]:
    return list(_types(demo))  # asked on every command: cached, pydantic's field lookup is not cheap


MAX_DIGITS = 50  # an integer longer than this is no command's, and Python's own limit (4,300) reads as a crash


class Odd:
    """A value JSON let through that no command field takes (NaN, 1e999, a 5,001-digit integer): kept as this, so
    that validation refuses it under its field's name, and says what is wrong with it."""

    def __init__(self, why: str) -> None:
        self.why = why


def _int(text: str) -> int | Odd:
    digits = len(text.lstrip("-"))
    return int(text) if digits <= MAX_DIGITS else Odd(f"a number with {digits:,} digits is too long "
                                                      f"(at most {MAX_DIGITS})")


def _float(text: str) -> float | Odd:
    v = float(text)
    return v if math.isfinite(v) else Odd(f"{text[:40]} is too large for a number")


def _constant(name: str) -> Odd:
    return Odd(f"{name} is not a number: send a finite one")


def _loads(raw: str) -> Any:
    try:
        return json.loads(raw, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except json.JSONDecodeError as e:
        raise BadCommand(f"not JSON: {e}") from None
    except RecursionError:
        raise BadCommand("not a command: nested too deeply") from None


def _shown(v: Any) -> str:
    match v:
        case bool() | None:  # before int: True is an int too
            text = json.dumps(v)
        case int() | float() | str():
            text = repr(v)
        case _:
            text = type(v).__name__
    return text if len(text) <= 40 else text[:37] + "..."


def _problem(err: Any) -> str:
    where = ".".join(str(p) for p in err["loc"][1:]) or "command"
    if isinstance(err["input"], Odd):
        return f"{where}: {err['input'].why}"
    if err["type"] in ("missing", "extra_forbidden"):
        return f"{where}: {err['msg']}"
    return f"{where}: {err['msg']}, got {_shown(err['input'])}"


def parse(demo: type[Demo], raw: str) -> BaseModel:
    """Validate one incoming text message; raises BadCommand with a message a person can act on (the field and
    the rule). Types are strict: `true` is no number and `"yes"` no boolean; an integer is a number. (Strict
    Python mode: a tuple field would want JSON's array turned into a tuple first; no command has one.)"""
    data = _loads(raw)
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise BadCommand('a command is a JSON object with a string "type"')
    if data["type"] not in _types(demo):
        raise BadCommand(f"unknown command {_shown(data['type'])}; {demo.name} accepts "
                         f"{', '.join(command_types(demo))}")
    try:
        return adapter(demo).validate_python(data, strict=True)
    except ValidationError as e:
        raise BadCommand(f"bad {data['type']!r} command: {'; '.join(_problem(err) for err in e.errors())}") from None


def encode(message: Any) -> str:
    """Frames are JSON text; NaN and infinities (a diverged run) become null rather than invalid JSON."""
    try:
        return orjson.dumps(message, option=_ORJSON_OPTIONS).decode()  # NaN and infinities print as null
    except TypeError:
        pass  # what orjson does not take (an integer past 64 bits): the standard library prints it, or says why
    try:  # all finite: json's C encoder; only a diverged run pays for the walk
        return json.dumps(message, separators=(",", ":"), allow_nan=False)
    except ValueError:
        return json.dumps(_finite(message), separators=(",", ":"))


def _finite(v: Any) -> Any:
    match v:
        case float():
            return v if math.isfinite(v) else None
        case dict():
            return {k: _finite(x) for k, x in v.items()}
        case list() | tuple():
            return [_finite(x) for x in v]
        case _:
            return v


def error(message: str, command: str | None = None) -> dict[str, Any]:
    return {"type": "error", "message": message, "command": command}
