"""Exercise feedback: ``check.answer("nb01.q1", value)`` prints ✓ or a hint.

It never raises, so a wrong answer does not stop a learner's notebook; it
returns a :class:`Verdict`, true when the answer is right, so tests (and
curious learners) can use it, and that leaves no stray ``True``/``False``
under the cell.  ``None`` means "not answered yet": an untouched exercise
says so and the notebook runs on.
Each notebook registers its checkable questions in :data:`QUESTIONS`.

Graded copies (nbgrader, see :mod:`tlcourse.grading`) call :func:`grade`
in their hidden tests: it raises when the answer is wrong or missing, which
is how nbgrader's autograder withholds the points.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Question:
    """One checkable exercise: ``accept(value) -> bool`` plus a hint."""
    accept: Callable[[Any], bool]
    hint: str
    explain: str = ""


class Verdict:
    """What :func:`answer` returns: ``bool(verdict)`` is whether the answer
    was right.  A notebook shows nothing for it (the ✓ or the hint is already
    printed), so a check cell does not end in a bare ``False``.
    Introduced in notebook 00.

    Example: ``if check.answer("nb00.q1", 1_281_000): print("on to notebook 01")``
    """
    __slots__ = ("ok",)

    def __init__(self, ok: bool):
        self.ok = bool(ok)

    def __bool__(self) -> bool:
        return self.ok

    def __eq__(self, other) -> bool:
        return self.ok == (other.ok if isinstance(other, Verdict) else other)

    def __hash__(self) -> int:
        return hash(self.ok)

    def __repr__(self) -> str:
        return f"Verdict({self.ok})"

    def _ipython_display_(self) -> None:  # Jupyter: the printed feedback is enough
        pass


def close_to(target: float, rel: float = 0.0, abs_: float = 1e-6):
    """Accept numbers within a tolerance of ``target``."""
    return lambda v: math.isclose(float(v), target, rel_tol=rel, abs_tol=abs_)


def one_of(*options: str):
    """Accept any of ``options`` (case-insensitive strings)."""
    return lambda v: str(v).strip().lower() in {o.lower() for o in options}


def finite_number(value) -> float:
    """``float(value)`` when it is finite (numpy scalars included); raises
    otherwise, which an ``accept`` function turns into a wrong answer."""
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"not a finite number: {value!r}")
    return x


def probability(value) -> float:
    """A finite number in [0, 1]; raises otherwise (see :func:`finite_number`)."""
    x = finite_number(value)
    if not 0.0 <= x <= 1.0:
        raise ValueError(f"not a probability: {value!r}")
    return x


def _collect() -> dict[str, Question]:
    """Gather ``QUESTIONS`` from every ``tlcourse/exercises/nbNN.py``."""
    import importlib
    import pkgutil

    from tlcourse import exercises

    found: dict[str, Question] = {}
    for mod in sorted(m.name for m in pkgutil.iter_modules(exercises.__path__)):
        found.update(importlib.import_module(f"tlcourse.exercises.{mod}").QUESTIONS)
    return found


QUESTIONS: dict[str, Question] = _collect()


def _unanswered(value: Any) -> bool:
    """None, or a tuple/list of answers that are all still None."""
    if isinstance(value, (tuple, list)) and value:
        return all(v is None for v in value)
    return value is None


def answer(qid: str, value: Any) -> Verdict:
    """Check a learner's answer to exercise ``qid``; print ✓ or a hint.
    Introduced in notebook 00.

    Example: ``check.answer("nb00.q1", 1_281_000)``  →  prints ``✓ nb00.q1 …``
    """
    from tlcourse import i18n

    zh = i18n.language() == "zh"
    question = QUESTIONS.get(qid)
    if question is None:
        known = ", ".join(sorted(QUESTIONS))
        print(f"? 没有名为 {qid!r} 的练习。已有：{known}" if zh
              else f"? no exercise called {qid!r}. Known: {known}")
        return Verdict(False)
    if _unanswered(value):
        print(f"· {qid} 尚未作答：在单元格指定的位置填入答案，然后重新运行该单元格。" if zh
              else f"· {qid} not answered yet: put your answer where the cell says, "
                   "then run the cell again.")
        return Verdict(False)
    try:
        ok = bool(question.accept(value))
    except Exception:  # a wrong *type* of answer is just a wrong answer
        ok = False
    if ok:
        explain = i18n.feedback(qid, "explain", question.explain)
        print((f"✓ {qid} 正确。{explain}" if zh else f"✓ {qid} correct. {explain}").rstrip())
    else:
        hint = i18n.feedback(qid, "hint", question.hint)
        print(f"✗ {qid} 还不对。提示：{hint}" if zh else f"✗ {qid} not yet. Hint: {hint}")
    return Verdict(ok)


def grade(qid: str, value: Any) -> None:
    """Raise ``AssertionError`` unless ``value`` answers ``qid``: nbgrader's
    hidden tests call it, so a wrong or missing answer scores 0 when graded
    (learners never see these calls; their copies only print feedback).
    Introduced in notebook 00.

    Example: ``check.grade("nb00.q1", my_answer)``
    """
    question = QUESTIONS.get(qid)
    if question is None:
        raise KeyError(f"no exercise called {qid!r}")
    assert not _unanswered(value), f"{qid}: not answered"
    try:
        ok = bool(question.accept(value))
    except Exception as err:  # a wrong type of answer is a wrong answer
        raise AssertionError(f"{qid}: {err!r}") from err
    assert ok, f"{qid}: not right yet. Hint: {question.hint}"
