# The two commands of the README: `make serve` and `make test`. Each installs what is missing first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install serve test browser axe bench clean virtuoso voikko wrk test-virtuoso fuzz load audit fidelity corpus

install: voikko $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $@

# Debian's Chromium and ChromeDriver for the browser tests, libmagic for the harvest client (root; see README).
browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! ldconfig -p | grep -q libmagic.so.1; then \
	  echo "installing chromium, chromium-driver and libmagic1 (for ckan, the harvest client in the tests) with apt-get"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver libmagic1 >/dev/null; \
	fi

# Debian's Voikko (the library and the Finnish dictionary) for `kuntagraph import`: the importer reads headings and
# labels by the lemmas of their words (src/kuntagraph/importers/morphology.py; root; see README).
voikko:
	@if ! ldconfig -p | grep -q libvoikko.so.1 || ! test -e /usr/lib/voikko/5/mor-standard/mor.vfst; then \
	  echo "installing libvoikko1 and voikko-fi (Finnish morphology for kuntagraph import) with apt-get"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libvoikko1 voikko-fi >/dev/null; \
	fi

# Debian's Virtuoso for the remote-store tests (tests/test_remote.py starts a throw-away one; root; see README).
virtuoso:
	@if ! command -v virtuoso-t >/dev/null; then \
	  echo "installing virtuoso-opensource (the remote SPARQL store the tests compare against) with apt-get"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends virtuoso-opensource >/dev/null; \
	fi

# axe-core, the accessibility engine the browser tests run inside Chromium (from the npm registry).
AXE := .cache/node_modules/axe-core/axe.min.js
axe: $(AXE)
$(AXE):
	npm install --silent --no-audit --no-fund --prefix .cache axe-core@4.14.1

serve: install
	$(BIN)/kuntagraph serve --host 127.0.0.1 --port 8000

test: install browser axe virtuoso
	$(BIN)/python -m pytest -q

# The remote store against a real Virtuoso only (make test runs these too).
test-virtuoso: install virtuoso
	$(BIN)/python -m pytest -q tests/test_remote.py

# Hostile input at volume: every input path, 18000 x the per-target weights of tests/test_fuzz.py = 92,500
# generated inputs, of which ~86,000 are sendable and reach the server or an importer (the count is printed);
# make test runs the same targets with 150 x the weights. Then atheris, coverage-guided, on the parsers in process
# (tests/fuzz_atheris.py): ATHERIS_RUNS x its per-target weights. 12-20 minutes in all; .ci/run calls it.
FUZZ_EXAMPLES ?= 18000
ATHERIS_RUNS ?= 20000
fuzz: install
	KUNTAGRAPH_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) KUNTAGRAPH_ATHERIS_RUNS=$(ATHERIS_RUNS) \
	  $(BIN)/python -m pytest -q -s -p no:randomly tests/test_fuzz.py

# Load: 50 concurrent clients for 5 minutes against 309 generated municipalities on the on-disk store, a mix of
# every kind of request, with an endless SPARQL query every 20 s that the timeout must cut off, and writers (PUT
# /store and /publish) meanwhile (tests/test_load.py; about 10 minutes in all, p50/p95/p99 per kind printed). Then
# the soak test of the store for 3 minutes (writers, readers, kill -9 of the server; make test runs it for 24 s).
# Zero errors or it fails. .ci/run calls it.
SOAK_SECONDS ?= 180
load: install
	$(BIN)/python -m pytest -q -s -p no:randomly -m load tests/test_load.py
	KUNTAGRAPH_SOAK_SECONDS=$(SOAK_SECONDS) $(BIN)/python -m pytest -q -s -p no:randomly tests/test_soak.py

# Known vulnerabilities in the pins of requirements.lock (.ci/audit.py: pip-audit, pinned, in a throw-away venv of
# its own so that it stays out of the lock), then pip check of .venv. Fails on a known vulnerability; when no
# vulnerability database can be reached, it says so in a banner and passes. .ci/run calls it.
PIP_AUDIT   := 2.10.1
AUDIT_VENV  := .cache/audit-venv
AUDIT_STAMP := $(AUDIT_VENV)/.installed-pip-audit-$(PIP_AUDIT)
audit: install $(AUDIT_STAMP)
	$(AUDIT_VENV)/bin/python .ci/audit.py $(AUDIT_VENV)/bin/pip-audit requirements.lock
	$(BIN)/python -m pip check

$(AUDIT_STAMP):
	rm -rf $(AUDIT_VENV) && $(PYTHON) -m venv $(AUDIT_VENV)
	$(AUDIT_VENV)/bin/python -m pip install --quiet --disable-pip-version-check pip-audit==$(PIP_AUDIT)
	touch $@

# wrk, the C load generator the benchmarks use beside the Python clients for the cheap query (root; Debian).
wrk:
	@if ! command -v wrk >/dev/null; then \
	  echo "installing wrk (the benchmarks' C load generator) with apt-get"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	fi

# Every benchmark of benchmarks/README.md in one run (about 13 minutes), with Virtuoso as one of the baselines.
bench: install virtuoso wrk
	$(BIN)/python benchmarks/run.py

# The importer against what a careful reader finds in each real page of ../shared/corpus/ and each seed
# (benchmarks/fidelity/): precision and recall per kind of item, documents refused, cut-offs reported.
fidelity: install
	$(BIN)/python benchmarks/fidelity.py

# The real organisations of ../shared/corpus/ into data/, one validated graph each (ingest/organisations.csv).
corpus: install
	$(BIN)/python ingest/corpus.py

clean:
	rm -rf $(VENV) .pytest_cache
