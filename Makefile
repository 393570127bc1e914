# PyForge: two commands.
#   make serve   run the forge (embedded database, demo site) at http://127.0.0.1:6543/
#   make test    run every test: unit, functional, integration and browser
# Both set up .venv first; the set-up is skipped while setup.py is unchanged.
# Options for forge serve: make serve SERVE_ARGS="--port 8080 --data-dir /srv/forge"

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# the stamp's name carries setup.py's hash, so editing the dependencies reinstalls
SETUP_HASH := $(shell sha256sum setup.py 2>/dev/null | cut -c1-16)
STAMP := $(VENV)/.installed-$(SETUP_HASH)
# serving needs less than testing: make serve installs PyForge without the test tools
SERVE_STAMP := $(VENV)/.serve-installed-$(SETUP_HASH)
AMQP_URL := amqp://guest:guest@127.0.0.1:5672//
RABBITMQ_ANSWERS := $(PY) -c "import kombu; c = kombu.Connection('$(AMQP_URL)', connect_timeout=2); c.connect(); c.release()" >/dev/null 2>&1

.PHONY: serve test setup serve-setup test-tools chromium git rabbitmq bench bench-code loc

serve: serve-setup git
	$(VENV)/bin/forge serve $(SERVE_ARGS)

test: setup test-tools chromium git rabbitmq
	@# bytecode written: without it every pytest worker rewrites the plugins' asserts and
	@# every forge subprocess compiles from source (PYTHONDONTWRITEBYTECODE=1 is common)
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -q -n 2 --dist loadgroup tests

bench: setup
	bench/run

# Git over HTTP and code browsing: the forge against git http-backend and dulwich (bench/README.md)
bench-code: setup git
	@$(PY) -m pip install -q 'dulwich>=1.2' >> $(VENV)/pip.log 2>&1
	bench/code

# lines of each tool's Python (tests and templates left out) against issue 11's targets and Allura
loc:
	bench/loc

setup: $(STAMP)

$(STAMP): setup.py
	@test -x $(PY) || { echo "Creating the virtual environment $(VENV)..."; $(PYTHON) -m venv $(VENV); }
	@echo "Installing PyForge and its test tools into $(VENV) (a few minutes the first time; log: $(VENV)/pip.log)..."
	@$(PY) -m pip install -e '.[test]' > $(VENV)/pip.log 2>&1 || { cat $(VENV)/pip.log; exit 1; }
	@rm -f $(VENV)/.installed-* $(VENV)/.serve-installed-*
	@touch $@ $(SERVE_STAMP)
	@echo "Installed."

serve-setup: $(SERVE_STAMP)

$(SERVE_STAMP): setup.py
	@test -x $(PY) || { echo "Creating the virtual environment $(VENV)..."; $(PYTHON) -m venv $(VENV); }
	@echo "Installing PyForge into $(VENV) (about a minute the first time; log: $(VENV)/pip.log)..."
	@$(PY) -m pip install -e . > $(VENV)/pip.log 2>&1 || { cat $(VENV)/pip.log; exit 1; }
	@rm -f $(VENV)/.serve-installed-*
	@touch $@
	@echo "Installed."

# the third-party tool the tests install through its entry point (tests/thirdparty)
LINKS_STAMP := $(VENV)/.installed-links-$(shell sha256sum tests/thirdparty/forge_links/pyproject.toml 2>/dev/null | cut -c1-16)
test-tools: $(LINKS_STAMP)

$(LINKS_STAMP): $(STAMP) tests/thirdparty/forge_links/pyproject.toml
	@$(PY) -m pip install -e tests/thirdparty/forge_links >> $(VENV)/pip.log 2>&1 || { cat $(VENV)/pip.log; exit 1; }
	@rm -f $(VENV)/.installed-links-*
	@touch $@

# Browser tests drive Debian's Chromium (Playwright's own download does not work here).
chromium:
	@if [ -x /usr/bin/chromium ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		apt-get update && apt-get install -y chromium; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
		sudo apt-get update && sudo apt-get install -y chromium; \
	else \
		echo "*** /usr/bin/chromium is missing and this user cannot install it;" >&2; \
		echo "*** run 'sudo apt-get install -y chromium', or the browser tests fail." >&2; \
	fi

# The code tool serves and reads repositories with the git binary; its tests drive the git client.
git:
	@if command -v git >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		apt-get update && apt-get install -y git; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
		sudo apt-get update && sudo apt-get install -y git; \
	else \
		echo "*** git is missing and this user cannot install it;" >&2; \
		echo "*** run 'sudo apt-get install -y git', or the code tool and its tests fail." >&2; \
	fi

# Integration tests use a real RabbitMQ on 127.0.0.1:5672; start it if it does not answer.
rabbitmq: setup
	@if $(RABBITMQ_ANSWERS); then exit 0; fi; \
	echo "Starting RabbitMQ (rabbitmq-server -detached)..."; \
	rabbitmq-server -detached || { echo "*** could not start rabbitmq-server" >&2; exit 1; }; \
	for i in $$(seq 1 60); do \
		if $(RABBITMQ_ANSWERS); then echo "RabbitMQ answers."; exit 0; fi; \
		sleep 1; \
	done; \
	echo "*** RabbitMQ did not answer on 127.0.0.1:5672 within 60 seconds" >&2; exit 1
