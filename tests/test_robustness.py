"""The robustness harness records each assert's margin without changing what
the assert does; the course seed comes from one place; notebook kernels are
quiet (no TensorFlow C++ start-up log) while real warnings still show."""
import ast
import json
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from tlcourse import robustness


def _run(code: str, tmp_path):
    """Execute ``code`` with the recorder's transformer, return the rows."""
    file = tmp_path / "07_demo.claims.jsonl"
    tree = robustness.AssertRecorder().visit(ast.parse(code))
    ns = {"__tl_claim__": robustness._Recorder(str(file))}
    exec(compile(ast.fix_missing_locations(tree), "<cell>", "exec"), ns)
    return [json.loads(line) for line in file.read_text().splitlines()], ns


def test_margin_sign_follows_the_operator():
    assert robustness.margin(0.8, ">=", 0.75) == pytest.approx(0.05)
    assert robustness.margin(0.8, "<=", 0.75) == pytest.approx(-0.05)
    assert robustness.margin(3, "==", 3) is None
    assert robustness.margin("a", ">", 1) is None


def test_compare_is_recorded_with_value_bound_and_margin(tmp_path):
    rows, _ = _run("acc, base = 0.81, 0.70\nassert acc >= base + 0.05, 'msg'", tmp_path)
    (row,) = rows
    assert row["notebook"] == "07_demo.ipynb"
    assert row["claim"] == "acc >= base + 0.05"
    assert (row["value"], row["bound"]) == (0.81, pytest.approx(0.75))
    assert row["margin"] == pytest.approx(0.06) and row["holds"]


def test_failing_assert_still_raises_and_is_recorded(tmp_path):
    with pytest.raises(AssertionError, match="too low"):
        _run("acc = 0.6\nassert acc >= 0.7, 'too low'", tmp_path)
    rows = [json.loads(x) for x in (tmp_path / "07_demo.claims.jsonl").read_text().splitlines()]
    assert rows[0]["holds"] is False and rows[0]["margin"] == pytest.approx(-0.1)


def test_and_chains_and_plain_truths_are_split_and_evaluated_once(tmp_path):
    code = ("calls = []\n"
            "def f():\n    calls.append(1)\n    return 0.5\n"
            "assert 0.1 < f() < 0.9 and all([True])\n")
    rows, ns = _run(code, tmp_path)
    assert ns["calls"] == [1]                      # the operand ran once
    assert [r["op"] for r in rows] == ["<", "<", "true"]
    assert rows[0]["margin"] == pytest.approx(0.4) and rows[1]["margin"] == pytest.approx(0.4)


def test_summary_ranks_the_weakest_claim_first():
    rows = [
        {"notebook": "02_x.ipynb", "claim": "a >= b", "part": "0", "op": ">=",
         "value": 0.80, "bound": 0.79, "margin": 0.01, "holds": True, "config": "seed0-onednn-on"},
        {"notebook": "02_x.ipynb", "claim": "a >= b", "part": "0", "op": ">=",
         "value": 0.78, "bound": 0.79, "margin": -0.01, "holds": False, "config": "seed1-onednn-on"},
        {"notebook": "04_x.ipynb", "claim": "speedup >= 10", "part": "0", "op": ">=",
         "value": 20.0, "bound": 10.0, "margin": 10.0, "holds": True, "config": "seed0-onednn-on"},
    ]
    table, ordered = robustness.summarise(rows, ["seed0-onednn-on", "seed1-onednn-on"])
    assert ordered[0]["claim"] == "a >= b" and ordered[0]["failed"]
    assert ordered[0]["min_margin"] == pytest.approx(-0.01)
    assert "**FAILED**" in table and "not run" in table


def test_seed_comes_from_the_environment():
    code = "import tlcourse; print(tlcourse.SEED)"
    out = lambda env: subprocess.run([sys.executable, "-c", code], env=env,  # noqa: E731
                                     capture_output=True, text=True, check=True).stdout
    import os
    base = {k: v for k, v in os.environ.items() if k != "TLCOURSE_SEED"}
    assert out(base).strip() == "0"
    assert out({**base, "TLCOURSE_SEED": "2"}).strip() == "2"


def test_a_notebook_kernel_is_quiet_but_keeps_real_warnings(tmp_path, monkeypatch):
    """What a learner sees: no absl/CUDA lines, Python warnings intact, and
    asserts recorded when the course runner asks for it."""
    claims = tmp_path / "99_quiet.claims.jsonl"
    monkeypatch.setenv("TLCOURSE_CLAIMS_FILE", str(claims))
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("from tlcourse import SEED\nimport tensorflow as tf\n"
                                  "import warnings"),
        nbformat.v4.new_code_cell("x = float(tf.reduce_sum(tf.constant([1.0, 2.0])))\n"
                                  "warnings.warn('a real warning')\nassert x >= 2.5"),
    ])
    NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    stderr = "".join(o.get("text", "") for c in nb.cells for o in c.outputs
                     if o.get("name") == "stderr")
    for noise in ("absl::InitializeLog", "cuInit", "cudart_stub", "oneDNN custom operations"):
        assert noise not in stderr, stderr
    assert "a real warning" in stderr
    (row,) = [json.loads(x) for x in claims.read_text().splitlines()]
    assert row["claim"] == "x >= 2.5" and row["margin"] == pytest.approx(0.5)
