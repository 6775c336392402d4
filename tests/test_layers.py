"""The layers of DESIGN.md: data flows down, never up."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "whmcs_frames"


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, package-relative names resolved to whmcs_frames.*."""
    names: set[str] = set()
    depth_of_file = len(path.relative_to(PACKAGE).parts) - 1
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ["whmcs_frames", *path.relative_to(PACKAGE).parts[:depth_of_file]]
                base = base[:len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
                names.update(f"{module}.{a.name}" if not node.module else module
                             for a in node.names)
            else:
                names.add(node.module or "")
    return names


def files(*globs: str) -> list[Path]:
    return sorted(p for g in globs for p in PACKAGE.glob(g))


API_LAYER = {"whmcs_frames._php", "whmcs_frames._registry", "whmcs_frames._exceptions"}


@pytest.mark.parametrize("path", files("sandbox/*.py"), ids=lambda p: p.name)
def test_the_sandbox_imports_nothing_above_the_api_layer(path):
    ours = {m for m in imported_modules(path) if m.startswith("whmcs_frames")}
    above = {m for m in ours if not m.startswith("whmcs_frames.sandbox") and m not in API_LAYER}
    assert not above, f"{path.name} imports {above}"
    assert not {"pandas", "numpy", "requests"} & {m.split(".")[0]
                                                  for m in imported_modules(path)}


@pytest.mark.parametrize("name", ["_transport.py", "_config.py", "_php.py", "_registry.py"])
def test_the_api_layer_knows_nothing_of_pandas_or_the_layers_above(name):
    modules = imported_modules(PACKAGE / name)
    assert "pandas" not in {m.split(".")[0] for m in modules}
    assert not {m for m in modules if m.startswith("whmcs_frames.")} - API_LAYER - {
        "whmcs_frames._config"}


@pytest.mark.parametrize("name", ["frames.py", "_dtypes.py", "_fields.py"])
def test_frames_are_pure(name):
    modules = {m.split(".")[0] for m in imported_modules(PACKAGE / name)}
    assert not {"requests", "urllib3", "socket", "http", "tqdm", "ipywidgets"} & modules
