# The README's two commands: `make demo` and `make test`. Everything else supports them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000
STAMP := $(VENV)/.installed

.PHONY: demo test test-postgres test-browser lint typecheck check-deploy install clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Dangjian needs Python 3.11 or newer"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,prod]"
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@mkdir -p var
	$(BIN)/dangjian migrate --noinput -v0
	$(BIN)/dangjian demo
	$(BIN)/dangjian runserver $(HOST)

test: $(STAMP)
	$(BIN)/pytest -n auto -q

test-postgres: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/dangjian} $(BIN)/pytest -n 2 -q

test-browser: $(STAMP)
	$(BIN)/pytest -m browser -q tests/browser

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks conftest.py
	$(BIN)/ruff format --check src tests benchmarks conftest.py

typecheck: $(STAMP)
	$(BIN)/mypy

check-deploy: $(STAMP)
	DANGJIAN_ENV=production DANGJIAN_SECRET_KEY=$$(openssl rand -hex 32) DANGJIAN_ALLOWED_HOSTS=dangjian.example.edu.cn \
		DANGJIAN_FIELD_KEYS=k1:$$(openssl rand -hex 16) DANGJIAN_LOOKUP_KEY=$$(openssl rand -hex 16) \
		$(BIN)/dangjian check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var
