# openedx-temis: `make demo` runs the standalone demo, `make test` the whole suite (SQLite + MariaDB).
SHELL := /bin/bash
PYTHON_312 ?= $(shell PYENV_VERSION=3.12.1 pyenv which python3.12 2>/dev/null || command -v python3.12)
VENV := .venv
PY := $(VENV)/bin/python
CONSTRAINTS := requirements/constraints-edx-platform.txt
DJANGO := DJANGO_SETTINGS_MODULE=temis_plugin.standalone.settings $(PY) -m django
LOCALE_DIR := temis_plugin/conf/locale

.PHONY: bench docs-images demo lint test test-sqlite test-mysql install install-test system-deps migrate demo-data translations compile-translations clean

$(VENV)/bin/python:
	@test -n "$(PYTHON_312)" || { echo "Python 3.12 is required (pyenv 3.12.1 or python3.12 on PATH)"; exit 1; }
	$(PYTHON_312) -m venv $(VENV)
	$(PY) -m pip install -q -U pip wheel "setuptools<82"

# The package, installed against edx-platform's own versions of the packages we share.
$(VENV)/.installed: $(VENV)/bin/python setup.py $(CONSTRAINTS)
	$(PY) -m pip install -q -c $(CONSTRAINTS) -e ".[demo]"
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed setup.py $(CONSTRAINTS)
	$(MAKE) system-deps
	$(PY) -m pip install -q -c $(CONSTRAINTS) -e ".[test]"
	touch $@

install: $(VENV)/.installed compile-translations
install-test: $(VENV)/.installed-test compile-translations

# mysqlclient compiles against the MariaDB client headers; browser tests drive Debian's Chromium.
SYSTEM_PACKAGES := libmariadb-dev pkg-config gettext chromium fonts-noto-core
system-deps:
	@dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1 || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES); }

compile-translations:
	@command -v msgfmt >/dev/null || $(MAKE) system-deps
	@for po in $(LOCALE_DIR)/*/LC_MESSAGES/django.po; do msgfmt --check -o $${po%.po}.mo $$po; done

# Extract from temis_plugin/ and xblocks/ into the plugin's catalogue (see LOCALE_PATHS).
translations: $(VENV)/.installed
	$(DJANGO) makemessages -l vi --no-obsolete --ignore=.venv --ignore=tests --ignore=build --ignore=var
	$(MAKE) compile-translations

# Debug mode stays off (TEMIS_DEBUG=1 turns it on); --insecure serves the admin's and the workbench's static
# files without it. The site has no media route: evidence and report files go through the checked views.
demo: install
	mkdir -p var
	$(DJANGO) migrate --noinput -v0
	$(DJANGO) temis_demo_data
	@echo "Open http://127.0.0.1:8000/ (stop with Ctrl-C)"
	$(DJANGO) runserver --insecure 127.0.0.1:8000

test: install-test
	$(MAKE) lint
	$(MAKE) test-sqlite
	$(MAKE) test-mysql

# Benchmarks print ratios against a baseline measured in the same run (no timing assertions in tests).
# The national data set (1,000,000 educators in MariaDB) is built on the first run and reused after.
bench: install-test
	PYTHONPATH=. TEMIS_DB=sqlite $(PY) tests/benchmarks/bench_lti.py
	PYTHONPATH=. TEMIS_DB=mysql $(PY) tests/benchmarks/bench_lti.py
	PYTHONPATH=. $(PY) tests/benchmarks/bench_export.py
	PYTHONPATH=. $(PY) tests/benchmarks/bench_reports.py
	PYTHONPATH=. $(PY) tests/benchmarks/bench_xblock.py
	PYTHONPATH=. $(PY) tests/benchmarks/bench_grades.py
	PYTHONPATH=. $(PY) tests/benchmarks/bench_roster.py

# Lint and format (ruff.toml) and the layers' import contracts (.importlinter, docs/architecture.md).
lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

test-sqlite:
	TEMIS_DB=sqlite $(PY) -m pytest -p no:cacheprovider

test-mysql:
	TEMIS_DB=mysql $(PY) -m pytest -p no:cacheprovider

# The guides' pictures are the browser tests' screenshots (SQLite run), copied into docs/images/.
GUIDE_IMAGES := home-vi self-assessment-draft-vi self-assessment-submitted-vi lti-workspace-in-iframe \
	final-rating-list-vi final-rating-detail-vi reports-dashboard reports-aggregate reports-run
docs-images: install-test
	TEMIS_DB=sqlite $(PY) -m pytest -p no:cacheprovider -q tests/browser
	for name in $(GUIDE_IMAGES); do cp test-artifacts/screenshots/$$name-sqlite.png docs/images/$$name.png; done

clean:
	rm -rf $(VENV) var build *.egg-info
