"""docs/hardening.md names the test behind each promise: every file and test it names must exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOC = (REPO / "docs" / "hardening.md").read_text(encoding="utf-8")
#: `path/to/test_x.py::test_name` or `test_x.py::test_name` (``*`` at the end: a prefix), or just `test_x.py`
REFERENCE = re.compile(r"`((?:[\w./-]+/)?test_\w+\.py)(?:::(test_\w+)(\*|\[\*\])?)?`")


def _resolve(name: str) -> Path:
    path = REPO / name if "/" in name else REPO / "tests" / "hardening" / name
    assert path.exists(), f"docs/hardening.md names {name}, which does not exist"
    return path


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


REFERENCES = sorted(set(REFERENCE.findall(DOC)))


def test_the_page_names_its_tests() -> None:
    assert len(REFERENCES) >= 40


@pytest.mark.parametrize(("file", "test", "prefix"), REFERENCES, ids=[f"{f}::{t}" if t else f for f, t, _ in REFERENCES])
def test_every_named_test_exists(file: str, test: str, prefix: str) -> None:
    path = _resolve(file)
    if not test:
        return
    names = _tests_in(path)
    if prefix == "*":
        assert any(n.startswith(test) for n in names), f"no test in {file} starts with {test}"
    else:
        assert test in names, f"docs/hardening.md names {file}::{test}, which does not exist"


def test_named_reproducers_exist() -> None:
    for name in re.findall(r"`fuzz/crashes/([\w.-]+)`", DOC):
        assert (REPO / "fuzz" / "crashes" / name).exists(), name
