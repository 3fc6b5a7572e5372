from __future__ import annotations

from pathlib import Path

import pytest

from tripwire.errors import SettingError
from tripwire.settings import SETTINGS, Settings, settings_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


def test_docs_list_every_setting_exactly() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert settings_markdown() in text
    for setting in SETTINGS:
        assert f"`{setting.name}`" in text


def test_every_setting_has_help_and_a_default_of_its_type() -> None:
    names = [s.name for s in SETTINGS]
    assert len(names) == len(set(names))
    for s in SETTINGS:
        assert s.help.strip().endswith((".", ")"))
        assert isinstance(s.default, s.type)


@pytest.mark.parametrize(
    ("env", "name", "expected"),
    [
        ({"TRIPWIRE_WATCH_FRACTION": "0.25"}, "watch_fraction", 0.25),
        ({"TRIPWIRE_PROGRESS": "off"}, "progress", False),
        ({"TRIPWIRE_SEED": "7"}, "seed", 7),
        ({"TRIPWIRE_DATABASE_URL": "sqlite:///x.db"}, "database_url", "sqlite:///x.db"),
        ({"TRIPWIRE_STIX_TLP": "clear"}, "stix_tlp", "clear"),
        ({"TRIPWIRE_STIX_ATTRIBUTION_FLOOR": "0.2"}, "stix_attribution_floor", 0.2),
    ],
)
def test_environment_overrides(env: dict[str, str], name: str, expected: object) -> None:
    assert Settings(environ=env)[name] == expected


def test_file_then_environment_precedence(tmp_path: Path) -> None:
    path = tmp_path / "tripwire.toml"
    path.write_text('seed = 11\nreport_dir = "out"\n', encoding="utf-8")
    settings = Settings.from_file(path, environ={"TRIPWIRE_SEED": "12"})
    assert settings.seed == 12 and settings.report_dir == "out"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"no_such": 1}, "unknown setting"),
        ({"seed": "many"}, "expects int"),
        ({"progress": "perhaps"}, "true/false"),
        ({"database_url": 5}, "expects a string"),
        ({"stix_attribution_floor": "half"}, "expects float"),
    ],
)
def test_bad_values_are_refused(values: dict[str, object], message: str) -> None:
    with pytest.raises(SettingError, match=message):
        Settings(values, environ={})


def test_unparseable_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("seed = = 3", encoding="utf-8")
    with pytest.raises(SettingError, match="does not parse"):
        Settings.from_file(path)
