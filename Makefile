# tlcourse — two commands for learners (see README.md):
#   make lab    set everything up, open the course in JupyterLab
#               (make lab LANG=zh: the Chinese edition, 中文版)
#   make test   set everything up, run unit tests + every notebook (nbval)
# and, for instructors and maintainers:
#   make site        the course as an offline web site (Jupyter Book, from the
#                    notebooks' stored outputs) in build/site/html
#   make site-check  open it in headless Chromium with the network blocked:
#                    formulas, figures, search, no request off the machine
#   make slides      reveal.js slides of notebooks 01 02 05 (SLIDES=...) in
#                    build/slides; make slides-check checks them the same way
#   make course      set everything up, execute every notebook headless into
#                    build/ and print each notebook's wall time and peak memory
#   make robustness  re-run the course under other seeds and with oneDNN off,
#                    and report every assert's margin (build/robustness/)
#   make wheelhouse WHEELHOUSE=dir   one folder with every locked wheel and
#                    asset, for a classroom without internet; learners then
#                    run `make lab WHEELHOUSE=dir` with no network
#   make lock        refresh requirements/lock.txt to the newest releases
#   make release     student copies (solutions and hidden tests removed) and
#                    instructor copies with nbgrader: build/student,
#                    build/instructor, build/nbgrader (a course directory)
#   make grade-check autograde untouched student copies (must run to the end
#                    and score 0) and solved copies (full marks) with nbgrader
#
# Installs come from the hash-pinned lock (requirements/lock.txt), so every
# learner of a semester gets the same stack. LOCKED=0 installs the newest
# releases the lower bounds in pyproject.toml allow instead.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.tlcourse-installed
LOCK   := requirements/lock.txt
LOCKED ?= 1
# Jupyter refuses to start as root unless told to (containers, CI).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
# A classroom wheelhouse replaces the package index when given.
WHEELHOUSE ?=
PIP_SOURCE := $(if $(WHEELHOUSE),--no-index --find-links $(abspath $(WHEELHOUSE)),)
ASSET_SOURCE := $(if $(WHEELHOUSE),--wheelhouse $(abspath $(WHEELHOUSE)),)
PIP := $(BIN)/python -m pip --disable-pip-version-check
# Wheelhouse targets: platforms (pip's --platform tags) and the Python of
# this venv (pip evaluates the lock's markers with it, so learners need the
# same minor version; the patch level matters for a few packages too).
WHEEL_PYTHON = $(shell $(BIN)/python -c "import platform; print(platform.python_version())")
WHEEL_PLATFORMS ?= linux
PLATFORM_TAGS_linux   := manylinux_2_17_x86_64 manylinux2014_x86_64 manylinux_2_27_x86_64 manylinux_2_28_x86_64 manylinux_2_31_x86_64
PLATFORM_TAGS_macos   := macosx_11_0_arm64 macosx_12_0_arm64 macosx_13_0_arm64 macosx_14_0_arm64
PLATFORM_TAGS_windows := win_amd64
ROBUSTNESS_SEEDS ?= 0,1,2
ROBUSTNESS_ONEDNN ?= on,off

# Notebooks whose solved copies `make grade-check` autogrades (each costs one
# more run of the notebook; `make test` already runs every solved source).
GRADE_UNTOUCHED ?= all
GRADE_SOLVED ?= 00,01,02

.PHONY: zh setup lab test course robustness wheelhouse lock clean site site-check slides slides-check release grade-check

setup: $(STAMP)
	$(BIN)/python -m tlcourse.assets fetch $(ASSET_SOURCE)

# The locked install is tried twice: an index page that fails to load
# mid-install makes pip report "no matching distribution" instead of retrying.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
ifeq ($(LOCKED),1)
	$(PIP) install -q $(PIP_SOURCE) --require-hashes -r $(LOCK) \
	    || $(PIP) install -q $(PIP_SOURCE) --require-hashes -r $(LOCK)
	$(PIP) install -q $(PIP_SOURCE) --no-deps --no-build-isolation -e .
else
	$(PIP) install -q -U -e ".[dev]"
endif
	touch $@

# `make lab LANG=zh` opens the Chinese edition (notebooks/zh/, built from the
# English notebooks by `make zh`). Any other LANG (the locale) opens English.
COURSE_DIR := $(if $(filter zh,$(LANG)),notebooks/zh/,notebooks/)

lab: setup
	$(BIN)/jupyter lab $(ROOT_FLAG) $(COURSE_DIR) $(LAB_ARGS)

# The Chinese edition: notebooks/zh/ from the English notebooks and the
# translation catalogues in i18n/zh/ (see i18n/TRANSLATING.md).
zh:
	$(BIN)/python -m tlcourse.i18n build zh
	$(BIN)/python -m tlcourse.i18n check zh

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# SAVE=1 also keeps what the Chinese edition's build needs from this run:
# every figure text (build/figure_text.txt, for `python -m tlcourse.i18n
# extract zh`) and every figure, pickled (build/figures/, redrawn in Chinese
# by `make zh`).
course: setup
	$(if $(SAVE),mkdir -p build && TLCOURSE_FIGURE_TEXT_LOG=$(CURDIR)/build/figure_text.txt \
	    TLCOURSE_FIGURE_PICKLES=$(CURDIR)/build/figures) \
	    $(BIN)/python -m tlcourse.course $(if $(RECORD),--record) $(if $(SAVE),--save) $(NOTEBOOKS)

robustness: setup
	$(BIN)/python -m tlcourse.robustness --seeds $(ROBUSTNESS_SEEDS) \
	    --onednn $(ROBUSTNESS_ONEDNN) $(NOTEBOOKS)

release: setup
	$(BIN)/python -m tlcourse.grading release $(NOTEBOOKS)
	$(BIN)/python -m tlcourse.grading check-release $(NOTEBOOKS)
	$(BIN)/python -m tlcourse.grading count $(NOTEBOOKS)

grade-check: release
	$(BIN)/python -m tlcourse.grading autograde --untouched "$(GRADE_UNTOUCHED)" \
	    --solved "$(GRADE_SOLVED)"

# MathJax and reveal.js come from npm tarballs pinned in tlcourse/assets.py
# (from the wheelhouse when WHEELHOUSE is given); the browser checks need
# Debian's chromium (apt-get install -y chromium).
SITE_ASSETS := mathjax reveal_js
SLIDES ?=

site: $(STAMP)
	$(BIN)/python -m tlcourse.assets fetch -q $(ASSET_SOURCE) $(SITE_ASSETS)
	$(BIN)/python -m tlcourse.site build

site-check: site
	$(BIN)/python -m tlcourse.site check

slides: $(STAMP)
	$(BIN)/python -m tlcourse.assets fetch -q $(ASSET_SOURCE) $(SITE_ASSETS)
	$(BIN)/python -m tlcourse.slides $(SLIDES)

slides-check: $(STAMP)
	$(BIN)/python -m tlcourse.assets fetch -q $(ASSET_SOURCE) $(SITE_ASSETS)
	$(BIN)/python -m tlcourse.slides --check $(SLIDES)

wheelhouse: $(STAMP)
	test -n "$(WHEELHOUSE)" || { echo "usage: make wheelhouse WHEELHOUSE=dir [WHEEL_PLATFORMS='linux macos windows']"; exit 2; }
	mkdir -p $(WHEELHOUSE)
	$(foreach p,$(WHEEL_PLATFORMS),\
	    $(PIP) download -q --require-hashes -r $(LOCK) -d $(WHEELHOUSE) \
	        --only-binary=:all: --python-version $(WHEEL_PYTHON) \
	        $(foreach t,$(PLATFORM_TAGS_$(p)),--platform $(t)) &&) true
	$(BIN)/python -m tlcourse.assets download $(WHEELHOUSE)
	cp $(LOCK) $(WHEELHOUSE)/
	@echo "Hand out $(WHEELHOUSE)/ (with this repository); learners run:"
	@echo "  make lab WHEELHOUSE=<that folder>"

lock: $(STAMP)
	$(PIP) install -q uv
	$(BIN)/uv pip compile pyproject.toml requirements/lock.in --extra dev --extra instructor \
	    --universal --python-version 3.10 --generate-hashes --upgrade \
	    --custom-compile-command "make lock" -o $(LOCK)

clean:
	rm -rf build .pytest_cache
