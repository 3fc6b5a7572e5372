"""docs/notebook.md is a notebook written out: every python block runs, in order, in one namespace, in an empty folder."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[1] / "docs" / "notebook.md"


def _blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL | re.MULTILINE)


@pytest.mark.slow
def test_notebook_runs_from_articles_to_a_posterior_table_and_a_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocks = _blocks()
    assert len(blocks) >= 6
    namespace: dict[str, object] = {"__name__": "notebook"}
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        for n, code in enumerate(blocks):
            exec(compile(code, f"{DOC}:block{n + 1}", "exec"), namespace)  # noqa: S102 - our own documentation
    finally:
        os.chdir(cwd)
    out = capsys.readouterr().out
    assert out.startswith("5 incidents, 8 actions")
    # the posterior table: one Al Asad row per hypothesis, ranked, with an interval around each probability
    al_asad = namespace["al_asad"]
    assert list(al_asad["rank"]) == list(range(1, len(al_asad) + 1))  # type: ignore[index]
    assert (al_asad["lower"] <= al_asad["probability"]).all() and (al_asad["probability"] <= al_asad["upper"]).all()  # type: ignore[index]
    assert al_asad.iloc[0]["sponsor"] == "iran"  # type: ignore[attr-defined]
    assert "no chance" not in set(al_asad["words"].head(1))  # type: ignore[index]
    plot = tmp_path / "al-asad-posterior.png"
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and plot.stat().st_size > 5_000
    assert (tmp_path / "notebook.db").is_file() and (tmp_path / "report" / "index.html").is_file()
