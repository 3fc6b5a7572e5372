"""``tripwire serve``: run the REST API and dashboard with uvicorn."""

from __future__ import annotations

from pathlib import Path

import typer

from .options import CONFIG_OPTION, DB_OPTION, clean_errors, load_settings


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
        """Serve the dashboard and REST API; prints the URL (API documentation at /docs, OpenAPI at /openapi.json).

        Example:

        \b
          tripwire serve --db sqlite:///news.db --port 8080

        """
        import uvicorn

        from ..web.app import create_app

        settings = load_settings(config, db)
        web_app = create_app(settings)
        shown = f"[{host}]" if ":" in host else host
        typer.echo(f"Tripwire dashboard: http://{shown}:{port}/  (API docs: http://{shown}:{port}/docs; Ctrl+C stops)")
        uvicorn.run(web_app, host=host, port=port, log_level="warning")
