# `make lab` and `make test` are the whole set-up: each creates .venv on first use
# and reinstalls it whenever requirements.txt or pyproject.toml change.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test unit notebooks fixtures benchmark lab-smoke present present-smoke chromium lint clean

lab: $(STAMP)  ## start JupyterLab on the notebooks
	$(BIN)/jupyter lab --notebook-dir=notebooks

present: $(STAMP)  ## the classroom view (Voila): every lesson's prose, figures and live sliders, no code
	$(BIN)/voila --Voila.config_file_paths=present notebooks $(PRESENT_ARGS)

test: $(STAMP)  ## unit tests + nbval over every notebook (one pytest run; fails if either fails)
	$(BIN)/python -m pytest

unit: $(STAMP)  ## only the unit tests (fast)
	$(BIN)/python -m pytest tests -p no:nbval -o addopts="-n auto --dist loadscope -p no:cacheprovider"

notebooks: $(STAMP)  ## re-execute every notebook in place: the outputs nbval compares against
	$(BIN)/python tools/execute_notebooks.py notebooks/*.ipynb tests/fixtures/*.ipynb

benchmark: $(STAMP)  ## per notebook: Run All time; per live figure: median and p90 redraw per slider move, beside the baseline
	$(BIN)/python tools/benchmark.py
	$(BIN)/python tools/benchmark_lstm.py  # helpers.lstm against torch.nn.LSTM (torch from .venv-torch, if there)

lab-smoke: $(STAMP) chromium  ## every notebook in a real JupyterLab + headless Chromium: widgets render, sliders redraw
	.venv-browser/bin/python tools/lab_smoke.py

present-smoke: $(STAMP) chromium  ## every lesson in the classroom view, headless Chromium at 1280×720: no code, sliders redraw
	.venv-browser/bin/python tools/present_smoke.py

chromium:  ## what the browser checks drive: Chromium (apt-get install, when run as root as CI is) and Playwright
	@test -x /usr/bin/chromium || [ "$$(id -u)" != 0 ] || { echo "installing Chromium for the browser checks"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null; }
	@test -x /usr/bin/chromium || { echo "the browser checks need Chromium (Debian: apt-get install chromium)"; exit 1; }
	test -x .venv-browser/bin/python || $(PYTHON) -m venv .venv-browser
	.venv-browser/bin/python -m pip install --quiet playwright

fixtures:  ## regenerate tests/golden from torch.optim and torch.nn.LSTM (needs PyTorch; never part of `make test`)
	test -x .venv-torch/bin/python || $(PYTHON) -m venv .venv-torch
	.venv-torch/bin/python -m pip install --quiet torch==2.13.0
	.venv-torch/bin/python tests/golden/make_fixtures.py
	.venv-torch/bin/python tests/golden/make_counterexample_fixture.py
	.venv-torch/bin/python tests/golden/make_dampening_fixture.py
	.venv-torch/bin/python tests/golden/make_lstm_fixtures.py

lint: $(STAMP)
	$(BIN)/python -m pip install --quiet ruff
	$(BIN)/ruff check helpers lessons tests tools

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
		{ echo "Python 3.10 or newer is needed; $(PYTHON) is $$($(PYTHON) --version)."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@# build matplotlib's font cache now, so that its one-off message never lands in a notebook's output
	$(BIN)/python -c "import matplotlib.pyplot"
	touch $(STAMP)

clean:
	rm -rf $(VENV) .venv-torch .venv-browser .pytest_cache build *.egg-info
