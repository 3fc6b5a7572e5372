"""Small helpers every CLI command shares: settings, store, output and error handling.

Commands stay thin: parse arguments, call one library function, print. Any
:class:`~tripwire.errors.TripwireError` becomes a one-line ``Error: ...``
message on stderr and exit status 1 (2 for bad input), never a traceback.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer

from .errors import InputError, TripwireError
from .settings import Settings

F = TypeVar("F", bound=Callable[..., Any])

CONFIG_OPTION = typer.Option(None, "--config", "-c", help="Settings file (.toml or .yaml); see docs/settings.md.")
DB_OPTION = typer.Option(None, "--db", help="Database URL (overrides the database_url setting).")


def clean_errors(fn: F) -> F:
    """Turn library errors raised by ``fn`` into a clean message and exit status."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TripwireError as exc:
            typer.echo(f"Error: {exc.message}", err=True)
            raise typer.Exit(2 if isinstance(exc, InputError) else 1) from None

    return wrapper  # type: ignore[return-value]


def load_settings(config: Path | None = None, db: str | None = None) -> Settings:
    """Settings from defaults, an optional file and the environment; ``db`` wins over all."""
    settings = Settings.from_file(config) if config else Settings()
    if db:
        settings = settings.replace(database_url=db)
    return settings


def to_jsonable(obj: Any) -> Any:
    """Pydantic models, dataclasses, tuples and dicts of them, as plain, strict JSON data.

    NaN and infinities (a standard error at a bound, a p-value of an empty
    dimension) become None: JSON has no such numbers and strict readers reject them.
    """
    import math
    from dataclasses import asdict, is_dataclass

    from pydantic import BaseModel

    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, BaseModel):
        return to_jsonable(obj.model_dump(mode="json"))
    if is_dataclass(obj) and not isinstance(obj, type):
        return to_jsonable(asdict(obj))
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in obj]
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    if hasattr(obj, "item") and hasattr(obj, "dtype"):  # a numpy scalar
        return to_jsonable(obj.item())
    return obj


def emit_json(obj: Any) -> None:
    """Print ``obj`` as indented JSON on stdout."""
    sys.stdout.write(json.dumps(to_jsonable(obj), indent=2, ensure_ascii=False, allow_nan=False) + "\n")


#: Width used for tables when output is piped or logged rather than shown on a terminal.
PIPED_WIDTH = 160


def console() -> Any:
    """A rich console for command output: the terminal's width, ``$COLUMNS`` when set, else ``PIPED_WIDTH``.

    Rich falls back to 80 columns off a terminal, which folds the board and the
    ACH matrix into unreadable slivers in logs and pipes.
    """
    import os

    from rich.console import Console

    out = Console()
    return out if out.is_terminal or os.environ.get("COLUMNS") else Console(width=PIPED_WIDTH)
