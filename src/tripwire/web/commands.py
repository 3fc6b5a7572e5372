"""``tripwire serve``: run the REST API and dashboard with uvicorn."""

from __future__ import annotations

from pathlib import Path

import typer

from ..clikit import CONFIG_OPTION, DB_OPTION, clean_errors, load_settings


def register(app: typer.Typer) -> None:
    """Add ``serve`` to ``app``."""

    @app.command()
    @clean_errors
    def serve(
        host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
        port: int = typer.Option(8000, help="TCP port."),
        config: Path = CONFIG_OPTION,
        db: str = DB_OPTION,
    ) -> None:
        """Serve the dashboard and REST API (OpenAPI at /docs and /openapi.json)."""
        import uvicorn

        from .app import create_app

        uvicorn.run(create_app(load_settings(config, db)), host=host, port=port, log_level="warning")
