"""What every CLI command shares: its options, settings and context, output, stdin/stdout and error handling.

Commands stay thin: parse arguments, open one :class:`~tripwire.app.Context`,
call one job, print. Every command that prints results takes the same
``--format/-f`` option (``table`` for people, ``json`` for programs),
validated by click, and the same ``--db`` and ``--config/-c``. Any
:class:`~tripwire.errors.TripwireError` becomes a one-line ``Error: ...``
message on stderr (or, under ``--format json``, the JSON error envelope the
REST API uses, on stdout) and exit status 1 (2 for bad input), never a
traceback.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import typer

from ..errors import InputError, TripwireError
from ..jsonable import to_jsonable
from ..settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


class Format(str, Enum):
    """What a command prints: a table for people or JSON for programs."""

    table = "table"
    json = "json"


CONFIG_OPTION = typer.Option(None, "--config", "-c", help="Settings file (.toml or .yaml); see docs/settings.md.")
DB_OPTION = typer.Option(None, "--db", help="Database URL (overrides the database_url setting), e.g. sqlite:///tripwire.db.")
FORMAT_OPTION = typer.Option(Format.table, "--format", "-f", help="table (for people) or json (for programs).", case_sensitive=False)
RULES_OPTION = typer.Option(None, "--rules", "-r", help="Rule file (YAML); default: the rules_file setting, else the bundled examples.")

#: Width used for tables when output is piped or logged rather than shown on a terminal.
PIPED_WIDTH = 160


def clean_errors(fn: F) -> F:
    """Turn library errors raised by ``fn`` into a clean message and exit status (JSON under ``--format json``)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TripwireError as exc:
            status = 2 if isinstance(exc, InputError) else 1
            if kwargs.get("fmt") in (Format.json, "json"):
                emit_json(exc.to_dict())
            else:
                typer.echo(f"Error: {exc.message}", err=True)
            raise typer.Exit(status) from None

    return wrapper  # type: ignore[return-value]


def load_settings(config: Path | None = None, db: str | None = None) -> Settings:
    """Settings from defaults, an optional file and the environment; ``db`` wins over all."""
    settings = Settings.from_file(config) if config else Settings()
    if db:
        settings = settings.replace(database_url=db)
    return settings


@contextlib.contextmanager
def context(config: Path | None, db: str | None, *, create: bool = True) -> Iterator[Any]:
    """The :class:`~tripwire.app.Context` of one command (``create=False`` for read-only commands: no new empty database)."""
    from ..app import open_context

    with open_context(load_settings(config, db), create=create) as ctx:
        yield ctx


def is_json(fmt: Format | str) -> bool:
    """Whether ``fmt`` asks for JSON."""
    return fmt in (Format.json, "json")


def emit_json(obj: Any) -> None:
    """Print ``obj`` as indented JSON on stdout."""
    sys.stdout.write(json.dumps(to_jsonable(obj), indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def console() -> Any:
    """A rich console for command output: the terminal's width, ``$COLUMNS`` when set, else ``PIPED_WIDTH``.

    Rich falls back to 80 columns off a terminal, which folds wide tables
    (the ACH matrix, ``--wide`` boards) into unreadable slivers in logs and pipes.
    """
    from rich.console import Console

    out = Console()
    return out if out.is_terminal or os.environ.get("COLUMNS") else Console(width=PIPED_WIDTH)


@contextlib.contextmanager
def input_path(path: Path, *, suffix: str = ".txt") -> Iterator[Path]:
    """``path`` itself, or for ``-`` a temporary file holding standard input (named with ``suffix``) for as long as it is needed."""
    if str(path) != "-":
        yield path
        return
    data = sys.stdin.buffer.read()
    with tempfile.TemporaryDirectory(prefix="tripwire-stdin-") as tmp:
        target = Path(tmp) / f"stdin{suffix}"
        target.write_bytes(data)
        yield target


@contextlib.contextmanager
def output_path(path: Path, *, suffix: str = "") -> Iterator[Path]:
    """``path`` itself, or for ``-`` a temporary file whose bytes go to standard output once written."""
    if str(path) != "-":
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="tripwire-stdout-") as tmp:
        target = Path(tmp) / f"stdout{suffix}"
        yield target
        if not target.exists():
            raise InputError("nothing was written for standard output")
        sys.stdout.flush()
        sys.stdout.buffer.write(target.read_bytes())
        sys.stdout.buffer.flush()


__all__ = [
    "CONFIG_OPTION",
    "DB_OPTION",
    "FORMAT_OPTION",
    "Format",
    "PIPED_WIDTH",
    "RULES_OPTION",
    "clean_errors",
    "console",
    "context",
    "emit_json",
    "input_path",
    "is_json",
    "load_settings",
    "output_path",
    "to_jsonable",
]
