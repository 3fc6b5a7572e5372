"""The STIX bundle exported from the bundled examples, through the normal pipeline, passes the OASIS validator and ``stix2.parse``.

``tripwire brief`` ingests, extracts, attributes and checks the example
articles and feed; ``tripwire export --format stix`` writes the bundle; the
OASIS ``stix2-validator`` checks it in strict mode (every warning an error,
no check disabled) and in interop mode (the STIX 2.1 interoperability
profile: ``created_by_ref`` to a producer identity on every object,
threat-actor types, roles, sophistication, resources and motivation,
location regions), and ``stix2.parse`` reads it without custom content
allowed, as OpenCTI-class importers do. With ``stix_typed_incident_links``
the only strict findings are the typed incident links (check 202).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import stix2

from tripwire.app import open_context
from tripwire.app.outputs import export
from tripwire.interop.stix_common import EXTENSION_ID, TLP_IDS
from tripwire.app.jobs import run_brief
from tripwire.settings import Settings

validator = pytest.importorskip("stix2validator")

NOW = dt.datetime(2021, 3, 1, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    tmp = tmp_path_factory.mktemp("stix")
    settings = Settings({"database_url": f"sqlite:///{tmp / 'tw.db'}", "report_dir": str(tmp / "report"), "interval_draws": 100}, environ={})
    run_brief(settings, now=NOW)
    with open_context(settings) as ctx:
        (path,) = export(ctx, tmp / "bundle.json", format="stix")
    return path, json.loads(path.read_text(encoding="utf-8"))


def _database(exported: tuple[Path, dict]) -> str:
    return f"sqlite:///{exported[0].parent / 'tw.db'}"


def _findings(path: Path, **options: object) -> list[str]:
    results = validator.validate_file(str(path), validator.ValidationOptions(**options))
    return [str(e) for r in results.object_results for e in [*r.errors, *r.warnings]]


def test_strict_validation_passes_with_no_check_disabled(exported: tuple[Path, dict]) -> None:
    path, data = exported
    assert _findings(path, strict=True) == []
    results = validator.validate_file(str(path), validator.ValidationOptions(strict=True))
    assert results.is_valid and len(data["objects"]) > 50


def test_interop_validation_passes(exported: tuple[Path, dict]) -> None:
    path, data = exported
    assert _findings(path, strict=True, interop=True) == []
    producers = {o["id"] for o in data["objects"] if o["type"] == "identity" and "created_by_ref" in o}
    assert all(o["created_by_ref"] in producers for o in data["objects"])
    actors = [o for o in data["objects"] if o["type"] == "threat-actor"]
    assert actors and all(o["threat_actor_types"] and o["roles"] for o in actors)
    assert all(o["region"] for o in data["objects"] if o["type"] == "location")


def test_typed_incident_links_are_the_only_strict_findings(tmp_path: Path, exported: tuple[Path, dict]) -> None:
    settings = Settings({"database_url": _database(exported), "stix_typed_incident_links": True}, environ={})
    with open_context(settings) as ctx:
        (path,) = export(ctx, tmp_path / "typed.json", format="stix")
    findings = _findings(path, strict=True)
    typed = [o for o in json.loads(path.read_text(encoding="utf-8"))["objects"]
             if o["type"] == "relationship" and o["source_ref"].startswith("incident--") and o["relationship_type"] in ("attributed-to", "located-at")]
    assert typed and len(findings) == len(typed)
    for f in findings:
        assert re.search(r"\{202\} 'incident' is permitted, but not a suggested relationship source object for the '(attributed-to|located-at)'", f), f
    assert _findings(path, strict=True, disabled=["relationship-types"]) == []


def test_parses_without_custom_content(exported: tuple[Path, dict]) -> None:
    path, _ = exported
    bundle = stix2.parse(path.read_text(encoding="utf-8"), allow_custom=False)
    assert len(bundle.objects) == len(exported[1]["objects"])


def test_bundle_content_from_the_pipeline(exported: tuple[Path, dict]) -> None:
    _, data = exported
    objects = data["objects"]
    kinds = {o["type"] for o in objects}
    assert {"incident", "threat-actor", "identity", "relationship", "opinion", "note", "location", "extension-definition"} <= kinds
    events = [o for o in objects if o["type"] == "incident"]
    attacks = [o for o in events if o["extensions"][EXTENSION_ID]["event"] == "incident"]
    actions = [o for o in events if o["extensions"][EXTENSION_ID]["event"] == "action"]
    assert len(attacks) == 5 and actions  # the five example attacks, and the strikes and votes reported beside them
    assert all(o["created"] >= "2019-12-27" for o in events)  # dated from the articles, not 2000-01-01
    assert all(o["object_marking_refs"] == [TLP_IDS["amber"]] for o in objects)
    urls = [r["url"] for o in attacks for r in o.get("external_references", []) if "url" in r]
    assert len(urls) >= 5 and all(u.startswith("https://example.org/tripwire/") for u in urls)
    links = [o for o in objects if o["type"] == "relationship" and o["extensions"][EXTENSION_ID].get("relationship") == "attributed-to"
             and o["source_ref"].startswith("incident--")]
    assert links and all(o["confidence"] >= 50 for o in links if o["extensions"][EXTENSION_ID]["role"] in ("perpetrator", "sponsor"))
    posterior = [row for o in attacks for row in o["extensions"][EXTENSION_ID]["posterior"]]
    assert posterior and all(row["analytic_confidence"] in ("low", "moderate", "high") for row in posterior)
