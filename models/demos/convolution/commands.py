"""Demo 5's commands: draw and label images, add a class, shape the tiny CNN, look inside it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from models.command import Command
from models.demos.convolution import images as conv_images
from models.demos.convolution import slides as conv_slides
from models.demos.convolution.cnn import MAX_FILTERS, MAX_HIDDEN

N = conv_slides.SIZE


class SetPixel(Command):
    """One pixel of one image: +1 (stroke) or -1 (background). The page sends the value, not "flip", so a drag
    that passes a cell twice, or a command sent twice, draws the same image."""

    type: Literal["pixel"] = "pixel"
    image: int = Field(ge=0, lt=conv_images.MAX_IMAGES)
    row: int = Field(ge=0, lt=N)
    col: int = Field(ge=0, lt=N)
    value: Literal[-1, 1]


class SetImage(Command):
    """Replace one image's pixels: 81 characters row by row, "1" stroke, "0" background (clear is all "0")."""

    type: Literal["set_image"] = "set_image"
    image: int = Field(ge=0, lt=conv_images.MAX_IMAGES)
    pixels: str = Field(pattern=r"^[01]{81}$")


class AddImage(Command):
    """A new image of class `label`, blank or from `pixels`; it comes last."""

    type: Literal["add_image"] = "add_image"
    label: int = Field(ge=0)
    pixels: str | None = Field(default=None, pattern=r"^[01]{81}$")


class LabelImage(Command):
    type: Literal["label"] = "label"
    image: int = Field(ge=0, lt=conv_images.MAX_IMAGES)
    label: int = Field(ge=0)


class RemoveImage(Command):
    type: Literal["remove_image"] = "remove_image"
    image: int = Field(ge=0, lt=conv_images.MAX_IMAGES)


class AddClass(Command):
    """A class of the students' own; the softmax grows one output, so the network starts over."""

    type: Literal["add_class"] = "add_class"
    name: str = Field(min_length=1, max_length=conv_images.MAX_NAME)


class Configure(Command):
    """The network's shape and start: filters, dense hidden units (0: none), random or the slides' filters."""

    type: Literal["configure"] = "configure"
    filters: int = Field(default=3, ge=1, le=MAX_FILTERS)
    hidden: int = Field(default=0, ge=0, le=MAX_HIDDEN)
    init: Literal["random", "slides"] = "random"


class Inspect(Command):
    """Show what stimulates a filter or a class most; "none" clears it."""

    type: Literal["inspect"] = "inspect"
    what: Literal["filter", "class", "none"]
    index: int = Field(default=0, ge=0, le=MAX_FILTERS)


COMMANDS: tuple[type[BaseModel], ...] = (SetPixel, SetImage, AddImage, LabelImage, RemoveImage, AddClass, Configure,
                                         Inspect)
