"""Demo 1, the shadow autoencoder: 10 -> 3 -> 10 sigmoid, then a softmax head on the frozen encoder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import torch
from pydantic import BaseModel, Field

from models.command import Command
from models.data import shadows
from models.demo import Demo, FitJob, Script, Train
from models.demos.autoencoder.lesson import LESSON
from models.fixed import Fixed
from models.nn import view
from models.nn.mlp import MLP, MLPSpec
from models.nn.probes import max_stimulus

_CLASSES = Fixed(shadows.ANIMALS)  # the classifier's outputs, in order


@dataclass
class AutoencoderConfig:
    hidden: int = 3  # the neck: three neurons for three animals (lecture)
    init_scale: float = 0.3  # small uniform weights, so the untrained output is about 0.5 everywhere (lecture)
    lr: float = 1.0  # plain backprop on summed squared error; ~1000 iterations to reconstruct (lecture)
    finetune_lr: float = 1.0  # softmax head on the frozen encoder
    autoencode_steps: int = 3000  # the `finetune` preset's first phase
    finetune_max_steps: int = 2000  # give up on fine-tuning after this many iterations


class FineTune(Command):
    """Detach the decoder, freeze the encoder, attach a fresh 3-way softmax head (or go back)."""

    type: Literal["finetune"] = "finetune"
    on: bool = True


class Inspect(Command):
    """Show the input that stimulates a neuron most; layer 0 (an input) clears it."""

    type: Literal["inspect"] = "inspect"
    layer: int = Field(ge=0, le=2)
    unit: int = Field(ge=0, le=16)


class AutoencoderDemo(Demo):
    name = "autoencoder"
    title = "Shadow autoencoder"
    blurb = "Recognise animals from the height of their shadow; look inside the neck."
    order = 1
    default_lr = AutoencoderConfig.lr
    presets: ClassVar[tuple[str, ...]] = ("default", "finetune")
    commands: ClassVar[tuple[type[BaseModel], ...]] = (FineTune, Inspect)
    lesson = LESSON
    default_speed = 300.0  # the first 1,000 iterations ("after only a thousand") take a few seconds to watch

    def build(self) -> None:
        self.cfg = AutoencoderConfig()
        self.train_set = shadows.training_set()
        self.test_set = shadows.test_set()
        self.x, self.labels = shadows.tensors(self.train_set)
        self.test_x, self.test_labels = shadows.tensors(self.test_set)
        self.test_rows = list(self.test_x.numpy())  # each sample's input as a numpy row (a frame's block)
        # the frame's fixed parts, built once (a frame is drawn for every session up to NNP_FPS times a second)
        self.samples_view = Fixed(shadows.frame_view(self.test_set))
        self.training_view = Fixed(s.name for s in self.train_set)
        spec = MLPSpec([shadows.LEVELS, self.cfg.hidden, shadows.LEVELS], ["sigmoid", "sigmoid"],
                       init_scale=self.cfg.init_scale)
        self.autoencoder = MLP.create(spec, self.seed, self.device)
        self.classifier: MLP | None = None
        self.encoder_at_finetune: torch.Tensor | None = None
        self.finetune_steps = 0
        self.inspected: tuple[int, int] | None = None

    # ------------------------------------------------------------------ phases
    @property
    def phase(self) -> str:
        return "finetune" if self.classifier is not None else "autoencode"

    @property
    def net(self) -> MLP:
        return self.classifier if self.classifier is not None else self.autoencoder

    def start_finetune(self) -> None:
        spec = MLPSpec([shadows.LEVELS, self.cfg.hidden, len(shadows.ANIMALS)], ["sigmoid", "linear"], loss="ce",
                       init_scale=0.01)  # a near-zero head: every class starts at about 1/3 (lecture)
        head = MLP.create(spec, self.seed + 1, self.device)
        head.weights[0].copy_(self.autoencoder.weights[0])
        head.biases[0].copy_(self.autoencoder.biases[0])
        head.frozen = [True, False]
        self.classifier = head
        self.encoder_at_finetune = head.flat[: head.spec.layout()[1][0]].clone()
        self.finetune_steps = 0
        self.lr = self.cfg.finetune_lr

    def apply(self, command: BaseModel) -> None:
        match command:
            case FineTune():
                if command.on and self.classifier is None:
                    self.start_finetune()
                elif not command.on and self.classifier is not None:
                    self.classifier = None
                    self.lr = self.cfg.lr
                self.inspected = None
            case Inspect():
                if command.layer == 0:
                    self.inspected = None
                    return
                n_layers = self.net.spec.n_layers
                if command.layer > n_layers or command.unit >= self.net.spec.sizes[command.layer]:
                    raise ValueError(f"no neuron {command.unit} in layer {command.layer} of {self.net.spec.sizes}")
                self.inspected = (command.layer, command.unit)
            case _:
                super().apply(command)

    # ------------------------------------------------------------------ training
    def train(self, n: int) -> torch.Tensor:
        job = self.fit_job()
        errors = job.net.fit(job.x, job.y, n, job.lr)
        job.done(n)
        return errors

    def fit_job(self) -> FitJob:
        if self.classifier is not None:
            return FitJob(self.classifier, self.x, self.labels, self.lr, 0, self._trained_head)
        return FitJob(self.autoencoder, self.x, self.x, self.lr, 0, self.trained)

    def _trained_head(self, n: int) -> None:
        self.iteration += n
        self.finetune_steps += n

    @torch.no_grad()
    def test_accuracy(self) -> float:
        assert self.classifier is not None, "accuracy needs the fine-tuned classifier (phase 'finetune')"
        pred = self.classifier.predict(self.test_x).argmax(dim=1)
        return float((pred == self.test_labels.argmax(dim=1)).double().mean())

    @torch.no_grad()
    def reconstruction_error(self) -> float:
        return self.autoencoder.error(self.x, self.x)

    @torch.no_grad()
    def matches(self) -> bool:
        """Whether the output column matches the desired one for every animal: each level on the right side of 0.5."""
        return bool(((self.autoencoder.predict(self.x) - self.x).abs() < 0.5).all())

    def stimuli(self) -> dict[str, list[str]]:
        """Each hidden unit's most stimulating input (levels bottom up, 1 = shadow) and what it looks like: an
        animal's shadow, a shadow of another height, or no shadow at all (not one column from the ground up)."""
        patterns, looks = [], []
        for unit in range(self.cfg.hidden):
            pattern, _, _ = max_stimulus(self.autoencoder, 1, unit)
            bits = "".join("1" if v > 0.5 else "0" for v in pattern)
            height = bits.count("1")
            if bits != "1" * height + "0" * (shadows.LEVELS - height):
                looks.append("no shadow")
            elif height in shadows.HEIGHTS:
                looks.append(shadows.ANIMALS[shadows.HEIGHTS.index(height)])
            else:
                looks.append(f"a shadow of height {height}")
            patterns.append(bits)
        return {"stimuli": patterns, "stimuli_look_like": looks}

    def encoder_max_change(self) -> float:
        assert self.classifier is not None and self.encoder_at_finetune is not None, "not fine-tuning"
        now = self.classifier.flat[: self.encoder_at_finetune.numel()]
        return float((now - self.encoder_at_finetune).abs().max())

    # ------------------------------------------------------------------ views
    def snapshot(self, selected: int) -> dict[str, Any]:  # no torch.no_grad: its enter and exit cost more than
        # this numpy-side snapshot, and no parameter tracks gradients (MLP.gradient works on a detached copy)
        selected = min(max(selected, 0), len(self.test_set) - 1)
        x = self.test_rows[selected]
        net = self.net_snapshot(self.net, x)
        extra: dict[str, Any] = {
            "phase": self.phase,
            "samples": self.samples_view,
            "training": self.training_view,
            "classes": _CLASSES,
            "selected": selected,
        }
        if self.classifier is None:
            v = net["values"]  # the input's copy and the output in the network's block: no blocks of their own
            extra["columns"] = {"input": v[0], "output": v[-1], "desired": v[0]}
        else:
            probs = view.predict(self.classifier, self.test_x)
            extra["probs"] = probs.tolist()
            extra["accuracy"] = float((probs.argmax(axis=1) == self.test_labels.argmax(dim=1).numpy()).mean())
            extra["encoder_max_change"] = self.encoder_max_change()
            extra["finetune_steps"] = self.finetune_steps
            extra["finetuned"] = self.finetuned()
        if self.inspected is not None:
            layer, unit = self.inspected
            pattern, value, how = max_stimulus(self.net, layer, unit)
            extra["stimulus"] = {"layer": layer, "unit": unit, "pattern": pattern, "value": value, "method": how}
        return {"net": net, **extra}

    # ------------------------------------------------------------------ lesson
    def results(self) -> dict[str, Any]:
        out: dict[str, Any] = {"phase": self.phase, "reconstruction_mse": self.reconstruction_error(),
                               "matches": self.matches(), **self.stimuli()}
        if self.classifier is not None:
            out.update(accuracy=self.test_accuracy(), finetune_steps=self.finetune_steps,
                       encoder_max_change=self.encoder_max_change())
        return out

    def script(self, steps: int | None) -> Script:
        yield Train(steps if steps is not None else self.cfg.autoencode_steps, label="autoencode")
        if self.preset == "finetune":
            yield FineTune()
            yield Train(self.cfg.finetune_max_steps, until=self.finetuned, label="finetune", check_every=1)

    def solved(self) -> bool:
        """Fine-tuning has done its job (the autoencoder alone has no "solved": it just reconstructs better)."""
        return self.classifier is not None and self.finetuned()

    @torch.no_grad()
    def finetuned(self) -> bool:
        """Every test shadow classified right, and the training shadows with confidence (error < 0.01)."""
        assert self.classifier is not None, "not fine-tuning"
        return self.test_accuracy() == 1.0 and self.classifier.error(self.x, self.labels) < 0.01

    # ------------------------------------------------------------------ persistence
    def state(self) -> dict[str, Any]:
        out = super().state()
        out["autoencoder"] = self.autoencoder.state()
        out["classifier"] = self.classifier.state() if self.classifier is not None else None
        out["finetune_steps"] = self.finetune_steps
        out["inspected"] = self.inspected
        return out

    def load(self, state: dict[str, Any]) -> None:
        super().load(state)
        self.autoencoder.load(state["autoencoder"])
        if state["classifier"] is not None:
            self.start_finetune()
            self.classifier.load(state["classifier"])
            self.lr = state["lr"]
        self.finetune_steps = state["finetune_steps"]
        self.inspected = tuple(state["inspected"]) if state["inspected"] else None
