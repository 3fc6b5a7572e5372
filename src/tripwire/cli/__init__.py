"""The ``tripwire`` command line: thin commands over the application layer (:mod:`tripwire.app`).

Each module of this package adds a group of commands with a ``register(app)``
function; this one assembles them in help order. The CLI imports the library,
never the reverse (docs/architecture.md).
"""

from __future__ import annotations

import typer

from .. import __version__

app = typer.Typer(
    name="tripwire",
    help="Watch declared red lines and say, with evidence, whether one has been crossed.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help and "Error: ..." usage messages: readable in any terminal, log or pipe
    epilog="First look: tripwire brief. Your own news: tripwire ingest FILES; tripwire extract --stored; tripwire check; "
    "tripwire incidents; tripwire explain RULE INCIDENT; tripwire report; tripwire serve.",
)



def _version(value: bool) -> None:
    if value:
        typer.echo(f"tripwire {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit.")) -> None:
    """Tripwire: ingest news, extract incidents, attribute them, check red lines."""


from . import attribute, brief, calibration, escalate, extract, hawkes, incidents, ingest, interop, redlines, report, web  # noqa: E402

#: The command modules, in help order.
COMMAND_MODULES = (brief, ingest, extract, incidents, attribute, calibration, redlines, escalate, hawkes, report, interop, web)
for _module in COMMAND_MODULES:
    _module.register(app)


def main() -> None:
    """Console-script entry point."""
    app()

