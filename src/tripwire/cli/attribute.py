"""``tripwire attribute``: the posterior over who is behind an incident, and the evidence table behind it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..errors import InputError
from ..icd203 import judgement
from .options import CONFIG_OPTION, DB_OPTION, FORMAT_OPTION, Format, clean_errors, context, emit_json, input_path, is_json
from .options import console as make_console

if TYPE_CHECKING:
    from rich.table import Table

    from ..model import AttributionResult


def _tables(result: AttributionResult, top: int = 4) -> tuple[Table, Table]:
    from rich.table import Table

    post = Table(title=f"Attribution of {result.incident_id}")
    for col in ("hypothesis", "prior", "posterior", "interval", "ICD 203 (confidence)"):
        post.add_column(col, justify="left" if col in ("hypothesis", "ICD 203 (confidence)") else "right")
    for e in result.posterior:
        iv = f"{e.interval[0]:.3f}-{e.interval[1]:.3f}" if e.interval else ""
        post.add_row(e.hypothesis.key, f"{e.prior:.3f}", f"{e.probability:.3f}", iv, judgement(e.probability, e.confidence))
    if result.basis is not None:
        post.caption = f"Analytic confidence (ICD 203) from {result.basis.describe()}."
    keys = [e.hypothesis.key for e in result.posterior[:top]]
    ev = Table(title="Evidence (log likelihood ratio per hypothesis)")
    ev.add_column("evidence")
    ev.add_column("weight", justify="right")
    for k in keys:
        ev.add_column(k, justify="right")
    ev.add_column("why")
    for c in result.evidence:
        ev.add_row(c.label, f"{c.weight:.2f}", *(f"{c.log_lr.get(k, 0.0):+.2f}" for k in keys), "; ".join(c.notes))
    return post, ev


def register(app: typer.Typer) -> None:
    """Add ``tripwire attribute`` to ``app``."""

    @app.command("attribute")
    @clean_errors
    def attribute(
        incident_id: str = typer.Argument(None, help="Id of a stored incident (omit with --article)."),
        db: str = DB_OPTION,
        config: Path = CONFIG_OPTION,
        fmt: Format = FORMAT_OPTION,
        seed: int = typer.Option(None, "--seed", help="Seed for the credible-interval draws (default: the seed setting)."),
        article: Path = typer.Option(None, "--article", help="Extract and attribute the incidents of this article file (- for standard input) instead."),
    ) -> None:
        """Attribute an incident: posterior over perpetrator x sponsor relation, with the evidence table.

        A stored incident is attributed in the context every command uses
        (every live incident and action in the store), so `brief`, `check`,
        `attribute` and the API agree. Ids: `tripwire incidents`.

        Examples:

        \b
          tripwire attribute k1-2019-12-27-kirkuk
          tripwire attribute --article story.md -f json

        """
        if (incident_id is None) == (article is None):
            raise InputError("give an INCIDENT_ID or --article PATH (one of them)")
        from ..app.jobs import attribute_extraction, attribute_stored

        with context(config, db, create=article is not None) as ctx:
            if article is not None:
                from ..extract.extractor import extract_file

                if str(article) != "-" and not article.is_file():
                    raise InputError(f"cannot read article {article}: no such file")
                with input_path(article) as path:
                    extractions = extract_file(str(path), kb=ctx.kb)
                results = [r for ex in extractions for r in attribute_extraction(ctx, ex, seed=seed)]
            else:
                results = [attribute_stored(ctx, incident_id, seed=seed)]
        if is_json(fmt):
            emit_json(results if article else results[0])
            return
        console = make_console()
        if not results:
            console.print("No incidents found in the article.")
        for r in results:
            for t in _tables(r):
                console.print(t)
