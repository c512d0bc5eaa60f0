"""Student/instructor copies and grading (tlcourse.grading, nbgrader).

The course notebooks are checked statically here (every exercise has a check
or a written answer, a worked solution, a registered question); the nbgrader
round trip runs on a tiny notebook so it stays fast.  `make grade-check`
(run by .ci/run) autogrades the real notebooks.
"""
import re
from pathlib import Path

import nbformat
import pytest

from tlcourse import check, grading
from tlcourse.course import course_notebooks

NOTEBOOKS = course_notebooks()


def _toy(folder: Path, solution="my_answer = 3 * 2  # the worked solution") -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell(
            "from tlcourse import check\n"
            "check.QUESTIONS['nb99.q1'] = check.Question(check.close_to(6), 'Multiply.')"),
        nbformat.v4.new_markdown_cell("### Exercise 1 · toy"),
        grading.answer_cell("nb99.q1", "my_answer = None   # your number", solution),
        grading.check_cell("nb99.q1", "my_answer"),
        nbformat.v4.new_markdown_cell("### Exercise 2 · why"),
        grading.written_cell("nb99.q2", "**Worked solution.** Six is two threes, said slowly."),
        nbformat.v4.new_code_cell("print('the last cell ran')"),
    ]
    path = folder / "99_toy.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture
def toy_question(monkeypatch):
    monkeypatch.setitem(check.QUESTIONS, "nb99.q1",
                        check.Question(check.close_to(6), "Multiply.", "3 · 2 = 6."))


def test_check_answer_says_not_answered_for_none(capsys):
    verdict = check.answer("nb02.q1", None)
    assert not verdict
    assert "not answered yet" in capsys.readouterr().out


def test_check_grade_raises_unless_right(toy_question):
    check.grade("nb99.q1", 6)
    with pytest.raises(AssertionError, match="not right yet"):
        check.grade("nb99.q1", 7)
    with pytest.raises(AssertionError, match="not answered"):
        check.grade("nb99.q1", None)
    with pytest.raises(KeyError):
        check.grade("nb99.nothing", 6)


def test_cells_carry_nbgrader_metadata():
    answer = grading.answer_cell("nb99.q1", "x = None", "x = 6")
    test = grading.check_cell("nb99.q1", "x", points=2)
    written = grading.written_cell("nb99.q2", "Because.")
    assert answer.metadata.nbgrader["solution"] and not answer.metadata.nbgrader["grade"]
    assert answer.metadata.jupyter["source_hidden"]          # collapsed for self-study
    assert test.metadata.nbgrader["grade"] and test.metadata.nbgrader["locked"]
    assert test.metadata.nbgrader["points"] == 2
    assert grading.BEGIN_HIDDEN in test.source and "check.grade('nb99.q1', x)" in test.source
    assert written.metadata.nbgrader["solution"] and written.metadata.nbgrader["grade"]


def test_leak_detector_finds_a_solution_left_in(tmp_path):
    source = _toy(tmp_path)
    leaky = nbformat.read(source, as_version=4)
    leaky.cells[2].source = "my_answer = 3 * 2  # the worked solution"
    path = tmp_path / "leaky.ipynb"
    nbformat.write(leaky, path)
    leaks = grading.solution_leaks(source, path)
    assert "my_answer = 3 * 2  # the worked solution" in leaks
    assert grading.BEGIN_HIDDEN in leaks and any("Six is two threes" in x for x in leaks)


def test_release_and_autograde_round_trip(tmp_path):
    """nbgrader strips the solution and the hidden test; an untouched copy runs
    to the end and scores 0; the solved source scores full marks."""
    source = _toy(tmp_path)
    course = tmp_path / "build" / "nbgrader"
    grading.release([source], course_dir=course, quiet=True)
    student = tmp_path / "build" / "student" / source.name
    assert grading.solution_leaks(source, student) == []
    text = student.read_text()
    assert grading.CODE_STUB in text and grading.TEXT_STUB in text
    assert "check.grade" not in text and "source_hidden" not in text
    assert (tmp_path / "build" / "instructor" / source.name).read_text() == source.read_text()
    untouched, = grading.autograde("untouched", [source], course_dir=course)
    solved, = grading.autograde("solved", [source], course_dir=course)
    assert (untouched["score"], untouched["max_score"], untouched["crashes"]) == (0, 1, [])
    assert (solved["score"], solved["max_score"], solved["crashes"]) == (1, 1, [])
    assert untouched["manual_points"] == 1
    graded = course / "autograded" / "untouched" / source.stem / source.name
    assert "the last cell ran" in graded.read_text()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_has_exercises_worth_doing(path):
    """3-6 exercises, at least 3 checked automatically, every one with a
    worked solution; the ids match the printed numbers and the questions exist."""
    count = grading.exercises(path)
    total = count["checkable"] + count["written"]
    assert 3 <= total <= 6, count
    assert count["checkable"] >= 3, count
    assert count["with_solution"] == total, count
    nb = nbformat.read(path, as_version=4)
    numbers = [int(m) for c in nb.cells if c.cell_type == "markdown"
               for m in re.findall(r"^### Exercise (\d+)", c.source, flags=re.M)]
    stem = path.name[:2]
    assert numbers == list(range(1, total + 1)), numbers
    assert count["ids"] == [f"nb{stem}-q{k}" for k in numbers], count["ids"]
    for cell in nb.cells:
        meta = grading.nbgrader_meta(cell)
        if meta.get("grade") and not meta.get("solution"):
            qid = re.search(r"check\.answer\('([^']+)'", cell.source)[1]
            assert qid in check.QUESTIONS, qid
            assert f"check.grade({qid!r}" in cell.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_untouched_copy_defines_what_later_cells_use(path):
    """In the student copy an answer cell keeps only its prompt lines: they
    must define every name the check cell reads (as None), so the copy runs."""
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        meta = grading.nbgrader_meta(cell)
        if cell.cell_type == "code" and meta.get("solution"):
            prompt = cell.source.split(grading.BEGIN)[0]
            assert grading.BEGIN in cell.source and grading.END in cell.source, i
            # every target of the prompt's assignments (a = b = None, a, b = ...)
            defined = {n for m in re.findall(r"([\w, ]+?)\s*=(?!=)", prompt)
                       for n in re.findall(r"\w+", m)}
            test = nb.cells[i + 1]
            assert grading.nbgrader_meta(test).get("grade"), f"cell {i + 1} should check cell {i}"
            if test.cell_type == "markdown":   # worked code before a written answer
                continue
            expr = re.search(r"check\.answer\('[^']+', (.+)\)\n", test.source)[1]
            used = set(re.findall(r"\b[a-z_]\w*\b", expr)) - {"None", "True", "False"}
            known = defined | set(re.findall(r"^(\w+)\s*=", "\n".join(
                c.source for c in nb.cells[:i] if c.cell_type == "code"
                and not grading.nbgrader_meta(c).get("solution")), flags=re.M))
            missing = {u for u in used if u not in known and not hasattr(__builtins__, u)}
            assert not missing, f"cell {i}: {missing} only defined by a solution"
