"""Student and instructor copies, and grading, with nbgrader.

The notebooks in ``notebooks/`` are the **source**: every exercise has a
worked solution in nbgrader's format, so the course, the instructor copy and
the student copy come from one file.  An exercise is three kinds of cell
(build them with :func:`answer_cell`, :func:`check_cell`, :func:`written_cell`):

* an **answer cell** (nbgrader "solution"): a line the learner fills in,
  then the worked solution between ``### BEGIN SOLUTION`` and
  ``### END SOLUTION``; in the student copy the solution becomes
  ``# YOUR CODE HERE``, so an untouched copy still runs top to bottom;
* a **check cell** (nbgrader "autograded tests", read-only):
  ``check.answer(qid, value)`` prints ✓, a hint, or "not answered yet" and
  never raises; its hidden part ``check.grade(qid, value)`` raises when the
  answer is wrong, which is how the autograder scores it (hidden tests are
  removed from the student copy and put back when grading);
* a **written answer** (nbgrader "manually graded answer", markdown): the
  worked solution and rubric in the source, ``YOUR ANSWER HERE`` for students.

In ``notebooks/`` the solutions are collapsed (JupyterLab shows a ``…`` bar:
click it when you have tried), so self-study learners have them at hand.

Command line (``make release`` and ``make grade-check`` run these)::

    python -m tlcourse.grading release        # build/nbgrader (course dir),
                                              # build/student, build/instructor
    python -m tlcourse.grading check-release  # no solution text in student copies
    python -m tlcourse.grading autograde --untouched all --solved 00,01
                                              # nbgrader autograde, scores checked

Introduced in notebook 00 (section "Exercises and solutions").
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterable, Sequence

import nbformat

REPO = Path(__file__).resolve().parents[1]
BUILD = REPO / "build"
COURSE_DIR = BUILD / "nbgrader"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
CODE_STUB = "# YOUR CODE HERE"
TEXT_STUB = "YOUR ANSWER HERE"

NBGRADER_CONFIG = f'''\
# nbgrader configuration of the tlcourse course directory (written by
# `python -m tlcourse.grading release`; copy this folder to your JupyterHub).
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "tlcourse"
# An untouched student copy must run top to bottom: the answer cell keeps its
# "value = None" line and the solution becomes a comment, not a raise.
c.ClearSolutions.code_stub = {{"python": {CODE_STUB!r}}}
c.ClearSolutions.text_stub = {TEXT_STUB!r}
# Notebooks train models: a cell may take minutes on a 2-core laptop.
c.Execute.timeout = 900
c.Execute.interrupt_on_timeout = True
'''


# ---------------------------------------------------------------- authoring
def _meta(grade_id: str, *, solution: bool, grade: bool, locked: bool,
          points: float | None = None) -> dict:
    nbg = {"grade": grade, "grade_id": grade_id, "locked": locked,
           "schema_version": 3, "solution": solution, "task": False}
    if points is not None:
        nbg["points"] = points
    return {"nbgrader": nbg}


def _grade_id(qid: str, kind: str) -> str:
    return qid.replace(".", "-") + "-" + kind


def answer_cell(qid: str, prompt: str, solution: str) -> nbformat.NotebookNode:
    """The learner's cell for exercise ``qid``: ``prompt`` (e.g.
    ``"lr_effect = None   # your answer"``) stays in the student copy,
    ``solution`` is the worked solution.  Collapsed in ``notebooks/``.

    Example: ``answer_cell("nb02.q1", "ratio = None   # your number", "ratio = 16")``
    """
    source = f"{prompt.rstrip()}\n{BEGIN}\n{solution.strip()}\n{END}"
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata.update(_meta(_grade_id(qid, "answer"), solution=True,
                               grade=False, locked=False))
    cell.metadata["jupyter"] = {"source_hidden": True, "outputs_hidden": True}
    return cell


def check_cell(qid: str, value: str, points: float = 1) -> nbformat.NotebookNode:
    """The read-only check of exercise ``qid``: feedback for the learner,
    and a hidden ``check.grade`` the autograder scores.  ``value`` is the
    expression to check (the learner's variable or a tuple of them).

    Example: ``check_cell("nb02.q1", "ratio")``
    """
    source = (f"check.answer({qid!r}, {value})\n{BEGIN_HIDDEN}\n"
              f"check.grade({qid!r}, {value})\n{END_HIDDEN}")
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata.update(_meta(_grade_id(qid, "check"), solution=False,
                               grade=True, locked=True, points=points))
    return cell


def written_cell(qid: str, solution_md: str, points: float = 1) -> nbformat.NotebookNode:
    """A written answer graded by hand: the worked solution and rubric in
    the source, ``YOUR ANSWER HERE`` in the student copy.

    Example: ``written_cell("nb05.q6", "**Worked solution.** The frozen column …")``
    """
    cell = nbformat.v4.new_markdown_cell(solution_md.strip())
    cell.metadata.update(_meta(_grade_id(qid, "written"), solution=True,
                               grade=True, locked=False, points=points))
    cell.metadata["jupyter"] = {"source_hidden": True}
    return cell


# ------------------------------------------------------------------ reading
def nbgrader_meta(cell) -> dict:
    """A cell's nbgrader metadata, ``{}`` when it has none."""
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def exercises(path: Path) -> dict:
    """Count a notebook's exercises: ``{"checkable", "written",
    "with_solution", "points", "ids"}``.  An exercise is a check cell (autograded)
    or a written answer; it has a solution when its answer cell or written
    cell holds one.

    Example: ``exercises(Path("notebooks/02_the_math.ipynb"))["checkable"]``
    """
    nb = nbformat.read(path, as_version=4)
    checkable, written, solved, points, ids = set(), set(), set(), 0.0, []
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        gid = meta.get("grade_id", "")
        qid = re.sub(r"-(answer|check|written)$", "", gid)
        if meta.get("grade") and not meta.get("solution"):
            checkable.add(qid)
            points += float(meta.get("points", 0))
        if meta.get("grade") and meta.get("solution"):
            written.add(qid)
            points += float(meta.get("points", 0))
            if cell.source.strip():
                solved.add(qid)
        if meta.get("solution") and cell.cell_type == "code" and BEGIN in cell.source:
            solved.add(qid)
        if qid and qid not in ids and (meta.get("grade") or meta.get("solution")):
            ids.append(qid)
    return {"checkable": len(checkable), "written": len(written),
            "with_solution": len(solved & (checkable | written)),
            "points": points, "ids": ids}


# ------------------------------------------------------------------ release
def _notebooks(names: Iterable[str] | None = None) -> list[Path]:
    from tlcourse.course import course_notebooks
    found = course_notebooks()
    if not names or list(names) == ["all"]:
        return found
    wanted = [Path(n.strip()).name for n in names if n.strip()]
    return [p for p in found if any(p.name.startswith(w) for w in wanted)]


def _nbgrader(args: Sequence[str], course_dir: Path, env: dict | None = None) -> None:
    cmd = [sys.executable, "-m", "nbgrader", *args, "--log-level=WARN"]
    env = dict(env or os.environ)
    # nbgrader runs the `alembic` script of its own environment by name.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    proc = subprocess.run(cmd, cwd=course_dir, env=env, capture_output=True, text=True)
    if proc.returncode:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise RuntimeError(f"nbgrader {' '.join(args)} failed ({proc.returncode})")


def _unhide(path: Path) -> None:
    """Student copies: nothing collapsed (the solution is gone anyway)."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        cell.metadata.pop("jupyter", None)
    nbformat.write(nb, path)


def release(notebooks: Iterable[Path] | None = None, course_dir: Path = COURSE_DIR,
            quiet: bool = False) -> dict:
    """Build the nbgrader course directory (one assignment per notebook),
    the student copies (``build/student``) and the instructor copies
    (``build/instructor``).  Returns ``{name: seconds}``.

    Example: ``release([Path("notebooks/02_the_math.ipynb")])``
    """
    notebooks = list(notebooks or _notebooks())
    course_dir.mkdir(parents=True, exist_ok=True)
    (course_dir / "nbgrader_config.py").write_text(NBGRADER_CONFIG)
    student_dir, instructor_dir = course_dir.parent / "student", course_dir.parent / "instructor"
    for d in (student_dir, instructor_dir):
        d.mkdir(parents=True, exist_ok=True)
    times = {}
    for nb in notebooks:
        start = time.perf_counter()
        assignment = nb.stem
        src = course_dir / "source" / assignment
        shutil.rmtree(src, ignore_errors=True)
        src.mkdir(parents=True)
        shutil.copy2(nb, src / nb.name)
        _nbgrader(["generate_assignment", assignment, "--force"], course_dir)
        student = course_dir / "release" / assignment / nb.name
        _unhide(student)
        shutil.copy2(student, student_dir / nb.name)
        shutil.copy2(nb, instructor_dir / nb.name)
        times[nb.name] = time.perf_counter() - start
        if not quiet:
            print(f"{nb.name:40s} released in {times[nb.name]:4.1f} s")
    return times


def solution_leaks(source: Path, student: Path) -> list[str]:
    """Lines of ``source``'s solutions and hidden tests that are still in
    the ``student`` copy (should be none).  A line counts when it is at
    least 12 characters long and not also outside the solution regions.

    Example: ``assert not solution_leaks(Path("notebooks/02_the_math.ipynb"), copy)``
    """
    src = nbformat.read(source, as_version=4)
    stu = nbformat.read(student, as_version=4)
    secret, public = set(), set()
    for cell in src.cells:
        meta = nbgrader_meta(cell)
        inside = False
        for line in cell.source.splitlines():
            text = line.strip()
            if text in (BEGIN, BEGIN_HIDDEN):
                inside = True
            elif text in (END, END_HIDDEN):
                inside = False
            elif inside or (meta.get("solution") and cell.cell_type == "markdown"):
                secret.add(text)
            else:
                public.add(text)
    secret = {s for s in secret - public if len(s) >= 12}
    text = "\n".join(c.source for c in stu.cells)
    text += "\n".join(json.dumps(o) for c in stu.cells for o in c.get("outputs", []))
    leaks = [s for s in sorted(secret) if s in text]
    for marker in (BEGIN, END, BEGIN_HIDDEN, END_HIDDEN):
        if marker in text:
            leaks.append(marker)
    return leaks


def check_release(notebooks: Iterable[Path] | None = None,
                  course_dir: Path = COURSE_DIR) -> list[str]:
    """Problems with the released student copies: solution or hidden-test
    text left in, outputs left in, an exercise without a check or solution.
    Returns a list of messages (empty when all is well).

    Example: ``assert check_release() == []``
    """
    problems = []
    for nb in notebooks or _notebooks():
        student = course_dir.parent / "student" / nb.name
        if not student.exists():
            problems.append(f"{nb.name}: no student copy (run release first)")
            continue
        for leak in solution_leaks(nb, student):
            problems.append(f"{nb.name}: student copy contains {leak[:70]!r}")
        copy = nbformat.read(student, as_version=4)
        if any(c.get("outputs") for c in copy.cells if c.cell_type == "code"):
            problems.append(f"{nb.name}: student copy keeps outputs")
        count = exercises(nb)
        if count["with_solution"] < count["checkable"] + count["written"]:
            problems.append(f"{nb.name}: an exercise has no worked solution")
    return problems


# ---------------------------------------------------------------- autograde
def _kernel_env() -> dict:
    """The test suite's network block, for the kernels nbgrader starts."""
    env = dict(os.environ)
    netblock = REPO / "tests" / "netblock"
    env["TLCOURSE_BLOCK_NETWORK"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(
        [str(netblock)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env.setdefault("MPLBACKEND", "Agg")
    return env


def _errors_outside_grading(path: Path) -> list[int]:
    """Indices of cells that raised but are not grade cells: crashes."""
    nb = nbformat.read(path, as_version=4)
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
            and any(o.get("output_type") == "error" for o in c.get("outputs", []))
            and not nbgrader_meta(c).get("grade")]


def autograde(student: str, notebooks: Sequence[Path], course_dir: Path = COURSE_DIR) -> list[dict]:
    """Submit ``notebooks`` as ``student`` ("untouched": the student copies
    as released; "solved": the source notebooks with their solutions), run
    ``nbgrader autograde`` and return one row per notebook with the
    autograded score, its maximum, crashes and seconds.

    Example: ``autograde("untouched", [Path("notebooks/02_the_math.ipynb")])``
    """
    from nbgrader.api import Gradebook

    rows = []
    for nb in notebooks:
        assignment = nb.stem
        origin = (course_dir / "release" / assignment / nb.name if student == "untouched"
                  else nb)
        dest = course_dir / "submitted" / student / assignment
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        shutil.copy2(origin, dest / nb.name)
        (dest / "timestamp.txt").write_text("2026-01-01 00:00:00.000000 UTC")
        start = time.perf_counter()
        _nbgrader(["autograde", assignment, "--student", student, "--create", "--force"],
                  course_dir, env=_kernel_env())
        seconds = time.perf_counter() - start
        with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
            sub = gb.find_submission_notebook(nb.stem, assignment, student)
            auto = [g for g in sub.grades if g.cell.cell_type == "code"]
            score = sum(float(g.score or 0) for g in auto)
            max_score = sum(float(g.max_score) for g in auto)
            manual = sum(float(g.max_score) for g in sub.grades if g.cell.cell_type != "code")
        graded = course_dir / "autograded" / student / assignment / nb.name
        rows.append({"notebook": nb.name, "student": student, "score": score,
                     "max_score": max_score, "manual_points": manual,
                     "crashes": _errors_outside_grading(graded), "seconds": seconds})
    return rows


def _parse_selection(text: str | None) -> list[Path]:
    if not text:
        return []
    return _notebooks(text.split(","))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tlcourse.grading",
                                     description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rel = sub.add_parser("release", help="student + instructor copies via nbgrader")
    rel.add_argument("notebooks", nargs="*", help="NN prefixes or names (default: all)")
    chk = sub.add_parser("check-release", help="no solution text in student copies")
    chk.add_argument("notebooks", nargs="*")
    ag = sub.add_parser("autograde", help="autograde untouched and solved copies")
    ag.add_argument("--untouched", default="all", help="NN,NN or 'all' or ''")
    ag.add_argument("--solved", default="", help="NN,NN or 'all' or ''")
    cnt = sub.add_parser("count", help="exercises per notebook (checkable / written / solved)")
    cnt.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)

    if args.command == "release":
        start = time.perf_counter()
        release(_notebooks(args.notebooks))
        print(f"student copies in {COURSE_DIR.parent / 'student'}, instructor copies in "
              f"{COURSE_DIR.parent / 'instructor'}, nbgrader course in {COURSE_DIR} "
              f"({time.perf_counter() - start:.0f} s)")
        return 0
    if args.command == "check-release":
        problems = check_release(_notebooks(args.notebooks))
        for p in problems:
            print("✗", p)
        if not problems:
            print(f"✓ {len(_notebooks(args.notebooks))} student copies: no solution or "
                  "hidden-test text, no outputs, every exercise has a worked solution")
        return 1 if problems else 0
    if args.command == "count":
        print("| notebook | checkable | written | with solution | points |")
        print("|---|---|---|---|---|")
        for nb in _notebooks(args.notebooks):
            c = exercises(nb)
            print(f"| {nb.stem} | {c['checkable']} | {c['written']} | "
                  f"{c['with_solution']} | {c['points']:g} |")
        return 0
    failures = 0
    for who, selection in (("untouched", args.untouched), ("solved", args.solved)):
        for row in autograde(who, _parse_selection(selection)):
            want = 0.0 if who == "untouched" else row["max_score"]
            ok = row["score"] == want and not row["crashes"] and row["max_score"] > 0
            failures += not ok
            print(f"{'✓' if ok else '✗'} {who:9s} {row['notebook']:38s} autograded "
                  f"{row['score']:g}/{row['max_score']:g} (want {want:g}), "
                  f"{row['manual_points']:g} points graded by hand, crashes: "
                  f"{row['crashes'] or 'none'}, {row['seconds']:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
