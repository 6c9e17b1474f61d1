"""The registry is the one list of demos: each package in models/demos/ registers itself, and the index page,
the websocket and the lesson API serve a new one with no other list edited."""

from __future__ import annotations

import json
import pkgutil
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from models import demos, registry
from models.registry import DEMOS
from server.app import create_app
from server.config import Settings
from tests.live import receive

MINI = '''
"""A minimal demo: a 2-2-1 sigmoid net learning OR, written as README's "Adding a demo" says."""

from __future__ import annotations

from typing import Any

import torch

from models.demo import Demo
from models.lesson import LessonStep
from models.nn.mlp import MLP, MLPSpec

X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=torch.float64)
Y = torch.tensor([[0.0], [1.0], [1.0], [1.0]], dtype=torch.float64)


class MiniDemo(Demo):
    name = "mini"
    title = "Mini OR"
    blurb = "Two inputs, one OR, for the registry test."
    order = 0
    default_lr = 2.0
    lesson = (LessonStep(title="Untrained", note="Watch it learn OR.", expect="outputs near 0.5"),)

    def build(self) -> None:
        self.net = MLP.create(MLPSpec([2, 2, 1], ["sigmoid", "sigmoid"]), self.seed, self.device)

    def train(self, n: int) -> torch.Tensor:
        losses = self.net.fit(X, Y, n, self.lr)
        self.iteration += n
        return losses

    def snapshot(self, selected: int) -> dict[str, Any]:
        return {"net": self.net_snapshot(self.net, X[selected % 4])}
'''


@pytest.fixture
def mini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """models/demos/mini/ as a package found beside the real ones (in a temporary folder, not the checkout)."""
    (tmp_path / "mini").mkdir()
    (tmp_path / "mini" / "__init__.py").write_text('"""The mini demo."""\n')
    (tmp_path / "mini" / "demo.py").write_text(textwrap.dedent(MINI))
    monkeypatch.setattr(demos, "__path__", [*demos.__path__, str(tmp_path)])
    before = dict(DEMOS)
    try:
        registry.discover()
        yield
    finally:
        DEMOS.clear()
        DEMOS.update(before)
        for name in ("models.demos.mini.demo", "models.demos.mini"):
            sys.modules.pop(name, None)


def test_every_demo_package_is_registered_in_lecture_order() -> None:
    packages = {m.name for m in pkgutil.iter_modules(demos.__path__) if m.ispkg}
    assert set(DEMOS) == packages
    assert [cls.name for cls in registry.ordered()] == ["autoencoder", "sigmoid", "knockout", "boundary", "convolution"]
    assert all(cls.title and cls.blurb for cls in DEMOS.values())


def test_a_new_demo_package_is_served_from_the_registry_alone(mini: None, tmp_path: Path) -> None:
    assert registry.ordered()[0].name == "mini", "order 0 comes before the lecture's first demo"
    app = create_app(Settings(db_path=str(tmp_path / "s.sqlite3"), device="cpu"))
    with TestClient(app) as client:
        index = client.get("/").text
        assert 'href="/demos/mini"' in index and "Mini OR" in index and "for the registry test" in index
        assert index.index("/demos/mini") < index.index("/demos/autoencoder")
        assert client.get("/api/lessons/mini").json()["steps"][0]["title"] == "Untrained"
        with client.websocket_connect("/ws/mini") as ws:
            ws.send_text(json.dumps({"type": "step", "n": 40}))
            for _ in range(100):
                msg = receive(ws)
                if msg["type"] == "frame" and msg["iteration"] == 40:
                    break
            else:
                raise AssertionError("no frame of iteration 40")
            assert msg["demo"]["net"]["sizes"] == [2, 2, 1]


def test_two_demos_may_not_share_a_slug() -> None:
    with pytest.raises(AssertionError, match="two demos are called 'sigmoid'"):
        registry.register(type("Again", (DEMOS["sigmoid"],), {}))
