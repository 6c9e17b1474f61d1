"""The slides' notation for sums of sigmoids (`[20,tanh:3,tanh:1,linear]`): parsed, or refused with a reason."""

from __future__ import annotations

import pytest

from models.demos.sigmoid import notation
from models.demos.sigmoid.sum_view import SLIDE_MODELS


def test_the_slides_models_parse() -> None:
    assert notation.parse("[2,tanh:1,linear]").sizes == [1, 2, 1]
    m = notation.parse("[20,tanh:3,tanh:1,linear]")
    assert m.sizes == [1, 20, 3, 1] and m.activations == ["tanh", "tanh", "linear"]
    assert notation.parse(" 20 , TANH : 5,tanh : 1,linear ").text() == "[20,tanh:5,tanh:1,linear]"
    assert notation.parse("[1,linear]").sizes == [1, 1], "no hidden layer: a straight line"
    assert [notation.parse(s).text() for s in SLIDE_MODELS] == list(SLIDE_MODELS)


@pytest.mark.parametrize("bad,message", [
    ("", "empty model"),
    ("[20,tanh:3,tanh:1,linear", "unbalanced"),
    ("[20,tanh:3,tanh]", "must have 1 unit"),
    ("[20,tanh:3]", "layer 2 is '3'"),
    ("[20:1,linear]", "layer 1 is '20'"),
    ("[20,tanh,3:1,linear]", "layer 1"),
    ("[20,softplus:1,linear]", "unknown activation 'softplus'"),
    ("[0,tanh:1,linear]", "at least one unit"),
    ("[300,tanh:200,tanh:1,linear]", "500 hidden neurons is too many"),
    ("[99999999999999999999,tanh:1,linear]", "too many"),
    ("[" + "2,tanh:" * 9 + "1,linear]", "at most 8 layers"),
    ("[" + "1" * 300 + "]", "at most 200 characters"),
])
def test_bad_notation_gets_a_clear_error(bad: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[")):
        notation.parse(bad)
