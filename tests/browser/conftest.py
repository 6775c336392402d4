"""Fixtures for the browser tests: Voilà serving a notebook, headless Chromium driving it.

The sandbox runs in this process (the root conftest's ``box``); Voilà runs as a
subprocess bound to 127.0.0.1 whose kernels reach the sandbox through the usual
``WHMCS_API_*`` variables; Playwright drives Debian's Chromium (``executable_path``:
no browser is ever downloaded). Without Chromium the tests skip; without Voilà or
Playwright they fail, since those come with the ``browser`` extra.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

    import whmcs_frames as wf

LOOPBACK = "127.0.0.1"
CHROMIUM = "/usr/bin/chromium"
# Headless on any machine: no GPU, no sandbox (CI runs as root), no calls home.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 800}
START_TIMEOUT = 30.0  # seconds for Voilà to listen
STOP_TIMEOUT = 15.0  # seconds for Voilà to shut its kernels down on SIGTERM
CELL_TIMEOUT = 60  # seconds per notebook cell: a hung cell fails instead of hanging
EXTRA_HINT = 'install the browser extra: pip install -e ".[browser]"'


def chromium_path() -> str | None:
    """Debian's Chromium, else any ``chromium`` on PATH; None when there is none."""
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    return shutil.which("chromium")


def _require(module: str) -> None:
    """Fail, not skip: a missing Voilà or Playwright is a broken setup."""
    # find_spec, not import: Voilà only runs in its subprocess, and importing it here
    # would pull the Jupyter server (and its warnings) into the test process.
    try:
        found = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        pytest.fail(f"{module} is not installed; {EXTRA_HINT}", pytrace=False)


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium executable; skips the test when none is installed."""
    path = chromium_path()
    if path is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium); "
                    "the browser tests drive it through Playwright")
    return path


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Browser]:
    """Headless Chromium, one per test module.

    Module scope, not session: Playwright's sync API keeps an event loop on the main
    thread while it runs, which the rest of the suite must not inherit.
    """
    _require("playwright")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS,
                                              headless=True, timeout=30_000)
        yield launched
        launched.close()


def _loopback_only(route: Route) -> None:
    # The page may only talk to Voilà; a CDN request (Voilà's template asks for
    # Font Awesome) fails at once instead of waiting for DNS that is not there.
    parts = urlsplit(route.request.url)
    if parts.scheme in ("data", "blob") or parts.hostname == LOOPBACK:
        route.continue_()
    else:
        route.abort("blockedbyclient")


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh 1280x800 page that can reach 127.0.0.1 only."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-US", timezone_id="UTC")
    context.route("**/*", _loopback_only)
    new_page = context.new_page()
    new_page.set_default_timeout(15_000)
    yield new_page
    context.close()


@dataclass
class VoilaServer:
    """A running Voilà subprocess serving one notebook."""

    url: str
    audit_log: Path
    log_path: Path
    process: subprocess.Popen[bytes]

    def log_tail(self, chars: int = 4000) -> str:
        """The end of Voilà's log (server and kernel output), for failure messages."""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return text[-chars:]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def _kernel_env(box: wf.sandbox.Sandbox, audit_log: Path, root: Path) -> dict[str, str]:
    # Drop the developer's own WHMCS settings, so a kernel can only talk to the sandbox.
    env = {k: v for k, v in os.environ.items() if not k.startswith("WHMCS_")}
    env.update({
        "WHMCS_API_URL": box.url, "WHMCS_API_IDENTIFIER": box.identifier,
        "WHMCS_API_SECRET": box.secret, "WHMCS_FRAMES_AUDIT_LOG": str(audit_log),
        # Jupyter and IPython state of this run stays in tmp: no user config or
        # startup scripts, no runtime files left behind.
        "JUPYTER_CONFIG_DIR": str(root / "jupyter-config"),
        "JUPYTER_RUNTIME_DIR": str(root / "jupyter-runtime"),
        "JUPYTER_PLATFORM_DIRS": "1", "IPYTHONDIR": str(root / "ipython"),
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # quiets ipykernel's debugger notice
    })
    return env


def _voila_command(notebook: Path, port: int, token: str, root: Path) -> list[str]:
    return [
        sys.executable, "-m", "voila", str(notebook), "--no-browser",
        f"--port={port}", f"--Voila.ip={LOOPBACK}",
        "--Voila.port_retries=0",  # a taken port is an error, not a silent move elsewhere
        f"--Voila.token={token}",  # other local users cannot drive the page's kernel
        f"--Voila.connection_dir_root={root}",
        "--show_tracebacks=True",  # a failing cell shows its traceback in page and log
        f"--VoilaExecutor.timeout={CELL_TIMEOUT}",
        "--Voila.log_level=INFO",
    ]


def _wait_listening(server: VoilaServer, port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"Voilà exited with {server.process.returncode} before listening:\n"
                        + server.log_tail(), pytrace=False)
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"Voilà did not listen on {LOOPBACK}:{port} within {START_TIMEOUT:g} s:\n"
                + server.log_tail(), pytrace=False)


def start_voila(notebook: Path, box: wf.sandbox.Sandbox, root: Path) -> VoilaServer:
    """Serve ``notebook`` with Voilà on 127.0.0.1, its kernels pointed at ``box``."""
    _require("voila")
    if not notebook.is_file():
        pytest.fail(f"no notebook at {notebook}", pytrace=False)
    root.mkdir(parents=True, exist_ok=True)
    port, token = _free_port(), secrets.token_hex(16)
    audit_log, log_path = root / "audit.jsonl", root / "voila.log"
    with log_path.open("wb") as log:  # the child keeps its own descriptor
        process = subprocess.Popen(
            _voila_command(notebook, port, token, root), cwd=notebook.parent,
            env=_kernel_env(box, audit_log, root), stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT)
    server = VoilaServer(f"http://{LOOPBACK}:{port}/?token={token}", audit_log, log_path,
                         process)
    try:
        _wait_listening(server, port)
    except BaseException:
        stop_voila(server)
        raise
    return server


def stop_voila(server: VoilaServer) -> None:
    """SIGTERM Voilà (it shuts its kernels down), then kill whatever is left."""
    import psutil  # comes with the browser extra (and IPython)

    try:
        kernels = psutil.Process(server.process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        kernels = []
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(STOP_TIMEOUT)
    # Kernels run in sessions of their own: a killed Voilà would leave them behind.
    for kernel in kernels:
        with contextlib.suppress(psutil.NoSuchProcess):
            kernel.kill()
    psutil.wait_procs(kernels, timeout=STOP_TIMEOUT)


@pytest.fixture
def serve_notebook(chromium: str, box: wf.sandbox.Sandbox,
                   tmp_path: Path) -> Iterator[Callable[[Path], VoilaServer]]:
    """``serve_notebook(path)`` starts Voilà on it; every server stops at teardown.

    Asks for ``chromium`` first so that, without a browser, nothing is started.
    """
    started: list[VoilaServer] = []

    def serve(notebook: Path) -> VoilaServer:
        server = start_voila(notebook, box, tmp_path / f"voila-{len(started)}")
        started.append(server)
        return server

    yield serve
    for server in started:
        stop_voila(server)
