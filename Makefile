# The two commands: `make demo` (offline main job) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-system lint bench bench-pipeline eval clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)  # .venv may be a link to a shared venv
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	# The project itself, editable: `from omskcrawl import dataset` works from any folder.
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Every spider over the bundled sample pages (replayed from a WARC), Parquet to exports/.
demo: $(STAMP)
	$(BIN)/scrapy replay --sample -L WARNING

test: $(STAMP)
	$(BIN)/ruff check omskcrawl tests benchmarks scripts
	$(BIN)/ruff format --check omskcrawl tests benchmarks scripts
	$(BIN)/mypy omskcrawl
	$(BIN)/python -m pytest -q -n 2 --dist worksteal -m "not system" --durations=10  # both cores

# The system tests: a real scrapyd, several scrapy-redis worker processes, the wheel in a
# fresh virtualenv. Slower (about 1.5 minutes); CI runs them after `make test`.
test-system: $(STAMP)
	$(BIN)/python -m pytest -q -m system --durations=5

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_dates.py
	$(BIN)/python benchmarks/bench_similarity.py
	$(BIN)/python benchmarks/bench_dedup.py  # about 10 minutes: fills a 100k-item state
	$(BIN)/python benchmarks/bench_replay_index.py  # about 3 minutes: writes a 1 GiB WARC to /tmp
	$(BIN)/python benchmarks/bench_dataset.py  # about 5 minutes: builds a 1M-row dataset
	$(BIN)/python benchmarks/bench_compact.py  # about 4 minutes: 7,200 small files
	$(BIN)/python benchmarks/bench_pipeline.py  # about 1 hour on 2 busy cores: 2,000 and 10,000 articles

# Full pipeline vs bare Scrapy on a replayed synthetic corpus, 2,000 and 10,000 articles.
bench-pipeline: $(STAMP)
	$(BIN)/python benchmarks/bench_pipeline.py

eval: $(STAMP)
	$(BIN)/python scripts/eval_dedup.py

clean:
	rm -rf exports/articles exports/quarantine exports/runs exports/state exports/sample
