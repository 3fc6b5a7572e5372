"""Reading YAML that people hand to Tripwire (rule files, settings files, knowledge folders) with bounded cost.

``yaml.safe_load`` builds no arbitrary objects, but it still follows anchors
and aliases: a few hundred bytes of nested aliases (the "billion laughs" bomb)
describe a tree of 10^9 nodes that every later step walks, and an alias inside
its own anchor (``a: &a [*a]``) builds a structure that contains itself, which
ends in a ``RecursionError``. :func:`load_yaml` composes the node graph first
and refuses it, before building anything, when

* its expanded size (aliases counted as copies) exceeds :data:`MAX_NODES`,
* it nests deeper than :data:`MAX_DEPTH`, or
* an alias refers to a node that contains it.

The refusal is a :class:`YAMLLimitError`, a ``yaml.YAMLError`` whose
``problem`` says which limit was hit, so callers that already turn YAML errors
into clean messages need nothing more.
"""

from __future__ import annotations

from typing import Any

import yaml

#: Most nodes a document may expand to (a rule file or knowledge file has a few thousand).
MAX_NODES = 200_000
#: Deepest nesting of mappings and lists a document may have.
MAX_DEPTH = 64


class YAMLLimitError(yaml.YAMLError):
    """A YAML document over one of the bounds of :func:`load_yaml`."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = None


def _expanded_size(node: yaml.Node, sizes: dict[int, int], open_nodes: set[int], depth: int) -> int:
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in open_nodes:
        raise YAMLLimitError("an alias refers to a node that contains it (a recursive structure)")
    if depth > MAX_DEPTH:
        raise YAMLLimitError(f"it nests deeper than {MAX_DEPTH} levels")
    size = 1
    if isinstance(node, (yaml.SequenceNode, yaml.MappingNode)):
        open_nodes.add(key)
        children = node.value if isinstance(node, yaml.SequenceNode) else [part for pair in node.value for part in pair]
        for child in children:
            size += _expanded_size(child, sizes, open_nodes, depth + 1)
            if size > MAX_NODES:
                raise YAMLLimitError(f"its aliases expand to more than {MAX_NODES:,} nodes (an alias bomb?)")
        open_nodes.discard(key)
    sizes[key] = size
    return size


def load_yaml(text: str) -> Any:
    """The one YAML document in ``text``, like ``yaml.safe_load``, within the bounds above."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node, {}, set(), 0)
        return loader.construct_document(node)
    finally:
        loader.dispose()


__all__ = ["MAX_DEPTH", "MAX_NODES", "YAMLLimitError", "load_yaml"]
