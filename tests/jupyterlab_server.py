"""A real JupyterLab on 127.0.0.1 for browser tests, and headless Chromium through Playwright.

The server runs on a copy of the notebooks (autosave and kernels never touch the repo), with a
token, no news pop-up, and is stopped by the test session that started it.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import httpx

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Lab:
    def __init__(self, url: str, token: str, root: Path, proc: subprocess.Popen) -> None:
        self.url, self.token, self.root, self.proc = url, token, root, proc

    def notebook_url(self, relpath: str) -> str:
        return f"{self.url}/lab/tree/{relpath}?token={self.token}&reset"

    def api(self, method: str, path: str) -> httpx.Response:
        return httpx.request(method, f"{self.url}/api/{path}", headers={"Authorization": f"token {self.token}"},
                             timeout=10)

    def wait_kernel(self, relpath: str, timeout: float = 60) -> str:
        """Wait until the notebook at ``relpath`` has a session whose kernel is idle; its kernel id."""
        deadline = time.monotonic() + timeout
        while True:
            for session in self.api("GET", "sessions").json():
                kernel = session.get("kernel") or {}
                if session.get("path") == relpath and kernel.get("execution_state") == "idle":
                    return kernel["id"]
            if time.monotonic() > deadline:
                raise TimeoutError(f"no idle kernel for {relpath} after {timeout} s")
            time.sleep(0.2)

    def shutdown_kernels(self) -> None:
        for session in self.api("GET", "sessions").json():
            self.api("DELETE", f"sessions/{session['id']}")
        for kernel in self.api("GET", "kernels").json():
            self.api("DELETE", f"kernels/{kernel['id']}")


@contextmanager
def running_lab(workdir: Path, env: dict[str, str] | None = None, timeout: float = 60) -> Iterator[Lab]:
    """JupyterLab serving a copy of ``notebooks/`` from ``workdir``; stopped on exit."""
    nb_root = workdir / "notebooks"
    shutil.copytree(ROOT / "notebooks", nb_root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings_dir = workdir / "lab-settings"
    (settings_dir).mkdir()
    (settings_dir / "overrides.json").write_text(json.dumps({
        "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
        # every cell stays in the DOM: widgets below the fold can be found and scrolled to
        # and the notebook's kernel starts by itself (no "Select Kernel" dialog)
        "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none", "autoStartDefaultKernel": True}}))
    port, token = free_port(), secrets.token_hex(16)
    lab_env = {**os.environ, **(env or {}), "JUPYTERLAB_SETTINGS_DIR": str(workdir / "user-settings"),
               "JUPYTER_RUNTIME_DIR": str(workdir / "runtime")}
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           f"--IdentityProvider.token={token}", f"--notebook-dir={nb_root}", "--allow-root",
           f"--LabApp.app_settings_dir={settings_dir}", "--ServerApp.disable_check_xsrf=False"]
    log = open(workdir / "lab.log", "w")
    proc = subprocess.Popen(cmd, env=lab_env, stdout=log, stderr=subprocess.STDOUT, cwd=workdir)
    lab = Lab(f"http://127.0.0.1:{port}", token, nb_root, proc)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if lab.api("GET", "status").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("JupyterLab did not start:\n" + (workdir / "lab.log").read_text()[-3000:])
            time.sleep(0.3)
        yield lab
    finally:
        try:
            lab.shutdown_kernels()
        except httpx.HTTPError:
            pass
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@contextmanager
def chromium_page(viewport=(1400, 1000)):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
            yield page
        finally:
            browser.close()
