"""The engine's NUL rule on bound parameters (``store/engine.py``), the one models apply, for single and bulk writes."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ([{"a": "x\x00y", "b": 1}, {"a": "z", "b": 2}], [{"a": "xy", "b": 1}, {"a": "z", "b": 2}]),  # a bulk write with a NUL: cleaned
        ([("x\x00", 1)], [("x", 1)]),
        ([{"a": "clean", "b": b"\x00"}], [{"a": "clean", "b": b"\x00"}]),  # bytes are not text: left as they are
        ([{"a": "a\\x00 written out", "b": 1}], [{"a": "a\\x00 written out", "b": 1}]),  # the four characters, not a NUL
    ],
)
def test_bulk_parameters_lose_their_nuls(parameters, expected) -> None:  # type: ignore[no-untyped-def]
    from tripwire.store.engine import _parameters_without_nul

    assert _parameters_without_nul(None, None, "INSERT", parameters, None, True) == ("INSERT", expected)
    clean = [{"a": "plain", "b": 1}]
    assert _parameters_without_nul(None, None, "INSERT", clean, None, True)[1] is clean  # nothing to clean: the same object, no copy
