# evalkit — the two quick-start commands:  make run   and   make test
# Each creates the virtual environment and installs what it needs on a fresh machine.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DEBS   := chromium fonts-noto-cjk

.PHONY: run test browser-deps clean-venv

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "evalkit needs Python >= 3.11")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
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

run: $(STAMP)
	$(VENV)/bin/evalkit validate instruments/frameworks/province-2018.xlsx
	$(VENV)/bin/evalkit validate instruments/frameworks/jilin-city-2018.xlsx
	$(VENV)/bin/evalkit validate instruments/frameworks/jilin-city-2018-units.xlsx
	$(VENV)/bin/evalkit framework show instruments/frameworks/province-2018.xlsx
	$(VENV)/bin/evalkit framework show instruments/frameworks/jilin-city-2018.xlsx

test: $(STAMP) browser-deps
	$(PY) -m pytest -q

clean-venv:
	rm -rf $(VENV)
