.PHONY: demo test lint bench
demo:
	bash scripts/demo.sh
test:
	bash scripts/test.sh
lint:
	.venv/bin/ruff check gonghui bench tests conftest.py
	.venv/bin/mypy gonghui
