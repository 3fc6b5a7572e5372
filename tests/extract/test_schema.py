"""docs/extraction.schema.json is the JSON Schema of the extractor's output, regenerated from the model."""

from __future__ import annotations

import json
from pathlib import Path

from tripwire.model import Extraction

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "extraction.schema.json"


def test_committed_schema_matches_model() -> None:
    assert json.loads(SCHEMA.read_text(encoding="utf-8")) == Extraction.model_json_schema(), (
        "regenerate with: python -c \"import json; from tripwire.model import Extraction; "
        "print(json.dumps(Extraction.model_json_schema(), indent=2, sort_keys=True))\" > docs/extraction.schema.json"
    )
