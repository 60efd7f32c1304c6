# evalkit — the quick-start commands:  make run   and   make test   (make test-quick: without the browser tests)
# Each creates the virtual environment and installs what it needs on a fresh machine.

PYTHON ?= python3
PORT   ?= 8866
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DEBS   := chromium fonts-noto-cjk

.PHONY: run lab team test test-quick browser-deps team-deps clean-venv

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "找不到 $(PYTHON)：请安装 Python 3.11 或更高版本（Debian 12 / Ubuntu 24.04 自带）。"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "evalkit 需要 Python 3.11 或更高版本（现为 %d.%d）。Ubuntu 22.04：sudo apt install python3.11 python3.11-venv（或 pip install uv && uv python install 3.11），然后 make test PYTHON=python3.11" % sys.version_info[:2])'
	test -x $(PY) || sh tools/venv.sh $(PYTHON) $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Debian's Chromium and CJK fonts for the browser tests, installed only when missing.
browser-deps:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# The team server's proxy (evalkit team): configurable-http-proxy from the npm registry into .venv/node,
# installed only when missing; Node.js and npm from apt when they are missing too.
team-deps: $(STAMP)
	@if ! command -v configurable-http-proxy >/dev/null && [ ! -x $(VENV)/node/node_modules/.bin/configurable-http-proxy ]; then \
	  if ! command -v npm >/dev/null; then \
	    echo "installing nodejs npm"; \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm >/dev/null; \
	  fi; \
	  echo "installing configurable-http-proxy"; \
	  mkdir -p $(VENV)/node && npm install --silent --prefix $(VENV)/node configurable-http-proxy >/dev/null; \
	fi

# The main job: rerun the demo evaluation from its raw records, say where the reports are,
# then start the forms on a working copy of the demo (the committed data/demo stays untouched).
# make run PORT=8870 serves on another port.
# evalkit rerun exits 1 when the project has errors: the demo has deliberate ones, and says so
# (listed in data/demo/README.md).
run: $(STAMP)
	$(VENV)/bin/evalkit validate instruments/frameworks/province-2018.xlsx
	$(VENV)/bin/evalkit validate instruments/frameworks/jilin-city-2018.xlsx
	$(VENV)/bin/evalkit rerun data/demo; rc=$$?; [ $$rc -le 1 ] || exit $$rc
	@echo ""
	@echo "报告 / reports:  data/demo/out/index.html  (浏览器打开)   data/demo/out/评估报告.xlsx  (Excel)"
	@echo "清单 / manifest: data/demo/out/manifest.json   核对 / verify: $(VENV)/bin/evalkit rerun --verify data/demo/out/manifest.json"
	@echo ""
	@test -d out/demo || (mkdir -p out && cp -r data/demo out/demo && rm -rf out/demo/out)
	$(VENV)/bin/evalkit serve out/demo --port $(PORT)

# JupyterLab with the lead evaluator's analysis notebooks, on the same working copy of the demo as make run.
lab: $(STAMP)
	@test -d out/demo || (mkdir -p out && cp -r data/demo out/demo && rm -rf out/demo/out)
	$(VENV)/bin/evalkit lab out/demo

# The team server on a project (its assessors.xlsx needs the columns 账号 and 角色): make team PROJECT=path;
# without PROJECT, on the working copy of the demo that make run uses.
PROJECT ?= out/demo
team: $(STAMP) team-deps
	@test "$(PROJECT)" != out/demo || test -d out/demo || (mkdir -p out && cp -r data/demo out/demo && rm -rf out/demo/out)
	$(VENV)/bin/evalkit team $(PROJECT)

# The layer contracts (import-linter) and ruff first: a broken contract fails in seconds.
test: $(STAMP) browser-deps team-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q

# The same without the browser tests (no Chromium needed): the quick path for a first check.
test-quick: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q -m "not browser"

clean-venv:
	rm -rf $(VENV)
