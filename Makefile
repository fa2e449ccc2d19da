# Pipeline Studio: the two commands are `make up` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help up test test-backend lint images bench e2e schema clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

up: ## install what is missing, then start web, worker and scheduler on http://127.0.0.1:8000 (PORT overrides)
	@bash scripts/up.sh

test: ## provision PostgreSQL, Redis, Docker, images, Chromium; run every test
	@bash scripts/test.sh

test-backend: ## only the pytest suite (services provisioned)
	@bash scripts/test.sh --backend-only

lint: ## ruff over backend and tests
	@bash scripts/bootstrap.sh && .venv/bin/ruff check backend tests

images: ## build the worker images (skips what is up to date)
	@bash scripts/docker-engine.sh && bash worker_images/build.sh

bench: ## run the benchmarks (bench/), print the table, write bench/results/latest.json
	@bash bench/run.sh

e2e: ## only the browser tests against a freshly started stack
	@bash scripts/e2e.sh

schema: ## write the OpenAPI schema to var/schema.yml
	@bash scripts/bootstrap.sh && .venv/bin/python backend/manage.py spectacular --validate --file var/schema.yml

clean: ## remove local state (SQLite database, artifacts, logs); keeps .venv
	rm -rf var/studio.sqlite3 var/artifacts var/logs var/broker var/static
