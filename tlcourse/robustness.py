"""Do the notebooks' claims hold on other seeds and other CPU kernels?

``python -m tlcourse.robustness`` (``make robustness``) runs the course's
notebooks once per configuration — every seed in ``--seeds`` (through
``TLCOURSE_SEED``, see :data:`tlcourse.SEED`) times oneDNN on and off
(``TF_ENABLE_ONEDNN_OPTS``) — and records every ``assert`` a notebook makes:
the value, the bound it is compared with, and the **margin** (how far the
value could move before the assert fails; negative = failed). It then prints,
per assert, the margin in each run and the smallest one, and the weakest
claims first, so a claim that only holds on one machine is visible before a
learner's laptop finds it.

The notebooks are not changed for this: when ``TLCOURSE_CLAIMS_FILE`` is set
(:func:`tlcourse.course.run_notebook` sets it), ``import tlcourse`` in the
setup cell installs an IPython AST transformer that rewrites each later
``assert a >= b + m`` into a call that records ``a``, ``b + m`` and their
difference and returns the same truth value, so the assert still raises
exactly when it did.

Example::

    python -m tlcourse.robustness --seeds 0,1,2 --onednn on,off \\
        notebooks/02_the_math.ipynb

Plumbing for maintainers; the claims themselves are introduced in every
notebook from 01 on.
"""
from __future__ import annotations

import argparse
import ast
import json
import math
import operator
import sys
from pathlib import Path

_OPS = {ast.GtE: ">=", ast.Gt: ">", ast.LtE: "<=", ast.Lt: "<",
        ast.Eq: "==", ast.NotEq: "!="}
_PY_OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le,
           "<": operator.lt, "==": operator.eq, "!=": operator.ne}


def margin(value, op: str, bound) -> float | None:
    """Slack of ``value op bound``: ≥ 0 when it holds, < 0 when it fails;
    ``None`` for ``==`` / ``!=`` or values that are not numbers.

    Example: ``margin(0.81, ">=", 0.75) == 0.81 - 0.75``
    """
    try:
        v, b = float(value), float(bound)
    except (TypeError, ValueError):
        return None
    if op in (">=", ">"):
        return v - b
    if op in ("<=", "<"):
        return b - v
    return None


def _number(x):
    try:
        f = float(x)
        return f if math.isfinite(f) else str(f)
    except (TypeError, ValueError):
        return None


class _Recorder:
    """Callable injected into the kernel as ``__tl_claim__``."""

    def __init__(self, file: str):
        self.file = file
        self.notebook = Path(file).name.split(".claims")[0] + ".ipynb"

    def _write(self, row: dict) -> None:
        row["notebook"] = self.notebook
        with open(self.file, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(row) + "\n")

    def compare(self, label: str, operands: list, ops: list[str]) -> bool:
        ok = True
        for i, op in enumerate(ops):
            left, right = operands[i], operands[i + 1]
            holds = bool(_PY_OPS[op](left, right))
            self._write({"claim": label, "part": f"{i}", "op": op,
                         "value": _number(left), "bound": _number(right),
                         "margin": margin(left, op, right), "holds": holds})
            ok = ok and holds
        return ok

    def truth(self, label: str, value) -> bool:
        holds = bool(value)
        self._write({"claim": label, "part": "", "op": "true", "value": None,
                     "bound": None, "margin": None, "holds": holds})
        return holds


class AssertRecorder(ast.NodeTransformer):
    """Rewrites ``assert`` tests so that each comparison is recorded.

    ``assert a >= b and c < d, msg`` becomes
    ``assert __tl_claim__.compare(src, [a, b], [">="]) and
    __tl_claim__.compare(src, [c, d], ["<"]), msg``; any other test becomes
    ``__tl_claim__.truth(src, test)``. Operands are evaluated once each.
    """

    @staticmethod
    def _text(node: ast.expr) -> str:
        text = ast.unparse(node)
        return text if len(text) <= 160 else text[:157] + "..."

    def _wrap(self, test: ast.expr, label: str) -> ast.expr:
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
            # Each conjunct is a claim of its own, labelled by its own text.
            return ast.BoolOp(op=ast.And(), values=[
                self._wrap(v, self._text(v)) for v in test.values])
        if isinstance(test, ast.Compare) and all(type(o) in _OPS for o in test.ops):
            return ast.Call(
                func=ast.Attribute(value=ast.Name("__tl_claim__", ast.Load()),
                                   attr="compare", ctx=ast.Load()),
                args=[ast.Constant(label),
                      ast.List([test.left, *test.comparators], ast.Load()),
                      ast.List([ast.Constant(_OPS[type(o)]) for o in test.ops],
                               ast.Load())],
                keywords=[])
        return ast.Call(
            func=ast.Attribute(value=ast.Name("__tl_claim__", ast.Load()),
                               attr="truth", ctx=ast.Load()),
            args=[ast.Constant(label), test], keywords=[])

    def visit_Assert(self, node: ast.Assert):
        new = ast.Assert(test=self._wrap(node.test, self._text(node.test)), msg=node.msg)
        return ast.copy_location(new, node)


def install_recorder(file: str) -> None:
    """Record every ``assert`` run in this IPython kernel into ``file``
    (JSON lines, named ``<notebook>.claims.jsonl``). ``import tlcourse``
    calls this when ``TLCOURSE_CLAIMS_FILE`` is set, which
    :func:`tlcourse.course.run_notebook` does for every notebook it runs."""
    ip = get_ipython()  # noqa: F821  (defined inside IPython kernels)
    if ip is None or any(isinstance(t, AssertRecorder) for t in ip.ast_transformers):
        return
    ip.user_ns["__tl_claim__"] = _Recorder(file)
    ip.ast_transformers.append(AssertRecorder())


# ---------------------------------------------------------------- the runner

def config_name(seed: int, onednn: str) -> str:
    """Folder name of one configuration: ``seed1-onednn-off``."""
    return f"seed{seed}-onednn-{onednn}"


def load_claims(folder: Path) -> list[dict]:
    """Every recorded claim under ``folder/<config>/``, with its config."""
    rows = []
    for file in sorted(folder.glob("*/*.claims.jsonl")):
        for line in file.read_text().splitlines():
            if line:
                rows.append({**json.loads(line), "config": file.parent.name})
    return rows


def summarise(rows: list[dict], configs: list[str]) -> tuple[str, list[dict]]:
    """Markdown report: one line per claim with its margin in each run and
    the smallest margin; returns ``(markdown, claims sorted weakest first)``."""
    claims: dict[tuple, dict] = {}
    for r in rows:
        key = (r["notebook"], r["claim"], r["part"])
        c = claims.setdefault(key, {"notebook": r["notebook"], "claim": r["claim"],
                                    "part": r["part"], "op": r["op"], "runs": {}})
        c["runs"].setdefault(r["config"], []).append(r)
    for c in claims.values():
        runs = [x for rs in c["runs"].values() for x in rs]
        margins = [x["margin"] for x in runs if x["margin"] is not None]
        bounds = [abs(x["bound"]) for x in runs if isinstance(x["bound"], float)]
        c["failed"] = any(not x["holds"] for x in runs)
        c["min_margin"] = min(margins) if margins else None
        # Relative margin ranks claims of different units together (an
        # accuracy 0.01 above 0.80 is weaker than a 10x speed-up with 3x slack).
        scale = max(max(bounds, default=0.0), 1e-12)
        c["rel_margin"] = (c["min_margin"] / scale) if margins else None
    ordered = sorted(claims.values(), key=lambda c: (
        not c["failed"], math.inf if c["rel_margin"] is None else c["rel_margin"]))

    def cell(c, cfg):
        rs = c["runs"].get(cfg)
        if not rs:
            return "not run"
        x = min(rs, key=lambda r: (r["holds"], math.inf if r["margin"] is None else r["margin"]))
        if x["margin"] is None:
            return "ok" if x["holds"] else "**FAILED**"
        text = f"{x['value']:.4g} vs {x['bound']:.4g} ({x['margin']:+.3g})"
        return text if x["holds"] else f"**FAILED** {text}"

    lines = ["| nb | claim | " + " | ".join(configs) + " | min margin |",
             "|" + "---|" * (len(configs) + 3)]
    for c in ordered:
        label = c["claim"].replace("|", "\\|")
        if c["part"] not in ("", "0"):
            label += f" [{c['part']}]"
        mm = "—" if c["min_margin"] is None else f"{c['min_margin']:+.3g}"
        lines.append(f"| {c['notebook'][:2]} | `{label}` | "
                     + " | ".join(cell(c, cfg) for cfg in configs) + f" | {mm} |")
    return "\n".join(lines), ordered


def main(argv: list[str] | None = None) -> int:
    from tlcourse.course import course_notebooks, format_table, run_notebook, REPO

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to run (default: all, in order)")
    parser.add_argument("--seeds", default="0,1,2",
                        help="comma-separated seeds (TLCOURSE_SEED), default 0,1,2")
    parser.add_argument("--onednn", default="on,off",
                        help="comma-separated oneDNN settings, default on,off")
    parser.add_argument("--out", type=Path, default=REPO / "build" / "robustness")
    parser.add_argument("--report-only", action="store_true",
                        help="only summarise the runs already recorded in --out")
    args = parser.parse_args(argv)
    onednn = args.onednn.split(",")
    if not set(onednn) <= {"on", "off"}:
        parser.error("--onednn takes on, off or on,off")
    configs = [(int(s), o) for s in args.seeds.split(",") for o in onednn]
    notebooks = [p.resolve() for p in args.notebooks] or course_notebooks()
    failures = []
    if not args.report_only:
        for seed, dnn in configs:
            out = args.out / config_name(seed, dnn)
            out.mkdir(parents=True, exist_ok=True)
            env = {"TLCOURSE_SEED": str(seed),
                   "TF_ENABLE_ONEDNN_OPTS": "1" if dnn == "on" else "0"}
            rows = []
            for nb in notebooks:
                print(f"{config_name(seed, dnn)}: {nb.name} ...", flush=True)
                row = run_notebook(nb, out.resolve(), timeout=1800, env=env,
                                   allow_errors=True)
                print(f"  {row['wall_s']:.0f} s, peak {row['peak_mb']:.0f} MB"
                      + "".join(f"\n  error: {e}" for e in row["errors"]), flush=True)
                failures += [f"{config_name(seed, dnn)} {nb.name}: {e}" for e in row["errors"]]
                rows.append(row)
            (out / "times.md").write_text(format_table(rows) + "\n")
    rows = load_claims(args.out)
    names = sorted({r["config"] for r in rows})
    table, ordered = summarise(rows, names)
    (args.out / "report.md").write_text(table + "\n")
    print("\n" + table)
    print("\nWeakest five claims (smallest margin relative to the bound):")
    for c in [c for c in ordered if c["min_margin"] is not None][:5]:
        print(f"  {c['notebook'][:2]}  {c['claim']}   min margin {c['min_margin']:+.4f}"
              + ("  FAILED" if c["failed"] else ""))
    failed = [c for c in ordered if c["failed"]]
    print(f"\n{len(ordered)} claims in {len(names)} configuration(s); "
          f"{len(failed)} failed in some run; {len(failures)} cell error(s) this run. "
          f"Report: {args.out / 'report.md'}")
    return 1 if failed or failures else 0


if __name__ == "__main__":
    sys.exit(main())
