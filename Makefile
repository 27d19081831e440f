# The everyday commands. `make run` and `make test` work from a fresh clone.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell md5sum pyproject.toml | cut -c1-12)
LOCAL := DJANGO_SETTINGS_MODULE=config.settings.local
# Where `make run` serves the site; the Procfile's web process binds to it.
BIND ?= 127.0.0.1:8000
export BIND


.PHONY: install run seed test test-sqlite lint fmt typecheck messages bench bench-pass-rates bench-notifications bench-export bench-load fuzz clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

## install: the virtualenv, the project, and the translations compiled (locale/*/django.mo)
install: $(STAMP)
	$(LOCAL) $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=var --verbosity 0

## messages: collect new UI strings into locale/<language>/LC_MESSAGES/django.po (and djangojs.po: the admin scripts' words)
messages: install
	$(LOCAL) $(BIN)/python manage.py makemessages $(foreach l,el en ar fa uk fr,-l $(l)) \
		--ignore=.venv --ignore=var --ignore=tests --ignore='*/migrations/*' --no-obsolete --no-location
	$(LOCAL) $(BIN)/python manage.py makemessages -d djangojs $(foreach l,el en ar fa uk fr,-l $(l)) \
		--ignore=.venv --ignore=var --ignore=tests --no-obsolete --no-location

## run: the whole product on SQLite and a file-based broker, with demo data, at http://$(BIND) (BIND=host:port)
run: install
	$(LOCAL) $(BIN)/python manage.py migrate --noinput
	$(LOCAL) $(BIN)/python manage.py seed_demo
	@echo "Starting web, worker and beat at http://$(BIND) (Ctrl-C stops all three)"
	PATH=$(CURDIR)/$(BIN):$$PATH $(LOCAL) $(BIN)/honcho start -f Procfile

seed: install
	$(LOCAL) $(BIN)/python manage.py seed_demo

## test: the whole suite against PostgreSQL and Redis on this machine, then again on SQLite
## (what `make run` uses), but for the tests marked postgres and the schema fuzzing
test: install
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)
	DATABASE_URL=sqlite:///:memory: $(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

## test-sqlite: only the SQLite run
test-sqlite: install
	DATABASE_URL=sqlite:///:memory: $(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

## lint: ruff, formatting, missing migrations, `check --fail-level WARNING`, OpenAPI schema warnings,
## mypy, and the import contracts between the apps (`lint-imports`, [tool.importlinter] in pyproject.toml)
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo
	$(LOCAL) $(BIN)/python manage.py makemigrations --check --dry-run
	$(LOCAL) $(BIN)/python manage.py check --fail-level WARNING
	$(LOCAL) $(BIN)/python manage.py spectacular --fail-on-warn --validate --file /dev/null
	$(BIN)/mypy school courses exams notifications config

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: install
	$(BIN)/mypy school courses exams notifications config

## bench: roster GET/PUT latency against PostgreSQL (figures go in docs/benchmarks.md)
bench: install
	$(BIN)/python -m tests.bench.attendance

## bench-pass-rates: pass rates over 1,000,000 results, ORM vs hand-written SQL (needs the 50,000-student seed)
bench-pass-rates: install
	$(BIN)/python -m tests.bench.pass_rates

## bench-notifications: 100,000 reminders through Redis and a worker to the fake gateway, against no-op tasks
bench-notifications: install
	$(BIN)/python -m tests.bench.notifications

## bench-export: the funder's exports against a bare openpyxl dump of the same cells (needs the 10,000- and 50,000-student seeds)
bench-export: install
	$(BIN)/python -m tests.bench.export

## fuzz: schemathesis against /api/schema/ as each role (FUZZ_EXAMPLES per operation, default 25)
## bench-load: the busiest hour on private PostgreSQL and Redis (gunicorn x4, 2 workers), with
## BENCH_DRILL=1 the failure drill; BENCH_STUDENTS, BENCH_MINUTES change its size
bench-load: install
	$(BIN)/python -m tests.bench.load

fuzz: install
	$(BIN)/python -m pytest tests/security/test_fuzzing.py -p no:randomly $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var
