"""Unit tests for the small helpers: check, plots, course runner."""
import matplotlib
matplotlib.use("Agg")
import numpy as np

from tlcourse import check, course, plots


def test_check_answer_right_and_wrong(capsys):
    right = check.answer("nb00.q1", 1_281_000)
    assert bool(right) is True and right == True  # noqa: E712 (the comparison is the test)
    assert "✓" in capsys.readouterr().out
    wrong = check.answer("nb00.q1", 10)
    assert bool(wrong) is False and wrong == False  # noqa: E712
    out = capsys.readouterr().out
    assert "✗" in out and "Hint" in out


def test_check_verdict_shows_nothing_in_a_notebook():
    verdict = check.answer("nb00.q1", 10)
    assert verdict._ipython_display_() is None   # Jupyter calls this instead of showing repr
    assert repr(verdict) == "Verdict(False)" and not verdict


def test_check_never_raises_on_odd_input(capsys):
    assert not check.answer("nb00.q1", "not a number")
    assert not check.answer("no.such.question", 1)
    assert "Known" in capsys.readouterr().out


def test_every_question_has_a_hint():
    for qid, q in check.QUESTIONS.items():
        assert q.hint and qid.startswith("nb")


def test_plots_return_figures():
    rng = np.random.default_rng(0)
    fig = plots.image_grid(rng.integers(0, 255, (5, 8, 8), dtype=np.uint8), list("abcde"), ncols=3)
    assert len(fig.axes) == 6
    cm = plots.confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2], ["a", "b", "c"])
    assert np.allclose(cm.sum(axis=1), 1.0) and cm[1, 2] == 0.5
    ax = plots.compare_bars({"x": 0.3, "y": 0.7})
    assert len(ax.patches) == 2


def test_course_lists_notebooks_in_order_and_formats_table():
    names = [p.name for p in course.course_notebooks()]
    assert names == sorted(names) and names[0].startswith("00_")
    table = course.format_table([{"notebook": "00_x.ipynb", "ok": True, "wall_s": 200.0,
                                  "peak_mb": 900.0},
                                 {"notebook": "01_y.ipynb", "ok": False, "wall_s": 3.0,
                                  "peak_mb": 100.0}])
    assert "over 180 s budget" in table and "FAILED" in table and "**203**" in table
