"""The on-disk cache of derived tables (tripwire.cache): keyed by what built them, atomic, and never a source of errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tripwire import cache
from tripwire.knowledge import KnowledgeBase


@pytest.fixture()
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TRIPWIRE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ((["x"], ()), (["y"], ())),
        ((["ab", "c"], ()), (["a", "bc"], ())),  # parts are length-prefixed, not concatenated
        ((["x"], ("tripwire.cache",)), (["x"], ("tripwire.jit",))),  # the source of the building code counts
    ],
)
def test_keys_differ_with_what_built_them(a: tuple, b: tuple) -> None:
    assert cache.key_for("t", a[0], code=a[1]) != cache.key_for("t", b[0], code=b[1])
    assert cache.key_for("t", a[0], code=a[1]) == cache.key_for("t", a[0], code=a[1])


def test_round_trip_and_persistent_references(folder: Path) -> None:
    shared = object()
    assert cache.store("k", {"x": [1, 2], "ref": shared}, persistent_id=lambda o: "shared" if o is shared else None)
    assert (folder / "k.pickle").is_file()
    assert oct((folder).stat().st_mode & 0o777) == oct(0o700)
    back = cache.load("k", persistent_load=lambda ref: shared if ref == "shared" else None)
    assert back == {"x": [1, 2], "ref": shared} and back["ref"] is shared
    assert [p.name for p in folder.iterdir()] == ["k.pickle"]  # no temporary file left


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05\x95"])
def test_damaged_file_is_a_miss(folder: Path, damage: bytes) -> None:
    folder.mkdir()
    (folder / "k.pickle").write_bytes(damage)
    assert cache.load("k") is None


def test_off_and_unwritable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIPWIRE_CACHE_DIR", "off")
    assert cache.cache_dir() is None and not cache.store("k", 1) and cache.load("k") is None
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("TRIPWIRE_CACHE_DIR", str(blocker / "sub"))
    assert not cache.store("k", 1) and cache.load("k") is None


def test_default_folder_is_per_user(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TRIPWIRE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "tripwire"


def _load_in_child(env: dict[str, str], extra: str = "") -> dict:
    code = ("import json, time\nfrom tripwire.knowledge import KnowledgeBase\nt = time.perf_counter()\n"
            f"kb = KnowledgeBase.load({extra!r} or None)\n"
            "print(json.dumps({'places': len(kb.places), 'actors': sorted(kb.actors), 'key': kb.cache_key}))")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_knowledge_base_is_rebuilt_when_a_file_changes(folder: Path, tmp_path: Path, kb: KnowledgeBase) -> None:
    env = {**os.environ, "TRIPWIRE_CACHE_DIR": str(folder)}
    first = _load_in_child(env)
    assert (folder / f"{first['key']}.pickle").is_file()
    again = _load_in_child(env)
    assert again == first and first["places"] == len(kb.places) and first["actors"] == sorted(kb.actors)
    extra = tmp_path / "kb"
    extra.mkdir()
    (extra / "actors.yaml").write_text("actors:\n  - id: test-brigade\n    name: Test Brigade\n    kind: militia\n", encoding="utf-8")
    edited = _load_in_child(env, str(extra))
    assert edited["key"] != first["key"] and "test-brigade" in edited["actors"]
    (extra / "actors.yaml").write_text("actors:\n  - id: other-brigade\n    name: Other Brigade\n    kind: militia\n", encoding="utf-8")
    changed = _load_in_child(env, str(extra))
    assert changed["key"] != edited["key"] and "other-brigade" in changed["actors"] and "test-brigade" not in changed["actors"]
