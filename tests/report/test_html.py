"""The HTML report: it holds the numbers it claims, escapes hostile text, needs nothing from outside."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tripwire.cli import app
from tripwire.errors import InputError
from tripwire.model import Action, Document, RedLineStatement, Source, Span
from tripwire.redlines import check, check_and_record, load_rules
from tripwire.app.context import Context
from tripwire.app.outputs import write_report
from tripwire.report import write_html_report
from tripwire.settings import Settings
from tripwire.store import Store

from tests.redlines.scenarios import NOW, green_zone, hypothetical_killing, kirkuk, militia_result

from tripwire.knowledge import KnowledgeBase  # noqa: E402

KB = KnowledgeBase.load()

HOSTILE = '<script>alert("x")</script>'


class Sections(HTMLParser):
    """Collects, per <section id>, the text of every table row (cells joined by ' | '), and every tag seen."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.section: str | None = None
        self.rows: dict[str, list[str]] = {}
        self.cells: list[str] | None = None
        self.cell: list[str] | None = None
        self.text: dict[str, list[str]] = {}
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in ("br", "meta", "input", "img", "link", "hr"):
            self.stack.append(tag)
        if tag == "section":
            self.section = dict(attrs).get("id")
        elif tag == "tr":
            self.cells = []
        elif tag in ("td", "th") and self.cells is not None:
            self.cell = []

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}> after {self.stack[-3:]}"
        self.stack.pop()
        if tag in ("td", "th") and self.cell is not None and self.cells is not None:
            self.cells.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.cells is not None:
            self.rows.setdefault(self.section or "", []).append(" | ".join(self.cells))
            self.cells = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)
        self.text.setdefault(self.section or "", []).append(data)


def dataset(kb):
    rules = load_rules(kb=kb)
    k, g, h = kirkuk(), green_zone(), hypothetical_killing()
    hostile = h.model_copy(update={"id": f"2021-03-01-{HOSTILE}", "summary": f"Summary with {HOSTILE}"})
    incidents = [k, g, hostile]
    results = {
        k.id: militia_result(k.id, ordered=0.3, supported=0.3, independent=0.05, isis=0.25, unknown=0.1, with_intervals=True),
        g.id: militia_result(g.id, ordered=0.5, supported=0.3, independent=0.05, isis=0.1, unknown=0.05),
        hostile.id: militia_result(hostile.id, ordered=0.8, supported=0.1, independent=0.02, isis=0.05, unknown=0.03),
    }
    hostile_result = results[hostile.id]
    results[hostile.id] = hostile_result.model_copy(update={"evidence": (hostile_result.evidence[0].model_copy(update={"label": f"claim {HOSTILE}"}), *hostile_result.evidence[1:])})
    first = check(rules, incidents, {k.id: results[k.id]}, now=NOW - dt.timedelta(days=1))
    second = [e.model_copy(update={"previous_status": p.status}) for e, p in zip(check(rules, incidents, results, now=NOW), first)]
    docs = [
        Document.from_text("Rockets hit the K-1 base.", location="https://example.org/k1", title=f"K-1 attack {HOSTILE}", outlet="Example Wire", raw_sha256="ab" * 32),
        Document.from_text("Another report.", location="javascript:alert(1)", title="Odd location"),
    ]
    actions = [Action(id="2019-12-29-us-airstrikes", kind="airstrike", actor="usa", target="kataib-hezbollah", date=dt.date(2019, 12, 29), caused_by=(k.id,), summary="US strikes on five militia sites")]
    statement = RedLineStatement(
        speaker=Source(speaker=None, role="an official at the meeting", outlet="The Washington Post", anonymous=True),
        condition="an American is killed on Iranian instructions", consequence="an immediate US response", date=dt.date(2020, 11, 18),
        evidence=Span(document_id=docs[0].id, start=0, end=10, text=f"quoted {HOSTILE}"),
    )
    return dict(incidents=incidents, results=results, evaluations=first + second, actions=actions, redlines=[statement], documents=docs, rules=rules)


@pytest.fixture(scope="module")
def report(kb, tmp_path_factory):
    data = dataset(kb)
    path = write_html_report(tmp_path_factory.mktemp("report"), generated_at=NOW, **data, kb=KB)
    html = path.read_text(encoding="utf-8")
    parser = Sections()
    parser.feed(html)
    parser.close()
    return path, html, parser, data


def test_writes_index_html(report):
    path, html, parser, _ = report
    assert path.name == "index.html" and html.startswith("<!DOCTYPE html>")
    assert parser.stack == []  # every element closed in order
    assert {"board", "rules", "incidents", "timeline", "statements", "sources", "history"} <= set(parser.rows) | set(parser.text)


def test_board_holds_the_numbers_of_the_evaluations(report):
    _, _, parser, data = report
    rows = parser.rows["board"][1:]
    latest = [e for e in data["evaluations"] if e.evaluated_at == NOW]
    assert len(rows) == len(latest)
    kirkuk_seed = next(r for r in rows if r.startswith("us-american-killed-iran-instructed | 2019-12-27-k1"))
    assert "| watch | 0.28 [0.19, 0.38] | unlikely (low confidence) | preponderance (≥ 0.50) |" in kirkuk_seed
    hostile_seed = next(r for r in rows if r.startswith("us-american-killed-iran-instructed | 2021-03-01-"))
    assert "| tripped | 0.76 | likely (low confidence) |" in hostile_seed
    summary = " ".join(parser.text["board"])
    counts = {s: sum(1 for e in latest if e.status.value == s) for s in ("tripped", "watch", "clear")}
    assert re.search(rf"tripped\s+{counts['tripped']}\b", summary) and re.search(rf"clear\s+{counts['clear']}\b", summary)


def test_incident_section_has_facts_posterior_and_explanation(report):
    _, html, parser, data = report
    rows = parser.rows["incidents"]
    text = " ".join(" ".join(parser.text["incidents"]).split())
    assert "K-1 Air Base, IQ (35.5170, 44.2850)" in text
    assert "killed | US | contractor | 1" in rows and "injured | US | service-member | 4" in rows and "injured | IQ | civilian | 5" in rows
    # posterior line of Kataib Hezbollah on Iranian orders at Kirkuk: prior, posterior, interval
    assert any(r.startswith("kataib-hezbollah | iran | ordered | 0.105 | 0.300 | [0.20, 0.40] |") for r in rows)
    # the explanation table: weights and signed log-LRs per hypothesis column
    header = next(r for r in rows if r.startswith("Evidence | Kind | Source | Weight |"))
    assert "kataib-hezbollahiranordered" in header  # perpetrator / sponsor / relation stacked in the column head
    assert 'title="kataib-hezbollah|iran|ordered"' in html
    assert any(r.startswith("Iraqi intelligence: ISIS more likely | assessed | Iraqi intelligence | 0.80 |") and "+1.40" in r and "-0.70" in r for r in rows)
    # components of each red line for the incident
    assert "casualties = 0.95" in text and "attribution = 0.30" in text
    assert 'id="incident-2019-12-27-k1-air-base-rocket-attack"' in html and 'href="#incident-2019-12-27-k1-air-base-rocket-attack"' in html


def test_ach_matrix_fragment_is_embedded(report):
    _, html, parser, _ = report
    assert html.count('class="tripwire-ach"') == 3  # one per attributed incident
    rows = parser.rows["incidents"]
    # the engine's "no proof of tasking" item counts against "ordered" only: I there, C for the rest
    assert any(r.startswith("No proof of IRGC tasking presented |") and " | I | C | C | C | C | " in r for r in rows)


def test_timeline_statements_sources_history(report):
    _, _, parser, data = report
    timeline = parser.rows["timeline"][1:]
    assert [r.split(" | ")[0] for r in timeline] == sorted(r.split(" | ")[0] for r in timeline)
    assert any(r.startswith("2019-12-29 | action | airstrike | 2019-12-29-us-airstrikes") and r.endswith(kirkuk().id) for r in timeline)
    statements = " ".join(" ".join(parser.text["statements"]).split())
    assert "Unnamed source 2020-11-18" in statements and "The Washington Post (anonymous source)" in statements
    sources = parser.rows["sources"][1:]
    doc = data["documents"][0]
    assert any(doc.id in r and "ab" * 32 in r and "https://example.org/k1" in r and "Example Wire" in r for r in sources)
    history = parser.rows["history"][1:]
    assert len(history) == len(data["evaluations"])
    assert any("| watch → watch |" in r or "| new → watch |" in r for r in history)


def test_hostile_strings_are_escaped(report):
    _, html, parser, _ = report
    assert "<script" not in html
    assert html.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") >= 5  # incident id, summary, title, quoted span, evidence label
    assert not any(tag == "script" for tag, _ in parser.tags)
    hrefs = [a.get("href") or "" for tag, a in parser.tags if tag == "a"]
    assert "javascript:alert(1)" not in hrefs and "https://example.org/k1" in hrefs
    assert all(h.startswith(("#", "https://example.org")) for h in hrefs)


def test_self_contained(report):
    _, html, parser, _ = report
    assert not any(tag in ("link", "img", "script", "iframe") for tag, _ in parser.tags)
    assert "@import" not in html and "url(" not in html
    assert "<style>" in html and ".badge" in html


def test_unwritable_output_is_a_clean_error(tmp_path, kb):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InputError, match="cannot write the report"):
        write_html_report(blocker / "sub", incidents=[], results={}, evaluations=[], kb=KB)


def test_empty_report_renders(tmp_path):
    html = write_html_report(tmp_path, incidents=[], results={}, evaluations=[], kb=KB).read_text()
    assert "No evaluations yet" in html and "No incidents in the store." in html


def test_build_report_and_command_from_sqlite(tmp_path, kb):
    data = dataset(kb)
    url = f"sqlite:///{tmp_path / 'tw.db'}"
    k = kirkuk()
    with Store(url) as store:
        for doc in data["documents"]:
            store.add_document(doc)
        for inc in data["incidents"]:
            store.save_incident(inc)
        for act in data["actions"]:
            store.save_action(act)
        for res in data["results"].values():
            store.save_attribution(res)
        check_and_record(store, data["rules"], data["incidents"], data["results"], now=NOW)
        path = write_report(Context(Settings(), kb, store), tmp_path / "lib", rules=data["rules"], generated_at=NOW)
    html = path.read_text()
    assert "0.28 [0.19, 0.38]" in html and "kataib-hezbollah|iran|ordered" in html and k.id in html and data["documents"][0].id in html
    res = CliRunner().invoke(app, ["report", "--db", url, "--out", str(tmp_path / "cli")], catch_exceptions=False)
    assert res.exit_code == 0, res.stderr
    assert Path(res.stdout.strip()) == tmp_path / "cli" / "index.html"
    assert "0.28 [0.19, 0.38]" in (tmp_path / "cli" / "index.html").read_text()


CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="no chromium at /usr/bin/chromium")
def test_renders_in_headless_chromium(report, tmp_path):
    path, _, _, _ = report
    png = tmp_path / "report.png"
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1280,2400", f"--screenshot={png}", path.as_uri()],
        check=True, capture_output=True, timeout=120,
    )
    assert png.exists() and png.stat().st_size > 20_000  # a real rendering, not a blank page


def test_a_report_that_fails_midway_leaves_the_last_one_in_place(tmp_path, kb, monkeypatch):
    """The report is streamed to a side file and put in place whole: a failure while rendering keeps the previous report."""
    import tripwire.report.html as html_module

    data = dataset(kb)
    path = write_html_report(tmp_path, generated_at=NOW, **data, kb=KB)
    before = path.read_text(encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("rendering failed")

    monkeypatch.setattr(html_module, "incident_view", broken)
    with pytest.raises(RuntimeError, match="rendering failed"):
        write_html_report(tmp_path, generated_at=NOW + dt.timedelta(days=1), **data, kb=KB)
    assert path.read_text(encoding="utf-8") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html"]


def test_each_incident_section_shows_only_its_own_current_evaluations(report):
    _, _, _, data = report
    from tripwire.report.html import ReportData, _IncidentViews

    views = _IncidentViews(data["incidents"], ReportData(incidents=data["incidents"], results=data["results"], evaluations=data["evaluations"], kb=KB))
    assert len(views) == len(data["incidents"])
    for view in views:
        assert view.evaluations and {e.incident_id for e in view.evaluations} == {view.incident.id}
        assert all(e.evaluated_at == NOW for e in view.evaluations)  # the newest of each rule, not the day-before ones
