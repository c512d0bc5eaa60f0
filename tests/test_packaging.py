"""The setup paths agree and the course's notebooks keep their shape."""
import re
import tomllib
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def _environment_yml():
    # environment.yml is tiny and flat; parse it without adding PyYAML.
    text = (REPO / "environment.yml").read_text()
    deps = re.findall(r"^\s*-\s+(\S.*)$", text, flags=re.M)
    return [d.strip().strip("'\"") for d in deps]


def test_environment_yml_installs_exactly_the_pip_path():
    deps = _environment_yml()
    assert "pip" in deps
    # Conda installs Python, then runs pip on the same project + dev extra
    # that `make setup` installs, so the two dependency lists cannot drift.
    assert "-e .[dev]" in deps
    python = [d for d in deps if d.startswith("python=")]
    assert python == ["python=3.11"]
    lower = PYPROJECT["project"]["requires-python"].removeprefix(">=")
    assert tuple(map(int, "3.11".split("."))) >= tuple(map(int, lower.split(".")))
    assert "dev" in PYPROJECT["project"]["optional-dependencies"]


def test_dependencies_have_lower_bounds_and_no_upper_pins():
    deps = (PYPROJECT["project"]["dependencies"]
            + PYPROJECT["project"]["optional-dependencies"]["dev"])
    for dep in deps:
        assert ">=" in dep, f"{dep}: give a lower bound"
        assert "<" not in dep.replace(">=", ""), f"{dep}: no needless upper pin"
        assert "==" not in dep, f"{dep}: no exact pin"


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (REPO / "README.md").read_text()
    head = readme[:2500]
    assert "make lab" in head and "make test" in head
    ci = (REPO / ".ci" / "run").read_text()
    assert re.search(r"^make test\b", ci, flags=re.M), ".ci/run must run the README's test command"
    makefile = (REPO / "Makefile").read_text()
    for target in ("setup:", "lab:", "test:", "course:"):
        assert target in makefile


def test_there_are_notebooks_in_teaching_order():
    names = [p.name for p in NOTEBOOKS]
    assert names, "no notebooks found"
    assert all(re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", n) for n in names), names
    numbers = [int(n[:2]) for n in names]
    assert numbers[0] == 0 and len(set(numbers)) == len(numbers), numbers


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_shape(path):
    nb = nbformat.read(path, as_version=4)
    cells = nb.cells
    first = cells[0].source.lower()
    assert cells[0].cell_type == "markdown"
    assert "learning objectives" in first, "open with learning objectives"
    assert "expected time" in first or "expected run time" in first
    md = [(i, c.source.lower()) for i, c in enumerate(cells) if c.cell_type == "markdown"]
    summary = [i for i, src in md if "## summary" in src]
    assert summary and summary[-1] >= 0.6 * len(cells), "end with a Summary"
    assert any("exercises" in src for i, src in md if i >= summary[-1]), \
        "Exercises after the Summary"
    code = "\n".join(c.source for c in cells if c.cell_type == "code")
    assert "set_random_seed" in code, "seed everything"
    assert "assert " in code, "numbers in prose must be guarded by assertions"
    for i, cell in enumerate(cells):
        if cell.cell_type == "code":
            n = len(cell.source.splitlines())
            assert n <= 20, f"cell {i} has {n} lines; keep cells short (≈15)"
