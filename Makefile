# tlcourse — two commands for learners (see README.md):
#   make lab    set everything up, open the course in JupyterLab
#   make test   set everything up, run unit tests + every notebook (nbval)
# and one for instructors:
#   make course set everything up, execute every notebook headless into build/
#               and print each notebook's wall time and peak memory.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.tlcourse-installed
# Jupyter refuses to start as root unless told to (containers, CI).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: setup lab test course clean

setup: $(STAMP)
	$(BIN)/python -m tlcourse.assets fetch

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[dev]"
	touch $@

lab: setup
	$(BIN)/jupyter lab $(ROOT_FLAG) notebooks/ $(LAB_ARGS)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

course: setup
	$(BIN)/python -m tlcourse.course $(NOTEBOOKS)

clean:
	rm -rf build .pytest_cache
