"""The frame helpers every part of the library shares."""

from __future__ import annotations

import pandas as pd

from catalog.frames import is_in


def test_is_in_marks_the_values_among_the_allowed_ones() -> None:
    values = pd.Series(["a/x", "b/y", "c/z", "a/x"], dtype="str")
    allowed = pd.Series(["a/x", "c/z", "d/w"], dtype="str")

    assert is_in(values, allowed).tolist() == [True, False, True, True]
    assert is_in(values, {"b/y"}).tolist() == [False, True, False, False]


def test_missing_values_are_never_in_and_empty_inputs_give_empty_masks() -> None:
    values = pd.Series(["a/x", None], dtype="str")

    assert is_in(values, ["a/x"]).tolist() == [True, False]
    assert is_in(values, []).tolist() == [False, False]
    assert is_in(values.iloc[:0], ["a/x"]).tolist() == []


def test_the_mask_selects_rows_like_pandas_isin() -> None:
    frame = pd.DataFrame({"model_id": ["p/1", "p/2", "p/3"], "price": [1, 2, 3]})

    assert frame[is_in(frame["model_id"], pd.Series(["p/3", "p/1"]))]["price"].tolist() == [1, 3]
