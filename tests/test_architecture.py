"""The code's shape: the import flow, no import cycles, no module over 500 lines.

Imports flow one way: the SDK (`caio_integration`, no Django) <- `contracts_app` <-
`integrations` <- `portal` (settings, URLs, Celery app, accounts). A module may import from its
own layer and the layers before it, never after. `django.conf.settings` and `get_user_model()`
are how the apps reach the project's settings and its user model, so they need no import of
`portal`. Every import counts, also one inside a function, except under `if TYPE_CHECKING:`.
Migrations are generated and left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.smoke

ROOT = Path(__file__).resolve().parents[1]
# The layers, first to last, and the folder of each package.
LAYERS = {
    "caio_integration": ROOT / "sdk" / "caio_integration",
    "contracts_app": ROOT / "contracts_app",
    "integrations": ROOT / "integrations",
    "portal": ROOT / "portal",
}
# What a layer must not import besides the layers after it.
FORBIDDEN_EXTRA = {"caio_integration": ("django", "rest_framework", "celery")}
MAX_LINES = 500
SIZED = [*LAYERS.values(), ROOT / "sdk", ROOT / "tests", ROOT / "bench"]


def python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "migrations" not in p.relative_to(ROOT).parts)


def module_name(package: str, path: Path) -> str:
    parts = [package, *path.relative_to(LAYERS[package]).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {
    module_name(package, path): path
    for package, folder in LAYERS.items() for path in python_files(folder)
}


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def statements(tree: ast.AST):
    """Every import statement in `tree`, at any depth, except under `if TYPE_CHECKING:`."""
    todo = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If) and is_type_checking(node.test):
            todo.extend(node.orelse)
        else:
            todo.extend(ast.iter_child_nodes(node))


def known(name: str) -> str | None:
    """The module of ours that importing `name` loads last: its longest known prefix."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in MODULES:
            return candidate
    return None


def imports(module: str) -> list[tuple[str, int]]:
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    return imports_in(path.read_text(encoding="utf-8"), package, str(path))


def imports_in(source: str, package: str, filename: str = "<source>") -> list[tuple[str, int]]:
    """(imported name, line) for each import in `source`, a module of `package`, with
    `from x import y` resolved to the submodule x.y when y is one of ours and relative imports
    made absolute."""
    found = []
    for node in statements(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
            continue
        base = node.module or ""
        if node.level:
            parts = package.split(".")
            anchor = parts[: len(parts) - (node.level - 1)]
            base = ".".join(anchor + ([base] if base else []))
        for alias in node.names:
            sub = f"{base}.{alias.name}"
            found.append((sub if sub in MODULES else base, node.lineno))
    return sorted(found, key=lambda item: item[1])


def graph() -> dict[str, dict[str, int]]:
    """Module -> {imported module of ours: first line importing it}."""
    edges: dict[str, dict[str, int]] = {}
    for module in MODULES:
        out = edges.setdefault(module, {})
        for name, line in imports(module):
            target = known(name)
            if target is not None and target != module:
                out.setdefault(target, line)
    return edges


def strongly_connected(edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """Tarjan's algorithm: the components of more than one module, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)


def describe(component: list[str], edges: dict[str, dict[str, int]]) -> str:
    """The component's modules and every import between them, with its line."""
    steps = [f"    {MODULES[a].relative_to(ROOT)}:{edges[a][b]} imports {b}"
             for a in component for b in sorted(edges[a]) if b in component]
    return "cycle among " + ", ".join(component) + ":\n" + "\n".join(steps)


def test_each_layer_imports_only_itself_and_the_layers_before_it():
    order = list(LAYERS)
    wrong = []
    for module in MODULES:
        layer = module.split(".")[0]
        forbidden = order[order.index(layer) + 1:] + list(FORBIDDEN_EXTRA.get(layer, ()))
        for name, line in imports(module):
            top = name.split(".")[0]
            if top in forbidden:
                wrong.append(f"{MODULES[module].relative_to(ROOT)}:{line} imports {name}")
    assert not wrong, "imports against the flow sdk <- contracts_app <- integrations <- portal:\n" \
        + "\n".join(wrong)


def test_there_is_no_import_cycle():
    edges = graph()
    cycles = strongly_connected(edges)
    assert not cycles, "import cycles (modules that import each other, maybe through others):\n" \
        + "\n".join(describe(c, edges) for c in cycles)


def test_no_module_is_over_500_lines():
    sizes = {path: len(path.read_text(encoding="utf-8").splitlines())
             for folder in SIZED for path in python_files(folder)}
    long = sorted(f"{path.relative_to(ROOT)}: {n} lines" for path, n in sizes.items()
                  if n > MAX_LINES)
    assert not long, f"modules over {MAX_LINES} lines:\n" + "\n".join(long)


def test_imports_are_read_inside_functions_resolved_to_submodules_and_made_absolute():
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from portal.models import User\n"
        "def f():\n"
        "    from integrations import tasks\n"
        "    from ..models import Submission\n"
        "    import caio_integration.contracts\n"
    )
    assert imports_in(source, "integrations.pipeline") == [
        ("typing", 1), ("integrations.tasks", 5), ("integrations.models", 6),
        ("caio_integration.contracts", 7)]
    assert len(MODULES) > 50 and not any(".migrations." in m for m in MODULES)
