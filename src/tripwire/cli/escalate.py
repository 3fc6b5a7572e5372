"""``tripwire chain`` (action-reaction graph from the store) and ``tripwire policy`` (red-line Monte Carlo)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from ..errors import InputError
from .options import CONFIG_OPTION, DB_OPTION, FORMAT_OPTION, Format, clean_errors, context, emit_json, is_json, load_settings
from .options import console as make_console


class ChainFormat(str, Enum):
    """Export format of ``tripwire chain``."""

    json = "json"
    dot = "dot"
    graphml = "graphml"


def _floats(text: str, what: str) -> tuple[float, ...]:
    try:
        return tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise InputError(f"{what} must be comma-separated numbers, got {text!r}") from None


def register(app: typer.Typer) -> None:
    """Add ``chain`` and ``policy`` to ``app``."""

    @app.command("chain")
    @clean_errors
    def chain_cmd(
        db: str = DB_OPTION,
        config: Path = CONFIG_OPTION,
        out: Path = typer.Option(None, "--out", "-o", help="Folder for chain.<format> and the timeline chain.png (default: stdout)."),
        fmt: ChainFormat = typer.Option(ChainFormat.json, "--format", "-f", help="json (node-link), dot (Graphviz) or graphml."),
        window_days: float = typer.Option(14.0, "--window-days", help="Largest lag, in days, at which a reaction is linked by timing."),
        half_life_days: float = typer.Option(3.0, "--half-life-days", help="Lag at which a timing link's weight halves."),
    ) -> None:
        """Build the action-reaction chain of every stored incident and action."""
        from ..app.outputs import chain as store_chain

        with context(config, db, create=False) as ctx:
            chain = store_chain(ctx, window_days=window_days, half_life_days=half_life_days)
        if out is None:
            text = {"json": chain.to_json, "dot": chain.to_dot, "graphml": chain.to_graphml}[fmt.value]()
            typer.echo(text, nl=False)
            return
        from ..escalate.chain_plot import plot_chain

        path = chain.write(out, fmt.value)
        typer.echo(f"wrote {path} ({len(chain.nodes)} events, {len(chain.edges)} links)")
        if any(n.date for n in chain.nodes):
            typer.echo(f"wrote {plot_chain(chain, Path(out) / 'chain.png')}")

    @app.command("policy")
    @clean_errors
    def policy_cmd(
        rate: float = typer.Option(..., "--rate", help="Proxy attacks per day (long-run rate)."),
        lethality: float = typer.Option(..., "--lethality", help="P(an American is killed | attack)."),
        days: float = typer.Option(60.0, "--days", help="Horizon in days."),
        thresholds: str = typer.Option("0.5,0.75,0.9", "--thresholds", help="Comma-separated thresholds on P(ordered by the sponsor)."),
        spoiler_rate: str = typer.Option("0", "--spoiler-rate", help="Spoiler attacks per day; a comma list sweeps several."),
        spoiler_mimicry: float = typer.Option(0.5, "--spoiler-mimicry", help="P(a spoiler's attack is staged to look ordered)."),
        p_ordered: float = typer.Option(0.5, "--p-ordered", help="Share of proxy attacks the sponsor truly ordered."),
        branching: float = typer.Option(0.0, "--branching", help="Mean follow-up attacks each attack triggers (0: Poisson)."),
        decay: float = typer.Option(1.0, "--decay", help="Per-day decay of the follow-up excitement (with --branching)."),
        tpr: float = typer.Option(None, "--tpr", help="P(attributed | ordered); with --fpr replaces the default score model."),
        fpr: float = typer.Option(None, "--fpr", help="P(attributed | not ordered)."),
        p_retaliate: float = typer.Option(1.0, "--p-retaliate", help="P(retaliation against the sponsor | trip)."),
        p_counter: float = typer.Option(0.5, "--p-counter", help="P(the sponsor strikes back | retaliation)."),
        sims: int = typer.Option(10_000, "--sims", help="Monte Carlo runs per scenario."),
        seed: int = typer.Option(None, "--seed", help="Random seed (default: the `seed` setting)."),
        config: Path = CONFIG_OPTION,
        out: Path = typer.Option(None, "--out", "-o", help="Folder for policy.json and tradeoff.png."),
        fmt: Format = FORMAT_OPTION,
        dask: str = typer.Option(None, "--dask", help="Run on Dask: 'local' or a scheduler address such as tcp://host:8786."),
    ) -> None:
        """Estimate by simulation how often a red line trips, on what, and whether states end up exchanging fire."""
        from ..escalate.sweep import policy_sweep, write_sweep

        settings = load_settings(config)
        result = policy_sweep(
            rate=rate, lethality=lethality, days=days, thresholds=_floats(thresholds, "--thresholds"),
            spoiler_rates=_floats(spoiler_rate, "--spoiler-rate") or (0.0,), seed=settings.seed if seed is None else seed, n_sims=sims,
            p_ordered=p_ordered, branching=branching, decay=decay, tpr=tpr, fpr=fpr, spoiler_mimicry=spoiler_mimicry,
            p_retaliate=p_retaliate, p_counter=p_counter, scheduler=dask,
        )
        written = write_sweep(result, out) if out is not None else ()
        if is_json(fmt):
            emit_json({"seed": result.seed, "n_sims": result.n_sims, "records": result.records(), "written": [str(p) for p in written]})
            return
        from ..escalate.policy import policy_table

        console = make_console()
        for row in result.rows:
            rows = policy_table(row.result)
            from rich.table import Table

            table = Table(title=f"spoiler rate {row.spoiler_rate:g}/day - {row.attribution} - {result.n_sims} runs, seed {result.seed}")
            for col in rows[0]:
                table.add_column(col, justify="right")
            for r in rows:
                table.add_row(*r.values())
            console.print(table)
        for path in written:
            console.print(f"wrote {path}")
