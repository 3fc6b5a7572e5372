"""``tripwire hawkes fit|forecast``: fit a multivariate Hawkes model to an event CSV and forecast counts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from rich.table import Table

from .options import FORMAT_OPTION, Format, clean_errors, emit_json, input_path, is_json
from .options import console as make_console


def _fmt(x: Any) -> str:
    return "nan" if x is None or x != x else f"{x:.4g}"


def _fit_tables(report: dict[str, Any]) -> list[Table]:
    from rich.table import Table

    dims = Table(title=f"Hawkes fit ({report['kernel']}, log-likelihood {report['log_likelihood']:.2f}, spectral radius {report['spectral_radius']:.3f})")
    for col in ("dimension", "events", "baseline", "SE", "KS stat", "KS p-value"):
        dims.add_column(col)
    gof = report["goodness_of_fit"]
    for name, d in report["dimensions"].items():
        g = gof[name]
        dims.add_row(name, str(d["n_events"]), _fmt(d["baseline"]), _fmt(d["baseline_se"]), _fmt(g["ks_statistic"]), _fmt(g["p_value"]))
    adj = Table(title="Adjacency: expected events in target triggered by one event in source")
    for col in ("source", "target", "value", "SE (per component)"):
        adj.add_column(col)
    for e in report["adjacency"]:
        adj.add_row(e["source"], e["target"], _fmt(e["value"]), ", ".join(_fmt(s) for s in e["se"]))
    return [dims, adj]


def register(app: typer.Typer) -> None:
    """Add the ``hawkes`` command group to ``app``."""
    hawkes = typer.Typer(help="Self-exciting (Hawkes) models of attack intensity between actor dyads.", no_args_is_help=True)
    app.add_typer(hawkes, name="hawkes")

    @hawkes.command("fit")
    @clean_errors
    def fit_cmd(
        events: Path = typer.Argument(..., help="CSV of events (- for standard input): one row per event, with a time and a dimension column."),
        dims: str = typer.Option("dim", "--dims", help="Column holding the dimension label (e.g. militia->US)."),
        time: str = typer.Option("time", "--time", help="Column holding the time in days (or ISO dates)."),
        decay: str = typer.Option("1.0", "--decay", help="Kernel decay per day; comma-separated list for sumexp."),
        kernel: str = typer.Option("exp", "--kernel", help="exp or sumexp."),
        method: str = typer.Option("mle", "--method", help="mle (projected Newton on the exact likelihood) or em."),
        end: float = typer.Option(None, "--end", help="End of the observation window in days (default: last event)."),
        fmt: Format = FORMAT_OPTION,
    ) -> None:
        """Fit baselines and adjacency with standard errors and time-rescaling KS diagnostics."""
        from ..escalate.hawkes import fit_events_csv

        with input_path(events, suffix=".csv") as path:
            report = fit_events_csv(path, dims=dims, time=time, decay=decay, kernel=kernel, method=method, end_time=end)
        if is_json(fmt):
            emit_json(report)
            return
        console = make_console()
        for table in _fit_tables(report):
            console.print(table)

    @hawkes.command("forecast")
    @clean_errors
    def forecast_cmd(
        events: Path = typer.Argument(..., help="CSV of events (- for standard input): one row per event, with a time and a dimension column."),
        window: float = typer.Option(30.0, "--window", help="Forecast window in days after the end of observation."),
        seed: int = typer.Option(0, "--seed", help="Random seed for the simulations."),
        n_sims: int = typer.Option(1000, "--n-sims", help="Number of simulated futures."),
        dims: str = typer.Option("dim", "--dims", help="Column holding the dimension label."),
        time: str = typer.Option("time", "--time", help="Column holding the time in days (or ISO dates)."),
        decay: str = typer.Option("1.0", "--decay", help="Kernel decay per day; comma-separated list for sumexp."),
        kernel: str = typer.Option("exp", "--kernel", help="exp or sumexp."),
        end: float = typer.Option(None, "--end", help="End of the observation window in days (default: last event)."),
        fmt: Format = FORMAT_OPTION,
    ) -> None:
        """Fit, then forecast event counts per dimension over the next window."""
        from ..escalate.hawkes import forecast_events_csv

        with input_path(events, suffix=".csv") as path:
            result = forecast_events_csv(path, dims=dims, time=time, window=window, seed=seed, n_sims=n_sims, decay=decay, kernel=kernel, end_time=end)
        if is_json(fmt):
            emit_json(result.to_dict())
            return
        from rich.table import Table

        table = Table(title=f"Forecast for days {result.start:g}-{result.start + result.window:g} ({result.n_sims} simulations)")
        levels = [f"q{q:g}" for q in result.quantile_levels]
        for col in ("dimension", "intensity now", "expected", "simulated mean", *levels, "P(any)"):
            table.add_column(col)
        for d, name in enumerate(result.dim_names):
            table.add_row(
                name,
                _fmt(result.intensity_at_start[d]),
                _fmt(result.expected_count[d]),
                _fmt(result.mean_count[d]),
                *[_fmt(v) for v in result.count_quantiles[d]],
                _fmt(result.p_any[d]),
            )
        make_console().print(table)
