"""docker-compose.yml and models/*.yaml cannot run here (no Docker engine): check their wiring."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def load(name: str) -> dict:
    return yaml.safe_load((ROOT / name).read_text())


def test_llm_service_is_localai_with_models_volume_and_readiness_healthcheck() -> None:
    llm = load("docker-compose.yml")["services"]["llm"]
    assert llm["image"].startswith("localai/localai:")
    assert not llm["image"].endswith(":latest"), "pin the LocalAI version"
    assert any(p.endswith(":8080") for p in llm["ports"])
    assert "./models:/models" in llm["volumes"]
    test = " ".join(llm["healthcheck"]["test"])
    assert "localhost:8080/readyz" in test
    assert llm["healthcheck"]["start_period"], "model download needs a start period"


def test_lab_service_points_sqllab_at_llm_and_waits_for_it() -> None:
    compose = load("docker-compose.yml")
    lab = compose["services"]["lab"]
    env = lab["environment"]
    assert env["LLM_API_URL"] == "http://llm:8080/v1"
    assert env["LLM_MODEL_NAME"] == load("models/gpt-3.5-turbo.yaml")["name"]
    assert lab["depends_on"]["llm"]["condition"] == "service_healthy"
    volume = lab["volumes"][0].split(":")[0]
    assert volume in compose["volumes"], "student work lives in a named volume"
    assert "jupyter lab" in lab["build"]["dockerfile_inline"]
    # every path the image copies exists in the repo
    for line in lab["build"]["dockerfile_inline"].splitlines():
        if line.startswith("COPY"):
            for src in line.split()[1:-1]:
                assert (ROOT / src).exists(), src


def test_every_seed_env_var_is_set_for_lab() -> None:
    env = load("docker-compose.yml")["services"]["lab"]["environment"]
    for name in ("LLM_API_URL", "LLM_MODEL_NAME", "LLM_API_KEY", "LLM_TIMEOUT", "LLM_MAX_RETRIES",
                 "LLM_TEMPERATURE", "LLM_MAX_TOKENS"):
        assert name in env


def test_model_config_follows_the_seed_format_and_downloads_its_file() -> None:
    cfg = load("models/gpt-3.5-turbo.yaml")
    assert cfg["name"] == "gpt-3.5-turbo"
    assert cfg["backend"] == "llama-cpp"
    params = cfg["parameters"]
    assert {"model", "temperature", "top_k", "top_p"} <= params.keys()
    files = {f["filename"]: f["uri"] for f in cfg["download_files"]}
    assert params["model"] in files
    assert files[params["model"]].startswith("huggingface://")
    assert cfg["context_size"] >= 4096
    assert "{{ .Input }}" in cfg["template"]["chat"]


def test_lab_image_installs_sqllab_as_a_user_does() -> None:
    """Not editable: the image runs the wheel's files (prompts/ and models/ inside the package)."""
    dockerfile = load("docker-compose.yml")["services"]["lab"]["build"]["dockerfile_inline"]
    installs = [line for line in dockerfile.splitlines() if "pip install" in line]
    assert installs and all(" -e " not in line and "--editable" not in line for line in installs), installs
