"""Bounded YAML: alias bombs, self-referencing aliases and deep nesting are refused before anything is built."""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest

from tripwire.errors import KnowledgeError, RuleError, SettingError
from tripwire.knowledge import KnowledgeBase
from tripwire.knowledge.base import read_yaml_mapping
from tripwire.redlines import parse_rules
from tripwire.settings import Settings
from tripwire.yamlfiles import MAX_DEPTH, YAMLLimitError, load_yaml


def bomb(levels: int = 9, width: int = 9) -> str:
    """The classic alias bomb: each level lists the previous one ``width`` times (width ** levels leaves)."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + f"\nrules: *a{levels - 1}\n"


CASES = [
    pytest.param(bomb(), "expand to more than", id="billion-laughs"),
    pytest.param("a: &a [*a]\n", "refers to a node that contains it", id="self-referencing-list"),
    pytest.param("a: &a {b: *a}\n", "refers to a node that contains it", id="self-referencing-mapping"),
    pytest.param("x: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n", f"deeper than {MAX_DEPTH}", id="deep-nesting"),
]


@pytest.mark.parametrize(("text", "problem"), CASES)
def test_the_loader_refuses_fast_and_small(text: str, problem: str) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with pytest.raises(YAMLLimitError, match=problem):
        load_yaml(text)
    assert time.perf_counter() - started < 2.0
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB: far from the 2.25 GB once seen


def test_ordinary_documents_and_shared_anchors_still_load() -> None:
    text = "defaults: &d {standard: preponderance}\nrules:\n  - {<<: *d, id: a}\n  - {<<: *d, id: b}\n"
    assert load_yaml(text) == {"defaults": {"standard": "preponderance"}, "rules": [{"standard": "preponderance", "id": "a"}, {"standard": "preponderance", "id": "b"}]}
    assert load_yaml("") is None


@pytest.mark.parametrize(("text", "problem"), CASES)
def test_every_yaml_a_person_supplies_gets_a_clean_error(tmp_path: Path, text: str, problem: str) -> None:
    assert len(bomb().encode()) < 700  # the size of the bomb the issue reported (606 bytes)
    with pytest.raises(RuleError, match=f"is not valid YAML: .*{problem}"):
        parse_rules(text, origin="bomb.yaml", kb=KnowledgeBase.load())
    with pytest.raises(KnowledgeError, match=problem):
        read_yaml_mapping("actors.yaml", text)
    path = tmp_path / "settings.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingError, match=problem):
        Settings.from_file(path, environ={})
