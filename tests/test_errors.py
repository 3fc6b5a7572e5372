"""The error tree: one root, every class documented in the module's tree, codes unique, envelopes well formed."""

from __future__ import annotations

import inspect

import pytest

from tripwire import errors

CLASSES = [c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, errors.TripwireError)]


def test_every_error_is_in_the_documented_tree() -> None:
    for cls in CLASSES:
        assert f" {cls.__name__} " in errors.__doc__, cls.__name__
        assert cls.__doc__ and cls.__doc__.strip(), cls.__name__


def test_codes_are_unique_and_statuses_are_http_errors() -> None:
    codes = [c.code for c in CLASSES]
    assert len(codes) == len(set(codes))
    assert all(400 <= c.http_status < 600 for c in CLASSES)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_envelope_shape(cls: type[errors.TripwireError]) -> None:
    err = cls("something went wrong", detail={"id": "x"})
    assert err.to_dict() == {"error": {"code": cls.code, "message": "something went wrong", "detail": {"id": "x"}}}
    assert str(err) == "something went wrong"
