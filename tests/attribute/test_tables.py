from __future__ import annotations

import pytest

from tripwire.attribute import Attributor, EvidenceTables
from tripwire.errors import KnowledgeError
from tripwire.knowledge import KnowledgeBase
from tripwire.settings import Settings

from .cases import GREEN_ZONE


@pytest.mark.parametrize(("word", "strength"), [("apparently", 0.5), ("Not yet  clear", 0.5), ("it was apparently so", 0.5), ("murky", 0.7)])
def test_hedge_lookup(word, strength):
    assert EvidenceTables.load().hedge(word) == strength


def test_user_folder_overrides_tables(tmp_path):
    (tmp_path / "evidence.yaml").write_text("hedges:\n  apparently: 0.9\n", encoding="utf-8")
    t = EvidenceTables.load(tmp_path)
    assert t.hedge("apparently") == 0.9 and t.hedge("reportedly") == 0.7
    s = Settings({"knowledge_dir": str(tmp_path), "interval_draws": 0}, environ={})
    post = next(c for c in Attributor(KnowledgeBase.load(), settings=s).attribute(GREEN_ZONE).evidence if c.kind == "alleged")
    assert post.weight == pytest.approx(0.45)


@pytest.mark.parametrize("text", ["hedges:\n  apparently: 1.5\n", "statements:\n  disputed: {if_true: 0}\n", "[1, 2]\n", "hedges: {default: x}\n",
                                  "timing:\n  peak_lr: -1\n", ": bad: yaml: ["])
def test_bad_tables_are_knowledge_errors(tmp_path, text):
    (tmp_path / "evidence.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError):
        EvidenceTables.load(tmp_path)
