"""The house: layers import only downward, and nothing imports in a circle.

Every ``import`` of a ``bilingual`` module in ``src/`` counts, inside functions too (a late import
is still a dependency); only those under ``if TYPE_CHECKING:`` do not.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

# bottom to top; a module may import its own floor and the floors below
LAYERS = [
    ("bilingual.errors", "bilingual.config", "bilingual.cache"),
    ("bilingual.models", "bilingual.languages"),
    ("bilingual.text",),
    ("bilingual.translation",),
    ("bilingual.documents", "bilingual.summarization", "bilingual.evaluation"),
    ("bilingual.api", "bilingual.corpus", "bilingual.corpus_ray", "bilingual.service", "bilingual.ui"),
    ("bilingual.server", "bilingual.cli", "bilingual.serve", "bilingual.__main__", "bilingual"),
]


@functools.cache
def modules() -> dict[str, Path]:
    found = {}
    for path in (SRC / "bilingual").rglob("*.py"):
        parts = path.relative_to(SRC).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def floor(module: str) -> int:
    best = None
    for number, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > best[1]):
                best = (number, len(prefix))
    assert best is not None, f"{module} is on no floor: add it to LAYERS"
    return best[0]


def _type_checking_only(tree: ast.AST) -> set[int]:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


@functools.cache
def graph() -> dict[str, frozenset[str]]:
    """Each module's imports of other modules of ours, read once for all the tests."""
    return imports(modules())


def imports(found: dict[str, Path]) -> dict[str, frozenset[str]]:
    graph: dict[str, frozenset[str]] = {}
    for name, path in found.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _type_checking_only(tree)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in ast.walk(tree):
            if getattr(node, "lineno", 0) in skip:
                continue
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                for alias in node.names:
                    candidate = f"{module}.{alias.name}"
                    targets.add(candidate if candidate in found else module)
            elif isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
        graph[name] = frozenset(t for t in targets if t in found and t != name)
    return graph


def test_every_import_goes_down_or_stays_on_its_floor():
    found = modules()
    upward = [f"{a} (floor {floor(a)}) imports {b} (floor {floor(b)})"
              for a, targets in graph().items() for b in sorted(targets)
              if floor(b) > floor(a) and not found[a].name == "__init__.py" == found[b].name]
    assert upward == []


def test_no_import_cycle():
    imported = graph()
    # a package's __init__ re-exporting its own modules is not a cycle of theirs
    edges = {a: {b for b in targets if not (b.startswith(a + ".") and modules()[a].name == "__init__.py")}
             for a, targets in imported.items()}
    cycles, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                cycles.append(" -> ".join(path[path.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for start in sorted(edges):
        if start not in state:
            visit(start, [start])
    assert cycles == []


def test_the_checks_catch_what_they_should():
    """The graph reader sees a late import inside a function, and the floors rank as documented."""
    assert "bilingual.documents" in graph()["bilingual.corpus"]  # imported inside a function
    assert floor("bilingual.text.detect") < floor("bilingual.translation.translator") < floor("bilingual.documents")
    assert floor("bilingual.service.rest") < floor("bilingual.server")
