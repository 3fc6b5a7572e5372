"""The ``tripwire`` command line. Each role package registers its own commands.

Every command lives in ``tripwire/<role>/commands.py`` as a ``register(app)``
function, so this module only assembles them.
"""

from __future__ import annotations

import importlib

import typer

from . import __version__

app = typer.Typer(
    name="tripwire",
    help="Watch declared red lines and say, with evidence, whether one has been crossed.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Modules whose ``register(app)`` adds commands, in help order.
COMMAND_MODULES = (
    "tripwire.pipeline_commands",
    "tripwire.ingest.commands",
    "tripwire.extract.commands",
    "tripwire.attribute.commands",
    "tripwire.attribute.evaluation_commands",
    "tripwire.redlines.commands",
    "tripwire.escalate.commands",
    "tripwire.escalate.hawkes_commands",
    "tripwire.report.commands",
    "tripwire.interop.commands",
    "tripwire.web.commands",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tripwire {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit.")) -> None:
    """Tripwire: ingest news, extract incidents, attribute them, check red lines."""


for _name in COMMAND_MODULES:
    try:
        _module = importlib.import_module(_name)
    except ModuleNotFoundError as _exc:  # a role package without commands yet
        if _exc.name != _name:
            raise
        continue
    _module.register(app)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # python -m tripwire.cli
    main()
