"""The Python API as documented in docs/python-api.md: the first example runs and says what it claims."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import tripwire

DOC = Path(__file__).resolve().parents[1] / "docs" / "python-api.md"


def test_every_export_resolves() -> None:
    for name in tripwire.__all__:
        assert getattr(tripwire, name) is not None
    with pytest.raises(AttributeError):
        tripwire.no_such_thing  # noqa: B018


def test_documented_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    code = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)[0]
    exec(compile(code, str(DOC), "exec"), {})  # noqa: S102 - our own documentation
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "2020-03-11 Camp Taji 2"
    p_ordered = float(out[1])
    assert 0.0 < p_ordered < 1.0
    statuses = [line.split()[1] for line in out if line.startswith("us-american-killed-iran-instructed")]
    assert statuses and statuses[0] in {"clear", "watch", "tripped"}
