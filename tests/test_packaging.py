"""The setup paths agree and the course's notebooks keep their shape."""
import re
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, from PyPI (dev extra)
    import tomli as tomllib

import nbformat
import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def _environment_yml():
    # environment.yml is tiny and flat; parse it without adding PyYAML.
    text = (REPO / "environment.yml").read_text()
    deps = re.findall(r"^\s*-\s+(\S.*)$", text, flags=re.M)
    return [d.strip().strip("'\"") for d in deps]


def _lock():
    """``{name: [(version, marker or None), ...]}`` from requirements/lock.txt."""
    entries: dict[str, list] = {}
    text = (REPO / "requirements" / "lock.txt").read_text()
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        first = block.splitlines()[0] if block.strip() else ""
        m = re.match(r"([A-Za-z0-9_.\-]+)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$", first)
        if m:
            assert "--hash=sha256:" in block, f"{first}: the lock must pin a hash"
            entries.setdefault(canonicalize_name(m[1]), []).append(
                (m[2], Marker(m[3]) if m[3] else None))
    return entries


def test_environment_yml_installs_the_same_lock_as_make():
    deps = _environment_yml()
    assert "pip" in deps
    # Conda installs Python, then pip installs the hash-pinned lock that
    # `make setup` installs, so the two stacks cannot drift.
    assert "-r requirements/lock.txt" in deps
    python = [d for d in deps if d.startswith("python=")]
    assert python == ["python=3.11"]
    lower = PYPROJECT["project"]["requires-python"].removeprefix(">=")
    assert tuple(map(int, "3.11".split("."))) >= tuple(map(int, lower.split(".")))
    makefile = (REPO / "Makefile").read_text()
    assert "--require-hashes -r $(LOCK)" in makefile
    assert "LOCK   := requirements/lock.txt" in makefile


def test_dependencies_have_lower_bounds():
    deps = (PYPROJECT["project"]["dependencies"]
            + PYPROJECT["project"]["optional-dependencies"]["dev"]
            + PYPROJECT["project"]["optional-dependencies"]["instructor"])
    for dep in deps:
        assert ">=" in dep, f"{dep}: give a lower bound"
        assert "==" not in dep, f"{dep}: exact pins belong in the lock, not here"


ENVIRONMENTS = [
    {"python_version": pv, "python_full_version": pv + ".0", "sys_platform": sp,
     "platform_system": ps, "platform_machine": pm, "os_name": on,
     "implementation_name": "cpython", "platform_python_implementation": "CPython"}
    for pv in ("3.10", "3.11", "3.12")
    for sp, ps, pm, on in (("linux", "Linux", "x86_64", "posix"),
                           ("darwin", "Darwin", "arm64", "posix"),
                           ("win32", "Windows", "AMD64", "nt"))]


@pytest.mark.parametrize("env", ENVIRONMENTS,
                         ids=lambda e: f"py{e['python_version']}-{e['sys_platform']}")
def test_lock_satisfies_the_lower_bounds(env):
    """Every dependency of pyproject.toml (with the dev and instructor extras) is in the lock
    for this Python and platform, at a version its bound allows."""
    lock = _lock()
    deps = (PYPROJECT["project"]["dependencies"]
            + PYPROJECT["project"]["optional-dependencies"]["dev"]
            + PYPROJECT["project"]["optional-dependencies"]["instructor"])
    for dep in map(Requirement, deps):
        if dep.marker and not dep.marker.evaluate(env):
            continue
        name = canonicalize_name(dep.name)
        assert name in lock, f"{dep} is missing from the lock: run `make lock`"
        versions = [v for v, marker in lock[name] if marker is None or marker.evaluate(env)]
        assert len(versions) == 1, (dep, versions)
        assert dep.specifier.contains(versions[0], prereleases=True), \
            f"lock has {name}=={versions[0]}, pyproject asks {dep}: run `make lock`"


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
    assert summary, "end with a Summary"
    assert any("exercises" in src for i, src in md if i >= summary[-1]), \
        "Exercises after the Summary"
    # After the Summary only the exercises (task, answer, check and written
    # cells, see tlcourse.grading) and the further reading.
    for i, cell in enumerate(cells[summary[-1] + 1:], start=summary[-1] + 1):
        head = cell.source.lstrip().lower()
        assert (cell.metadata.get("nbgrader") or head.startswith(
            ("## exercises", "### exercise", "## further reading"))), \
            f"cell {i} after the Summary is neither an exercise nor further reading"
    code = "\n".join(c.source for c in cells if c.cell_type == "code")
    assert "set_random_seed(SEED)" in code, "seed everything from tlcourse.SEED"
    setup = next(c.source for c in cells if c.cell_type == "code")
    # tlcourse must come before TensorFlow: it quiets TF's C++ start-up log.
    assert setup.startswith("from tlcourse import SEED"), "import tlcourse first"
    assert re.search(r"set_random_seed\(\d", code) is None, "use SEED, not a literal"
    assert "assert " in code, "numbers in prose must be guarded by assertions"
    for i, cell in enumerate(cells):
        if cell.cell_type == "code":
            n = len(cell.source.splitlines())
            assert n <= 20, f"cell {i} has {n} lines; keep cells short (≈15)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_outputs_are_clean(path):
    """What a learner reads under a cell: no TensorFlow C++ log lines and no
    bare ``True``/``False`` left by a check cell (check.answer's Verdict
    shows nothing)."""
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            text = out.get("text", "") + out.get("data", {}).get("text/plain", "")
            assert not re.search(r"^[EIWF]0000 |cuInit|cuda_", text, re.M), (i, text[:200])
            if out.get("output_type") == "execute_result":
                assert text not in ("True", "False"), f"cell {i} ends in a bare {text}"


def test_measured_times_agree_everywhere():
    """Each notebook's "Expected time" line, the README's time table and
    INSTRUCTORS.md quote the same measured run (`make course --record` writes
    all three)."""
    readme = (REPO / "README.md").read_text()
    guide = (REPO / "INSTRUCTORS.md").read_text()
    for path in NOTEBOOKS:
        num = path.name[:2]
        first = nbformat.read(path, as_version=4).cells[0].source
        stated = re.search(r"\((\d+) s measured on (\d{4}-\d\d-\d\d) by `make (?:course|test)`\)",
                           first)
        assert stated, f"{path.name}: the Expected time line must quote the measured run"
        in_readme = re.search(rf"^\| {num} [^|]+\| (\d+) \|", readme, flags=re.M)
        in_guide = re.search(rf"^\| {num} [^|]+\| (\d+) \| (\d+) \| (\d+) \|", guide, flags=re.M)
        assert in_readme and in_guide, num
        assert stated[1] == in_readme[1] == in_guide[1], (num, stated[1], in_readme[1], in_guide[1])
        reading = re.search(r"(\d+) minutes of reading and about (\d+) minutes of exercises", first)
        assert reading and (reading[1], reading[2]) == (in_guide[2], in_guide[3]), num
