"""The layers of docs/architecture.md: data flows down, never up, never in a circle.

Run as a script (``python tests/test_layers.py``) it prints the import graph between the
package's folders, lowest layer first, with the count of circles and upward imports.
"""

from __future__ import annotations

import ast
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "whmcs_frames"

#: Lowest first. A module may import a lower layer, or its own folder; nothing else.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("_exceptions", "__version__"),
    ("_validate",),
    ("_api",),
    ("sandbox",),
    ("frames",),  # pure; the actions build their audit and bulk frames with it
    ("_fetch", "_store", "actions"),
    ("_client",),
    ("reports", "risk"),
    ("plots",),
    ("widgets", "_export"),
    ("cli",),
    ("",),  # whmcs_frames/__init__.py
)
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}


def unit_of(module: str) -> str:
    """The folder (or top-level module) a dotted ``whmcs_frames…`` name belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(node: ast.ImportFrom, path: Path, root: Path) -> list[str]:
    if not node.level:
        return [node.module or ""]
    package = module_name(path, root).split(".")
    if path.name != "__init__.py":
        package.pop()
    base = package[:len(package) - (node.level - 1)]
    if node.module:
        return [".".join([*base, node.module])]
    return [".".join([*base, alias.name]) for alias in node.names]


def imports(path: Path, root: Path, *, nested: bool = True) -> Iterator[tuple[str, int, bool]]:
    """(module, line, at module level) for every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(n) for n in tree.body}
    # `if TYPE_CHECKING:` blocks at module level count as module level.
    for node in tree.body:
        if isinstance(node, ast.If):
            top_level.update(id(n) for n in node.body)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = _resolve(node, path, root)
        else:
            continue
        if nested or id(node) in top_level:
            for name in names:
                yield name, node.lineno, id(node) in top_level


def _ours(name: str, root: Path) -> str | None:
    """The module a name refers to inside the package (a package or a module file)."""
    if not (name == root.name or name.startswith(root.name + ".")):
        return None
    parts = name.split(".")
    while parts:
        candidate = root.parent.joinpath(*parts)
        if candidate.with_suffix(".py").exists() or (candidate / "__init__.py").exists():
            return ".".join(parts)
        parts.pop()  # `from pkg.mod import name`: name is not a module
    return None


def graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    """Module → the package modules it imports at module level."""
    edges: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        mod = module_name(path, root)
        edges[mod] = {t for name, _, _ in imports(path, root, nested=False)
                      if (t := _ours(name, root)) and t != mod}
    return edges


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected set of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            part = []
            while True:
                top = stack.pop()
                part.append(top)
                if top == node:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def upward(root: Path = PACKAGE) -> list[str]:
    """Imports that break the layer rule, and imports of our modules inside functions."""
    bad = []
    for path in sorted(root.rglob("*.py")):
        mod = module_name(path, root)
        src = unit_of(mod)
        for name, line, top in imports(path, root):
            target = _ours(name, root)
            if target is None or target == mod:
                continue
            where = f"{path.relative_to(root.parent)}:{line} imports {target}"
            if not top:
                bad.append(f"{where} inside a function (a late import)")
                continue
            dst = unit_of(target)
            if dst != src and (dst not in RANK or src not in RANK
                               or RANK[dst] >= RANK[src]):
                bad.append(f"{where} ({src or 'whmcs_frames'} may not import {dst})")
    return bad


def foreign(path: Path, root: Path = PACKAGE) -> set[str]:
    return {name.split(".")[0] for name, _, _ in imports(path, root)}


def test_every_folder_and_top_level_module_has_a_layer():
    units = {unit_of(module_name(p, PACKAGE)) for p in PACKAGE.rglob("*.py")}
    assert units <= set(RANK), f"not in LAYERS: {units - set(RANK)}"


def test_no_import_runs_upward_sideways_or_late():
    assert upward() == []


def test_no_import_circle():
    assert circles(graph()) == []


def test_private_layers_have_import_free_inits():
    for folder in PACKAGE.iterdir():
        if folder.is_dir() and folder.name.startswith("_") and folder.name != "__pycache__":
            assert list(imports(folder / "__init__.py", PACKAGE)) == [], folder.name


@pytest.mark.parametrize("path", sorted((PACKAGE / "sandbox").glob("*.py")),
                         ids=lambda p: p.name)
def test_the_sandbox_imports_nothing_but_the_api_layer(path):
    ours = {unit_of(t) for name, _, _ in imports(path, PACKAGE)
            if (t := _ours(name, PACKAGE))}
    assert ours <= {"sandbox", "_api", "_exceptions"}, path.name
    assert not {"pandas", "numpy", "requests"} & foreign(path)


@pytest.mark.parametrize("path", sorted((PACKAGE / "_api").glob("*.py")), ids=lambda p: p.name)
def test_the_api_layer_knows_nothing_of_pandas(path):
    assert not {"pandas", "numpy"} & foreign(path)


@pytest.mark.parametrize("path", sorted((PACKAGE / "frames").glob("*.py")),
                         ids=lambda p: p.name)
def test_frames_are_pure(path):
    io = {"requests", "urllib3", "socket", "http", "tqdm", "ipywidgets", "sqlite3", "shutil",
          "subprocess"}
    assert not io & foreign(path)
    assert "open(" not in path.read_text(encoding="utf-8")


def _planted(tmp_path: Path, rel: str, line: str) -> Path:
    copy = tmp_path / "whmcs_frames"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / rel
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    return copy


@pytest.mark.parametrize(("rel", "line", "found"), [
    ("frames/_dtypes.py", "from .._client import facade", "may not import _client"),
    ("_api/php.py", "from ..actions import bulk", "may not import actions"),
    ("actions/_bulk.py", "from .._fetch import pages", "may not import _fetch"),
    ("frames/_records.py", "from ..actions import _audit", "may not import actions"),
    ("sandbox/_store.py", "from .._fetch import pages", "may not import _fetch"),
    ("actions/_audit.py", "def late():\n    from .._client import facade", "late import"),
])
def test_a_planted_forbidden_import_is_caught(tmp_path, rel, line, found):
    copy = _planted(tmp_path, rel, line)
    assert any(found in problem for problem in upward(copy))


def test_a_planted_circle_is_caught(tmp_path):
    copy = _planted(tmp_path, "actions/_items.py", "from . import _bulk")
    assert circles(graph(copy)) != []


def test_the_architecture_page_shows_the_graph_as_it_is(capsys):
    main()
    printed = capsys.readouterr().out.splitlines()[:-1]  # the module count changes often
    page = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert "\n".join(printed) in page, (
        "docs/architecture.md shows an old import graph: paste in what "
        "`python tests/test_layers.py` prints")


def main() -> int:
    edges = graph()
    between: dict[tuple[str, str], int] = {}
    for src, targets in edges.items():
        for dst in targets:
            a, b = unit_of(src) or "whmcs_frames", unit_of(dst) or "whmcs_frames"
            if a != b:
                between[a, b] = between.get(a, 0) + 1
    for units in LAYERS:
        for unit in units:
            name = unit or "whmcs_frames"
            down = sorted(b for (a, b) in between if a == name)
            print(f"{name:<14} -> {', '.join(down) or '(nothing of ours)'}")
    print(f"modules: {len(edges)}, circles: {len(circles(edges))}, "
          f"upward or late imports: {len(upward())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
