"""The wheel holds every folder of the package: built, installed into a fresh venv, used.

``packages.find`` must pick up each new folder, or it is silently left out of the
wheel while every test still passes from the source tree. Offline: the build runs
without isolation (setuptools and wheel come with the ``test`` extra) and the fresh venv
borrows the third-party packages of this one through PYTHONPATH, which does not activate
the editable install, so ``whmcs_frames`` can only come from the wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "whmcs_frames"
SUBPACKAGES = sorted(".".join(p.parent.relative_to(ROOT).parts)
                     for p in PACKAGE.rglob("__init__.py") if "__pycache__" not in p.parts)
MODULES = sorted(".".join(p.relative_to(ROOT).with_suffix("").parts)
                 for p in PACKAGE.rglob("*.py") if p.name != "__init__.py")


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _source_copy(where: Path) -> Path:
    where.mkdir()
    # A clean copy: a stale build/ in the work tree would hide a folder left out.
    for name in ("pyproject.toml", "README.md"):
        (where / name).write_bytes((ROOT / name).read_bytes())
    shutil.copytree(PACKAGE, where / "whmcs_frames",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return where


def test_the_wheel_installs_every_folder_and_runs(tmp_path):
    source = _source_copy(tmp_path / "source")
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", tmp_path / "dist", source, cwd=tmp_path)
    (wheel,) = (tmp_path / "dist").glob("whmcs_frames-*.whl")
    inside = set(zipfile.ZipFile(wheel).namelist())
    for name in SUBPACKAGES + MODULES:
        suffix = "/__init__.py" if name in SUBPACKAGES else ".py"
        assert name.replace(".", "/") + suffix in inside, name

    fresh = tmp_path / "fresh"
    venv.create(fresh, with_pip=False)
    python = fresh / "bin" / "python"
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps",
         "--no-index", "-q", wheel, cwd=tmp_path)
    env = {**os.environ, "PYTHONPATH": sysconfig.get_paths()["purelib"]}
    code = ("import importlib, whmcs_frames as wf\n"
            f"for name in {SUBPACKAGES + MODULES!r}:\n"
            "    importlib.import_module(name)\n"
            "print(wf.__file__)")
    where = _run(python, "-c", code, cwd=tmp_path, env=env)
    assert where.strip().startswith(str(fresh)), where
    usage = _run(fresh / "bin" / "whmcs-frames", "--help", cwd=tmp_path, env=env)
    assert usage.startswith("usage: whmcs-frames") and "demo" in usage
