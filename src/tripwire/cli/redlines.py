"""``tripwire check``, ``tripwire rules``, ``tripwire history`` and ``tripwire alerts``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer

from ..icd203 import judgement
from .options import CONFIG_OPTION, DB_OPTION, FORMAT_OPTION, RULES_OPTION, Format, clean_errors, context, emit_json, is_json, load_settings
from .options import console as make_console

ALERTS_JSONL_OPTION = typer.Option(None, "--alerts-jsonl", help="Deliver pending alerts as JSON lines appended to this file.")
WEBHOOK_OPTION = typer.Option(None, "--webhook", help="Deliver pending alerts as JSON POSTs to this http(s) URL (with retries).")


def _durable_sinks(settings, alerts_jsonl: Path | None, webhook: str | None) -> list:  # type: ignore[no-untyped-def]
    from ..redlines.alerts import JsonlSink, WebhookSink

    sinks: list = []
    if alerts_jsonl:
        sinks.append(JsonlSink(alerts_jsonl))
    if webhook:
        sinks.append(
            WebhookSink(webhook, timeout=float(settings.http_timeout), retries=int(settings.webhook_retries), backoff=float(settings.webhook_backoff))
        )
    return sinks


WIDE_OPTION = typer.Option(False, "--wide", help="The full board: interval, ICD 203 words, standard and evidence of every line.")


def show_board(console: Any, evaluations: Sequence[Any], incidents: Sequence[Any], rules: Sequence[Any], *, wide: bool = False, documents: int = 0) -> None:
    """Print the red-line board (compact unless ``wide``), with a hint that says what to run when it is empty."""
    from ..report.board import render_board

    if incidents:
        hint = "No evaluations: the rules matched no stored incident."
    elif documents:
        hint = "No incidents in the store yet: run `tripwire extract --stored` to read the ingested articles."
    else:
        hint = "The store is empty: run `tripwire ingest FILES` (or `tripwire brief` for the bundled examples)."
    console.print(render_board(evaluations, {i.id: i for i in incidents}, titles={r.id: r.title for r in rules}, wide=wide,
                               width=console.width, empty_hint=hint))


def register(app: typer.Typer) -> None:
    """Add ``check``, ``rules`` and ``history`` to ``app``."""

    @app.command("check")
    @clean_errors
    def check_cmd(
        rules: Path = RULES_OPTION,
        config: Path = CONFIG_OPTION,
        db: str = DB_OPTION,
        fmt: Format = FORMAT_OPTION,
        record: bool = typer.Option(True, "--record/--no-record", help="Append the evaluations to the store's history and raise alerts."),
        alerts_jsonl: Path = ALERTS_JSONL_OPTION,
        webhook: str = WEBHOOK_OPTION,
        stored: bool = typer.Option(False, "--stored-attribution", help="Use the attributions saved in the store instead of re-attributing."),
        wide: bool = WIDE_OPTION,
    ) -> None:
        """Attribute every stored incident and check it against each red-line rule; print the board.

        Examples:

        \b
          tripwire check                 # bundled rules, or the rules_file setting
          tripwire check -r my-rules.yaml --alerts-jsonl alerts.jsonl
          tripwire check -f json --no-record | jq '.evaluations[0]'

        Then `tripwire explain RULE INCIDENT` shows the evidence behind one line.
        """
        from ..app.jobs import check
        from ..redlines.alerts import ConsoleSink

        settings = load_settings(config, db)
        sinks: list = [ConsoleSink()] if not is_json(fmt) else []
        sinks += _durable_sinks(settings, alerts_jsonl, webhook)
        with context(config, db, create=False) as ctx:
            rule_list = ctx.rules(rules)
            run = check(ctx, rule_list, record=record, sinks=sinks, use_attributor=not stored)
            documents = ctx.store.count_documents()
        if is_json(fmt):
            emit_json(
                {
                    "evaluations": run.evaluations,
                    "alerts": [a.to_dict() for a in run.alerts],
                    "delivered": [a.key for a in run.delivered],
                    "delivery_failures": [f.message for f in run.failures],
                    "unattributed": [{"incident_id": i, "reason": r} for i, r in run.unattributed],
                    "attribution_source": run.attribution_source,
                    "recorded": run.recorded,
                }
            )
            return
        from rich.text import Text

        console = make_console()
        show_board(console, run.evaluations, run.incidents, rule_list, wide=wide, documents=documents)
        for incident_id, reason in run.unattributed:
            console.print(Text("not attributed: ", style="yellow") + Text(f"{incident_id}: {reason}"))
        if not run.recorded:
            console.print("(not recorded: --no-record)")

    @app.command("explain")
    @clean_errors
    def explain_cmd(
        rule: str = typer.Argument(..., help="Rule id (see `tripwire rules`)."),
        incident: str = typer.Argument(..., help="Incident id (see `tripwire incidents` or the board's Id column)."),
        rules: Path = RULES_OPTION,
        config: Path = CONFIG_OPTION,
        db: str = DB_OPTION,
        fmt: Format = FORMAT_OPTION,
    ) -> None:
        """Explain one line of the board: the latest recorded evaluation of RULE for INCIDENT, with all its evidence.

        Example:

        \b
          tripwire explain us-fatality-iran-directed k1-2019-12-27-kirkuk

        """
        from rich.text import Text

        from ..errors import NotFound
        from ..report.board import board_rows, explain_row

        with context(config, db, create=False) as ctx:
            titles = {r.id: r.title for r in ctx.rules(rules)}
            history = ctx.store.evaluation_history(rule_id=rule, incident_id=incident)
            if not history:
                ctx.store.get_incident(incident)  # NotFound names an unknown incident first
                raise NotFound(f"no evaluation of rule {rule!r} for incident {incident!r} is recorded: run `tripwire check`",
                               detail={"rule_id": rule, "incident_id": incident})
            row = board_rows(history, {incident: ctx.store.get_incident(incident)})[0]
        if is_json(fmt):
            emit_json({"title": titles.get(rule), "evaluation": history[-1], "history": len(history)})
            return
        console = make_console()
        for line in explain_row(row, title=titles.get(rule)):
            console.print(Text(line), highlight=False)

    @app.command("rules")
    @clean_errors
    def rules_cmd(rules: Path = RULES_OPTION, config: Path = CONFIG_OPTION, fmt: Format = FORMAT_OPTION) -> None:
        """Validate a rule file and list its red lines."""
        from rich.table import Table
        from rich.text import Text

        from ..app.context import load_knowledge, load_rule_set
        from ..redlines.conditions import condition_to_data

        settings = load_settings(config)
        rule_list = load_rule_set(settings, load_knowledge(settings), rules)
        if is_json(fmt):
            emit_json([{**r.model_dump(mode="json", exclude={"condition"}), "condition": condition_to_data(r.condition)} for r in rule_list])
            return
        table = Table(title=f"{len(rule_list)} red-line rule(s)", show_lines=True)
        for col in ("Id", "Title", "Declared by", "Standard", "Condition", "Consequence"):
            table.add_column(col, overflow="fold")
        for r in rule_list:
            who = r.declared_by.speaker + (" (via unnamed relay)" if r.declared_by.anonymous_relay else "")
            if r.declared_on:
                who += f", {r.declared_on.isoformat()}"
            cells = (r.id, r.title, who, f"{r.standard} (>= {r.threshold:.2f})", r.describe_condition(), r.consequence)
            table.add_row(*(Text(c) for c in cells))
        make_console().print(table)

    @app.command("history")
    @clean_errors
    def history_cmd(
        rule: str = typer.Option(None, "--rule", help="Only this rule id."),
        incident: str = typer.Option(None, "--incident", help="Only this incident id."),
        config: Path = CONFIG_OPTION,
        db: str = DB_OPTION,
        fmt: Format = FORMAT_OPTION,
    ) -> None:
        """Show the recorded evaluation history, oldest first."""
        from rich.table import Table
        from rich.text import Text

        with context(config, db, create=False) as ctx:
            history = ctx.store.evaluation_history(rule_id=rule, incident_id=incident)
        if is_json(fmt):
            emit_json(history)
            return
        table = Table(title=f"Evaluation history ({len(history)})")
        for col in ("Evaluated at", "Rule", "Incident", "Change", "P", "ICD 203 (confidence)", "Standard"):
            table.add_column(col, overflow="fold")
        for ev in history:
            change = f"{ev.previous_status.value if ev.previous_status else 'new'} -> {ev.status.value}"
            p = f"{ev.probability:.2f}" + (f" [{ev.interval[0]:.2f}, {ev.interval[1]:.2f}]" if ev.interval else "")
            cells = (ev.evaluated_at.isoformat(timespec="seconds"), ev.rule_id, ev.incident_id, change, p, judgement(ev.probability, ev.confidence),
                     f"{ev.standard} ({ev.threshold:.2f})")
            table.add_row(*(Text(c) for c in cells))
        make_console().print(table)

    @app.command("alerts")
    @clean_errors
    def alerts_cmd(
        pending: bool = typer.Option(False, "--pending", help="Only alerts not delivered yet."),
        rule: str = typer.Option(None, "--rule", help="Only this rule id."),
        incident: str = typer.Option(None, "--incident", help="Only this incident id."),
        deliver: bool = typer.Option(False, "--deliver", help="Send the pending alerts to --alerts-jsonl/--webhook now, without a new check."),
        alerts_jsonl: Path = ALERTS_JSONL_OPTION,
        webhook: str = WEBHOOK_OPTION,
        limit: int = typer.Option(200, "--limit", min=1, max=100_000, help="Show at most this many alerts."),
        config: Path = CONFIG_OPTION,
        db: str = DB_OPTION,
        fmt: Format = FORMAT_OPTION,
    ) -> None:
        """List the alert outbox (delivered and pending alerts, oldest first); --deliver sends what is pending."""
        from ..errors import ConfigError
        from ..redlines.recording import deliver_pending

        settings = load_settings(config, db)
        sinks = _durable_sinks(settings, alerts_jsonl, webhook)
        if deliver and not sinks:
            raise ConfigError("--deliver needs somewhere to deliver to: --alerts-jsonl FILE and/or --webhook URL")
        with context(config, db, create=False) as ctx:
            store = ctx.store
            sent = deliver_pending(store, sinks) if deliver else None
            filters = {"pending": True if pending else None, "rule_id": rule, "incident_id": incident}
            total = store.count_alerts(**filters)
            entries = store.list_alerts(**filters, limit=limit)
        if is_json(fmt):
            emit_json(
                {
                    "total": total,
                    "alerts": [
                        {
                            **_alert_dict(e),
                            "delivered_at": e.delivered_at.isoformat() if e.delivered_at else None,
                            "created_at": e.created_at.isoformat(),
                            "attempts": e.attempts,
                            "last_error": e.last_error,
                        }
                        for e in entries
                    ],
                    "delivered_now": [a.key for a in sent.delivered] if sent else [],
                    "delivery_failures": [f.message for f in sent.failures] if sent else [],
                }
            )
            return
        from rich.table import Table
        from rich.text import Text

        console = make_console()
        if sent is not None:
            console.print(Text(f"delivered {len(sent.delivered)} alert(s); {sent.still_pending} still pending"))
        table = Table(title=f"Alerts ({len(entries)} of {total})")
        for col in ("Created", "Key", "Rule", "Incident", "Change", "Delivered", "Attempts", "Last error"):
            table.add_column(col, overflow="fold")
        for e in entries:
            ev = e.evaluation
            change = f"{ev.previous_status.value if ev.previous_status else 'new'} -> {ev.status.value}"
            delivered = e.delivered_at.isoformat(timespec="seconds") if e.delivered_at else "pending"
            cells = (e.created_at.isoformat(timespec="seconds"), e.key, ev.rule_id, ev.incident_id, change, delivered, str(e.attempts), e.last_error or "")
            table.add_row(*(Text(c) for c in cells))
        console.print(table)


def _alert_dict(entry):  # type: ignore[no-untyped-def]
    """The outbox entry as the JSON alert its sinks receive."""
    from ..redlines.alerts import Alert

    return Alert.from_evaluation(entry.evaluation, key=entry.key).to_dict()
