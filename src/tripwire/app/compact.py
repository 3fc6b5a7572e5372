"""Holding a whole store's worth of models in less memory: shared equal parts, and results kept pickled until asked for.

A job that checks every live incident holds every incident (the attribution
context needs them all) and, until the report is written, every attribution.
Loaded from the store, each frozen model carries its own copy of things many
models have equal: the set of fields it was given (pydantic keeps one per
instance, about half an incident's memory) and short strings such as
statuses, roles, outlets and names. :func:`share_equal_parts` makes equal
ones one object. The models stay equal, hash and dump as before (only
identity changes, and frozen models are never changed in place), and the
sharing survives pickling, so the worker processes the context is sent to
hold the smaller form too.

:class:`PackedResults` is a read-only mapping from incident id to
:class:`~tripwire.model.AttributionResult` that keeps each result as its
compressed pickle (a tenth of the model's memory) and unpickles it on each
look-up: what :class:`~tripwire.app.jobs.CheckRun` and
:class:`~tripwire.app.jobs.BriefResult` hold for a whole corpus.
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

from ..model import AttributionResult, shared_fields
from ..store.codec import EncodedJSON

M = TypeVar("M", bound=BaseModel)

#: strings up to this length are shared (names, statuses, roles); longer ones (quotes, summaries) are rarely equal
SHARED_STRING = 80
#: zlib level for packed results: the fastest, most of the gain
PACK_LEVEL = 1


class Sharing:
    """One set of shared parts, for models read one after another (each shared as it comes, so the copies it drops are reused)."""

    def __init__(self) -> None:
        self.strings: dict[str, str] = {}

    def share(self, m: M) -> M:
        """``m``, its parts made the ones equal parts of models shared before are."""
        self.model(m)
        return m

    def model(self, m: BaseModel) -> None:
        own = m.__pydantic_fields_set__
        canon = shared_fields(own)  # the one table of shared field sets (domain models already share theirs when built)
        if canon is not own:
            object.__setattr__(m, "__pydantic_fields_set__", canon)
        values = m.__dict__
        for name, v in values.items():
            if isinstance(v, str):
                if len(v) <= SHARED_STRING:
                    values[name] = self.strings.setdefault(v, v)
            elif isinstance(v, BaseModel):
                self.model(v)
            elif isinstance(v, (tuple, list)):
                for x in v:
                    if isinstance(x, BaseModel):
                        self.model(x)


def share_equal_parts(models: Iterable[BaseModel]) -> None:
    """Make the equal field sets and short string fields of ``models`` (and the models inside them) one object each."""
    sharing = Sharing()
    for m in models:
        sharing.model(m)


def pack(result: AttributionResult) -> bytes:
    """``result`` as :class:`PackedResults` keeps it."""
    return zlib.compress(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL), PACK_LEVEL)


def unpack(blob: bytes) -> AttributionResult:
    out = pickle.loads(zlib.decompress(blob))
    assert isinstance(out, AttributionResult)
    return out


def pack_payload(row: tuple[str, str, Any]) -> tuple[str, str, Any]:
    """A store payload row (incident id, method, JSON text) with its JSON compressed, to travel and wait for its transaction."""
    iid, method, payload = row
    return (iid, method, zlib.compress(payload.encode("utf-8"), PACK_LEVEL)) if type(payload) is EncodedJSON else row


def unpack_payload(row: tuple[str, str, Any]) -> tuple[str, str, Any]:
    """The row :func:`pack_payload` was given."""
    iid, method, payload = row
    return (iid, method, EncodedJSON(zlib.decompress(payload).decode("utf-8"))) if isinstance(payload, bytes) else row


class PackedResults(Mapping[str, AttributionResult]):
    """Incident id -> attribution, each held packed (:func:`pack`) and unpacked afresh on each look-up, in insertion order."""

    def __init__(self, packed: Iterable[tuple[str, bytes]] = ()) -> None:
        self._packed: dict[str, bytes] = dict(packed)

    @classmethod
    def of(cls, results: Mapping[str, AttributionResult]) -> PackedResults:
        return cls((k, pack(v)) for k, v in results.items())

    def add(self, incident_id: str, blob: bytes) -> None:
        self._packed[incident_id] = blob

    def __getitem__(self, incident_id: str) -> AttributionResult:
        return unpack(self._packed[incident_id])

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)

    def __contains__(self, incident_id: object) -> bool:
        return incident_id in self._packed

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, Mapping):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PackedResults({len(self)} results)"


__all__ = ["PackedResults", "Sharing", "pack", "pack_payload", "unpack_payload", "share_equal_parts", "unpack"]
