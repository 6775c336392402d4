"""The bundle's files on disk: a folder that must be one, files written whole through a
temporary file renamed into place (never through a planted symlink), owner and group only,
and the previous bundle's files removed so none passes for this one's."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .._exceptions import ValidationError

__all__ = ["FILE_MODE", "out_dir_for", "remove_previous", "umask", "write_file"]


def out_dir_for(out_dir: Any) -> Path:
    if not isinstance(out_dir, str | os.PathLike) or not os.fspath(out_dir).strip():
        # "" would be the working directory: a bundle never lands there by accident.
        raise ValidationError("out_dir", "the path of a folder (not empty)", got=out_dir)
    folder = Path(out_dir).expanduser()
    try:
        folder.mkdir(mode=0o750, parents=True, exist_ok=True)
    except OSError as exc:
        raise ValidationError("out_dir", "a folder that can be created and written",
                              got_text=f"{folder} ({exc.strerror or exc})") from None
    if not folder.is_dir():
        raise ValidationError("out_dir", "a folder", got=str(folder))
    return folder


#: Bundle files hold customer names, IPs and notes: owner and group only.
FILE_MODE = 0o640


def write_file(folder: Path, name: str, write: Callable[[Path], Any]) -> tuple[Path, Any]:
    """Write ``folder/name`` through a new temporary file renamed over it.

    A symlink planted at ``name`` is replaced, never followed; a reader never sees a
    half-written file; the file is created 0640 whatever the umask allows beyond it.
    """
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    os.close(fd)
    try:
        result = write(Path(temp))
        os.chmod(temp, FILE_MODE & ~umask())
        os.replace(temp, folder / name)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return folder / name, result


def umask() -> int:
    # Read, not set-and-restore: another thread could create a file in between.
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


def remove_previous(folder: Path) -> None:
    """Delete what the folder's last manifest listed, so no stale file joins this bundle.

    Only plain names the manifest lists are removed (a symlink is removed, not
    followed); anything else in the folder is left alone.
    """
    manifest = folder / "manifest.json"
    listed: list[Any] = []
    if manifest.is_file() and not manifest.is_symlink():
        try:
            listed = json.loads(manifest.read_text(encoding="utf-8")).get("files", [])
        except (OSError, ValueError, AttributeError):
            listed = []
    names = {entry.get("file") for entry in listed if isinstance(entry, dict)}
    for name in names:
        if (isinstance(name, str) and name and name == Path(name).name
                and name not in (".", "..")):
            target = folder / name
            if target.is_symlink() or target.is_file():
                target.unlink()
    manifest.unlink(missing_ok=True)
