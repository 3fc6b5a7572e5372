"""Conversions between domain models and database values.

Every stored model keeps its complete pydantic payload as JSON, so reading it
back gives exactly what was written (naive or aware datetimes, tuples, enums
and all). Indexed columns beside the payload exist only for querying; they are
derived here:

* :data:`JSONDoc` is JSON on SQLite and JSONB on PostgreSQL;
* :class:`UTCDateTime` stores instants as UTC (naive input is taken as UTC)
  and always returns aware UTC datetimes;
* :class:`Clipped` is a ``VARCHAR(n)`` query column that cuts longer values
  to ``n`` characters on every backend (PostgreSQL would refuse them, SQLite
  would keep them); the payload keeps the whole value;
* :func:`dump` / :func:`load` turn models into JSON-ready dicts and back;
  :func:`dump_json` serialises a model straight to JSON text (pydantic's
  serialiser, no intermediate dicts) for bulk writes, and the engines'
  :func:`json_serializer` stores such text as it is.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import JSON, DateTime, String
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeDecorator

from ..model import AttributionResult

M = TypeVar("M", bound=BaseModel)

#: JSON column type: plain JSON on SQLite, binary JSONB on PostgreSQL.
JSONDoc = JSON().with_variant(postgresql.JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp column that always holds UTC.

    Aware values are converted to UTC; naive values are assumed to be UTC
    already. Values read back are aware (``tzinfo=UTC``) on every backend,
    including SQLite, which stores no offset.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return to_utc(value)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


class Clipped(TypeDecorator[str]):
    """A bounded text column for querying only: values over its length are cut, the same on SQLite and PostgreSQL.

    Used for descriptive columns copied out of a payload (outlet, media type,
    country, attack type, actor...), never for keys: the payload beside it
    holds the whole value, so what ``get_*`` returns does not change.
    """

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        length = getattr(self.impl, "length", None)
        if value is None or length is None or not isinstance(value, str) or len(value) <= length:
            return value
        return value[:length]


def to_utc(value: dt.datetime | None) -> dt.datetime | None:
    """``value`` as an aware UTC datetime; naive means UTC; None when out of range."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    try:
        return value.astimezone(dt.timezone.utc)
    except OverflowError:  # e.g. 0001-01-01T00:00+05:00 has no UTC equivalent
        return None


def utcnow() -> dt.datetime:
    """The current time, aware, in UTC."""
    return dt.datetime.now(dt.timezone.utc)


def dump(model: BaseModel, *, exclude: set[str] | None = None) -> dict[str, Any]:
    """The model as JSON-ready data (``model_dump(mode="json")``)."""
    return model.model_dump(mode="json", exclude=exclude)


def load(cls: type[M], payload: dict[str, Any], **extra: Any) -> M:
    """Rebuild a model of type ``cls`` from a stored payload (plus columns kept outside it)."""
    data = dict(payload)
    data.update(extra)
    return cls.model_validate(data)


class EncodedJSON(str):
    """A JSON column value already serialised to text (see :func:`dump_json`)."""


def dump_json(model: BaseModel, *, exclude: set[str] | None = None) -> EncodedJSON | dict[str, Any]:
    """The model as JSON text, equal in content to ``json.dumps(dump(model))``, for a JSON column.

    Text pydantic cannot write as UTF-8 (a lone surrogate from a mis-decoded
    file) falls back to :func:`dump`, which ``json.dumps`` escapes.
    """
    try:
        return EncodedJSON(model.model_dump_json(exclude=exclude))
    except ValueError:
        return dump(model, exclude=exclude)


def json_serializer(value: Any) -> str:
    """The engines' JSON serialiser: :class:`EncodedJSON` text as it is, anything else through ``json.dumps``."""
    return value if isinstance(value, EncodedJSON) else json.dumps(value)


def attribution_payload(result: AttributionResult) -> tuple[str, str, EncodedJSON | dict[str, Any]]:
    """(incident id, method, JSON payload): an attribution as :meth:`~tripwire.store.Store.save_attribution_payloads` stores it.

    Made where the result was computed (an attribution worker), so the process that saves it does not serialise it again.
    """
    return result.incident_id, result.method, dump_json(result)
