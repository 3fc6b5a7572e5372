"""Lazy packages (tripwire.lazy_exports): cheap imports, every export reachable, and the CLI's import path kept light."""

from __future__ import annotations

import importlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

import tripwire

PACKAGES = ["tripwire", "tripwire.attribute", "tripwire.escalate", "tripwire.escalate.hawkes", "tripwire.extract", "tripwire.ingest",
            "tripwire.interop", "tripwire.knowledge", "tripwire.redlines", "tripwire.report", "tripwire.store"]
HEAVY = ("scipy", "stix2", "duckdb", "pyarrow", "pandas", "alembic", "requests", "numba", "dask")
EXAMPLE = Path(str(importlib.resources.files("tripwire") / "examples" / "articles" / "2020-03-13-camp-taji-attack.md"))


def _modules_after(code: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"],
                          capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_export_resolves_to_its_submodule_object(package: str) -> None:
    module = importlib.import_module(package)
    for name in module.__all__:
        if name == "__version__":
            continue
        if package == "tripwire" and importlib.util.find_spec(f"tripwire.{name}") is not None:
            continue  # `tripwire.extract`/`tripwire.ingest` also name subpackages: once imported, the package wins (as before)
        value = getattr(module, name)
        home = importlib.import_module(module._lazy_exports[name], package)
        assert value is getattr(home, name)
        assert name in dir(module)


@pytest.mark.parametrize("package", PACKAGES)
def test_unknown_name_is_an_attribute_error(package: str) -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        getattr(importlib.import_module(package), "no_such_thing")


@pytest.mark.parametrize(
    ("package", "name"),
    [("tripwire.ingest", "ingest"), ("tripwire.redlines", "check"), ("tripwire.extract", "merge")],
)
def test_a_submodule_named_like_an_export_does_not_replace_it(package: str, name: str) -> None:
    code = f"import {package}.{name}\nfrom {package} import {name}\nassert callable({name}) and not hasattr({name}, '__file__'), {name}"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_subpackage_is_bound_when_imported() -> None:
    code = "import tripwire\nimport tripwire.extract.lexicon\nassert tripwire.extract.lexicon.lexicon_for"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("package", PACKAGES)
def test_importing_a_package_imports_no_heavy_library(package: str) -> None:
    assert _heavy(_modules_after(f"import {package}")) == []


def test_the_command_line_imports_no_heavy_library() -> None:
    """What `tripwire --help` imports: the CLI with every command registered."""
    modules = _modules_after("import tripwire.cli")
    assert _heavy(modules) == []
    assert "tripwire.model" not in modules and "pydantic" not in modules


def test_extracting_one_article_imports_no_heavy_library(tmp_path: Path) -> None:
    code = (f"import sys\nsys.argv = ['tripwire', 'extract', {str(EXAMPLE)!r}, '--format', 'json']\nfrom tripwire.cli import app\n"
            "try:\n    app()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code")
    modules = _modules_after(code)
    assert _heavy(modules) == []
    assert "sqlalchemy" not in modules


def test_version_is_plain() -> None:
    assert tripwire.__version__.count(".") == 2
