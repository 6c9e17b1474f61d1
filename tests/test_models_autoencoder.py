"""Demo 1's lesson, reproduced on the model: reconstruct, look inside, fine-tune on a frozen encoder."""

from __future__ import annotations

import pytest
import torch

from models.data import shadows
from models.demos.autoencoder.demo import AutoencoderDemo, FineTune, Inspect
from models.nn.probes import all_binary_inputs, max_stimulus


def test_shadows_are_bottom_up_columns() -> None:
    cheetah, zebra, giraffe = shadows.training_set()
    assert cheetah.levels == (1, 1, 1, 0, 0, 0, 0, 0, 0, 0)
    assert sum(zebra.levels) == 6 and sum(giraffe.levels) == 9
    names = [s.name for s in shadows.test_set()]
    assert len(names) == 12 and names[:3] == ["cheetah", "zebra", "giraffe"]


def test_untrained_outputs_are_about_a_half() -> None:
    demo = AutoencoderDemo(seed=0)
    out = demo.autoencoder.predict(demo.test_x)
    assert float((out - 0.5).abs().max()) < 0.15


@pytest.fixture(scope="module")
def trained() -> AutoencoderDemo:
    demo = AutoencoderDemo(seed=0)
    demo.train(3000)
    return demo


def test_reconstructs_after_training(trained: AutoencoderDemo) -> None:
    assert trained.reconstruction_error() < 0.02
    out = trained.autoencoder.predict(trained.x)
    assert torch.equal((out > 0.5).double(), trained.x), "every level of every animal must come back"


@pytest.mark.parametrize("layer,unit", [(1, 0), (1, 1), (1, 2), (2, 0), (2, 5), (2, 9)])
def test_max_stimulus_equals_brute_force(trained: AutoencoderDemo, layer: int, unit: int) -> None:
    pattern, value, _ = max_stimulus(trained.autoencoder, layer, unit)
    xs = all_binary_inputs(10)
    values = trained.autoencoder.forward(xs)[layer][:, unit]
    assert value == pytest.approx(float(values.max()), abs=1e-12)
    assert float(trained.autoencoder.forward(torch.tensor([pattern], dtype=torch.float64))[layer][0, unit]) == \
        pytest.approx(value)


def test_first_layer_stimulus_is_exact_over_the_continuous_box(trained: AutoencoderDemo) -> None:
    """Random points of [0, 1]^10 never beat the corner the exact rule picks."""
    xs = torch.rand(20000, 10, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    for unit in range(3):
        _, value, method = max_stimulus(trained.autoencoder, 1, unit)
        assert method == "exact"
        assert float(trained.autoencoder.forward(xs)[1][:, unit].max()) <= value + 1e-12


def test_finetune_freezes_the_encoder_and_reaches_full_accuracy(trained: AutoencoderDemo) -> None:
    demo = AutoencoderDemo(seed=0)
    demo.load(trained.state())
    demo.apply(FineTune())
    probs = demo.classifier.predict(demo.test_x)
    assert float((probs - 1 / 3).abs().max()) < 0.05, "an untrained head gives every class about a third"
    encoder = demo.classifier.weights[0].clone()
    steps = 0
    while not demo.finetuned() and steps < 500:
        demo.train(1)
        steps += 1
    assert demo.test_accuracy() == 1.0
    assert steps < 200, "fine-tuning needs few runs"
    assert torch.equal(demo.classifier.weights[0], encoder)
    assert demo.encoder_max_change() == 0.0


def test_inspect_rejects_a_neuron_that_does_not_exist() -> None:
    demo = AutoencoderDemo(seed=0)
    with pytest.raises(ValueError, match="no neuron"):
        demo.apply(Inspect(layer=1, unit=7))
    assert demo.inspected is None


def test_state_round_trip_keeps_weights_and_phase(trained: AutoencoderDemo) -> None:
    demo = AutoencoderDemo(seed=0)
    demo.load(trained.state())
    demo.apply(FineTune())
    demo.train(5)
    again = AutoencoderDemo(seed=9)
    again.load(demo.state())
    assert again.phase == "finetune" and again.iteration == demo.iteration
    assert torch.equal(again.classifier.flat, demo.classifier.flat)


