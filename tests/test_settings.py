from __future__ import annotations

from pathlib import Path

import pytest

from tripwire.errors import SettingError
from tripwire.settings import SETTINGS, Settings, masked, settings_markdown

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
        ({"TRIPWIRE_STIX_TYPED_INCIDENT_LINKS": "true"}, "stix_typed_incident_links", True),
        ({"TRIPWIRE_DASK_SCHEDULER": "tcp://10.0.0.5:8786"}, "dask_scheduler", "tcp://10.0.0.5:8786"),
        ({}, "dask_scheduler", ""),
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
        ({"dask_scheduler": 8786}, "expects a string"),
    ],
)
def test_bad_values_are_refused(values: dict[str, object], message: str) -> None:
    with pytest.raises(SettingError, match=message):
        Settings(values, environ={})


def test_settings_pickle_for_dask_workers() -> None:
    """Workers on other machines get the engine's settings by pickle: the copy holds the same values."""
    import pickle

    settings = Settings({"seed": 5, "dask_scheduler": "local"}, environ={})
    copy = pickle.loads(pickle.dumps(settings))
    assert dict(copy) == dict(settings) and copy.seed == 5 and copy.dask_scheduler == "local"
    with pytest.raises(AttributeError):
        copy._no_such  # noqa: B018 - private names are not settings


def test_unparseable_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("seed = = 3", encoding="utf-8")
    with pytest.raises(SettingError, match="does not parse"):
        Settings.from_file(path)


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("api_token", "s3cret-token", "***"),
        ("api_token", "", ""),
        ("database_url", "postgresql+psycopg://analyst:hunter2@db.internal:5432/tripwire", "postgresql+psycopg://analyst:***@db.internal:5432/tripwire"),
        ("database_url", "postgresql://analyst:p%40ss:w@db/tw?sslmode=require", "postgresql://analyst:***@db/tw?sslmode=require"),
        ("database_url", "postgresql+psycopg://analyst@db/tw?password=hunter2&sslmode=require", "postgresql+psycopg://analyst@db/tw?password=***&sslmode=require"),
        ("database_url", "postgresql+psycopg://analyst@db/tw", "postgresql+psycopg://analyst@db/tw"),
        ("database_url", "sqlite:///tripwire.db", "sqlite:///tripwire.db"),
        ("http_timeout", 20.0, 20.0),
    ],
)
def test_secrets_are_masked_for_display(name: str, value: object, shown: object) -> None:
    assert masked(name, value) == shown


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_the_settings_command_never_prints_secrets(fmt: str) -> None:
    from typer.testing import CliRunner

    from tripwire.cli import app

    env = {"TRIPWIRE_API_TOKEN": "tok-9f8e7d", "TRIPWIRE_DATABASE_URL": "postgresql+psycopg://analyst:hunter2@db.internal/tw", "COLUMNS": "400"}
    result = CliRunner().invoke(app, ["settings", "--format", fmt], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "tok-9f8e7d" not in result.output and "hunter2" not in result.output
    assert "analyst:***@db.internal/tw" in result.output
