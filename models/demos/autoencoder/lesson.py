"""The shadow autoencoder's lecture (6.034), step by step: untrained, trained to 1,000, its neck, the fine-tune."""

from __future__ import annotations

from models.lesson import LessonStep


def _neuron(unit: int, note: str, expect: str) -> LessonStep:
    return LessonStep(title=f"Hidden neuron {unit + 1}: its most stimulating input", note=note, expect=expect,
                      continues=True, commands=({"type": "inspect", "layer": 1, "unit": unit},), view={"panel": "net"})


LESSON: tuple[LessonStep, ...] = (
    LessonStep(
        title="Untrained: every output about 0.5",
        note="Ten shadow levels in, three neurons in the neck, ten levels out; the desired output is the input. "
             "Before training the weights are a random mix of red and green and every output sits near 0.5.",
        expect="iteration 0; every output of every training shadow between 0.35 and 0.65",
        seed=0, view={"panel": "columns"}),
    LessonStep(
        title="Train to 1,000 iterations",
        note="\"After only a thousand iterations\" the output column matches the desired one for each animal: "
             "the error has dropped so far that three neurons carry all three shadows.",
        expect="paused at iteration 1,000; every output of every training shadow within 0.1 of its desired value",
        continues=True, train="to", until=1000, speed=300.0, view={"panel": "columns"}),
    _neuron(0, "What makes this neuron fire most? Levels 4 to 9 on, the bottom three off: a shadow that does not "
               "touch the ground. No animal casts that.",
            "neuron 1's pattern is at least 3 of the 10 levels away from every animal's shadow"),
    _neuron(1, "This one looks like \"short\": the bottom three levels on, the cheetah's shadow (plus the top "
               "level, which no shadow reaches).",
            "neuron 2's pattern is within 1 level of the cheetah's shadow"),
    _neuron(2, "And this one is like nothing again. The encoding is distributed: an encoding, not a picture of "
               "each animal in its own neuron.",
            "neuron 3's pattern is at least 3 of the 10 levels away from every animal's shadow"),
    LessonStep(
        title="Fine-tune: a softmax head on the frozen encoder",
        note="Throw the decoder away, freeze the input-to-hidden weights, attach three softmax outputs and train "
             "only those. Every class starts at about 1/3... \"whoa, that was pretty fast\".",
        expect="every class starts within 0.01 of 1/3; pauses once every test shadow is classified right, "
               "\"fine-tuned in N iterations\" with N under 100; no frozen weight changed",
        continues=True, commands=({"type": "finetune", "on": True},), train="solved", until=2000, speed=4.0,
        view={"panel": "columns"}),
)
