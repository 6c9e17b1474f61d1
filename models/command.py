"""The base of every command a page sends a demo: a pydantic model tagged by its `type`, no unknown fields."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Command(BaseModel):
    """Subclasses declare `type: Literal["..."] = "..."` (the tag the protocol's union discriminates on) and their
    fields with the bounds a page may send; a field the model does not have is refused, not ignored."""

    model_config = ConfigDict(extra="forbid")
