# The two commands of the README. Each installs what it needs first (see .ci/setup).
.PHONY: up test setup lint schema

up: setup
	.venv/bin/scrm up

test: setup
	.venv/bin/ruff check .
	.venv/bin/python -m pytest -q

setup:
	bash .ci/setup

lint: setup
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

schema: setup
	.venv/bin/scrm schema -o schema.graphql
