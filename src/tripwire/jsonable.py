"""Plain, strict JSON data from Tripwire's results: what the CLI prints, the API answers and exports write."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def to_jsonable(obj: Any) -> Any:
    """Pydantic models, dataclasses, tuples and dicts of them, as plain, strict JSON data.

    NaN and infinities (a standard error at a bound, a p-value of an empty
    dimension) become None: JSON has no such numbers and strict readers reject them.
    """
    from dataclasses import asdict, is_dataclass

    from pydantic import BaseModel

    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, BaseModel):
        return to_jsonable(obj.model_dump(mode="json"))
    if is_dataclass(obj) and not isinstance(obj, type):
        return to_jsonable(asdict(obj))
    if isinstance(obj, Mapping):  # a dict, or a read-only mapping such as a brief's packed results
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in obj]
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    if hasattr(obj, "item") and hasattr(obj, "dtype"):  # a numpy scalar
        return to_jsonable(obj.item())
    return obj


__all__ = ["to_jsonable"]
