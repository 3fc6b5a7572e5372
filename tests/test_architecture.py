"""The layers of docs/architecture.md, held by the imports the source actually makes.

Every ``import`` and ``from ... import`` in ``src/tripwire`` (at module level
or inside a function) is read with :mod:`ast` and resolved to the Tripwire
module it names. The test fails when a stage package imports the store, the
application layer, the web app, the CLI or a later stage, when the store
imports a stage, when anything below the CLI imports the CLI, or when two
modules import each other.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "tripwire"

#: Modules every layer may use: domain types, errors, settings, knowledge and small shared helpers.
BASE = {"tripwire", "errors", "model", "settings", "yamlfiles", "cache", "jit", "icd203", "jsonable", "cluster", "batching", "knowledge"}
#: The stages, in the direction data flows; a stage may import only the stages before it.
STAGES = ["ingest", "extract", "attribute", "redlines", "escalate", "report", "interop"]
#: What each layer above the stages may import (besides BASE).
ABOVE = {
    "store": set(),
    "frames": {*STAGES},
    "app": {*STAGES, "store", "frames"},
    "web": {*STAGES, "store", "frames", "app"},
    "cli": {*STAGES, "store", "frames", "app", "web"},
    "__main__": {"cli"},
}
#: Known, deliberate exceptions: (importing layer, imported layer) -> why.
ALLOWED = {
    ("model", "frames"): "the _repr_html_ display hooks of results render their notebook table through tripwire.frames",
}


def _module(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level(tree: ast.Module) -> list[ast.stmt]:
    """The statements run when the module is imported (``if TYPE_CHECKING:`` blocks left out)."""
    return [n for n in tree.body if not (isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test))]


def imports(*, module_level: bool = False) -> dict[str, set[str]]:
    """Tripwire module -> the Tripwire modules it imports (names imported from a package count as its submodules).

    ``module_level``: only the imports that run when the module is imported
    (not those inside functions or ``TYPE_CHECKING`` blocks).
    """
    out: dict[str, set[str]] = defaultdict(set)
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        name = _module(path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = _top_level(tree) if module_level else list(ast.walk(tree))
        for node in nodes:
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if target.split(".")[0] == "tripwire":
                    out[name].add(target)
                    out[name].update(f"{target}.{a.name}" for a in node.names if (SRC.parent / f"{target}.{a.name}".replace(".", "/")).with_suffix(".py").exists()
                                     or (SRC.parent / f"{target}.{a.name}".replace(".", "/")).is_dir())
            elif isinstance(node, ast.Import):
                out[name].update(a.name for a in node.names if a.name.split(".")[0] == "tripwire")
    return out


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "tripwire"


def allowed(src: str, dst: str) -> bool:
    """Whether layer ``src`` may import layer ``dst`` (docs/architecture.md)."""
    if src == dst or dst in BASE or dst == "__version__" or (src, dst) in ALLOWED:
        return True
    if src in BASE:
        return False
    if src in STAGES:
        return dst in STAGES and STAGES.index(dst) < STAGES.index(src)
    return dst in ABOVE.get(src, set())


def violations() -> list[str]:
    return sorted(f"{m} imports {t}" for m, targets in imports().items() for t in targets if not allowed(layer(m), layer(t)))


def test_every_import_follows_the_layers() -> None:
    assert violations() == []


def test_every_layer_is_known() -> None:
    layers = {layer(m) for m in imports()} | {p.stem if p.is_file() else p.name for p in SRC.iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()}
    known = BASE | set(STAGES) | set(ABOVE) | {"__init__"}
    assert layers <= known, f"new top-level modules need a place in docs/architecture.md: {sorted(layers - known)}"


def test_no_two_modules_import_each_other() -> None:
    """No import cycle when modules load (a function may import a module that imports its own; that runs later)."""
    graph = imports(module_level=True)
    pairs = sorted({tuple(sorted((a, b))) for a, targets in graph.items() for b in targets if b != a and a in graph.get(b, set())})
    # a package __init__ naming its own submodules for lazy export is not a cycle
    pairs = [(a, b) for a, b in pairs if not (b.startswith(a + ".") or a.startswith(b + "."))]
    assert pairs == []


@pytest.mark.parametrize(
    ("src", "dst", "ok"),
    [
        ("extract", "ingest", True),
        ("ingest", "extract", False),
        ("attribute", "store", False),
        ("redlines", "app", False),
        ("report", "cli", False),
        ("interop", "web", False),
        ("store", "extract", False),
        ("app", "store", True),
        ("app", "cli", False),
        ("web", "app", True),
        ("web", "cli", False),
        ("cli", "web", True),
        ("model", "store", False),
        ("model", "frames", True),
    ],
)
def test_the_rule_itself(src: str, dst: str, ok: bool) -> None:
    assert allowed(src, dst) is ok


def test_the_checker_sees_function_level_and_relative_imports(tmp_path: Path) -> None:
    """A stage importing the store inside a function is found (the checker reads the real tree, so this checks its parser)."""
    graph = imports()
    assert "tripwire.store" in graph["tripwire.app.context"]  # `from ..store import Store` inside open_context
    assert "tripwire.ingest.fetch" in graph["tripwire.ingest.loading"]


def test_only_the_application_layer_loads_the_knowledge_base() -> None:
    """Stages take the knowledge base as an argument; ``KnowledgeBase.load`` is called in tripwire.app (and defined in tripwire.knowledge)."""
    callers = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "load" \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "KnowledgeBase":
                callers.add(layer(_module(path)))
    assert callers <= {"app", "knowledge"}, callers
