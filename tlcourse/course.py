"""Run the whole course headless: ``python -m tlcourse.course [NOTEBOOKS...]``.

Executes every ``notebooks/NN_*.ipynb`` in teaching order (or the ones
named), writes an executed HTML copy of each under ``build/``, and prints a
table of wall time and peak memory per notebook — the numbers an instructor
needs to plan a workshop.  This is what ``make course`` runs.

Example::

    python -m tlcourse.course notebooks/00_setup_and_tour.ipynb
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK_BUDGET_S = 180      # brief: each notebook <= 3 min on 2 cores
COURSE_BUDGET_S = 25 * 60    # brief: the whole course <= 25 min


def course_notebooks(folder: Path = REPO / "notebooks") -> list[Path]:
    """The course's notebooks in teaching order (``NN_name.ipynb``).

    Example: ``[p.name for p in course_notebooks()][0] == "00_setup_and_tour.ipynb"``
    """
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def run_notebook(path: Path, out_dir: Path, timeout: int = 900,
                 env: dict | None = None, allow_errors: bool = False) -> dict:
    """Execute one notebook to HTML; return wall time, peak RSS and status.

    Peak memory comes from ``os.wait4`` on the nbconvert process, which
    includes the kernel it started and reaped (Linux/macOS). Every
    ``assert`` the notebook runs is recorded, with its margin, into
    ``out_dir/<name>.claims.jsonl`` (see :mod:`tlcourse.robustness`);
    ``env`` adds environment variables (e.g. ``TLCOURSE_SEED``), and with
    ``allow_errors`` a failed cell does not stop the run.
    Example: ``run_notebook(Path("notebooks/00_setup_and_tour.ipynb"), Path("build"))``
    """
    claims = out_dir / (path.stem + ".claims.jsonl")
    claims.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "nbconvert", "--to",
           "notebook" if allow_errors else "html", "--execute",
           f"--ExecutePreprocessor.timeout={timeout}",
           "--output-dir", str(out_dir), str(path)]
    if allow_errors:
        cmd.insert(-1, "--allow-errors")
    log = out_dir / (path.stem + ".log")
    child_env = {**os.environ, **(env or {}),
                 "TLCOURSE_CLAIMS_FILE": str(claims)}
    start = time.perf_counter()
    with open(log, "w") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT,
                                cwd=path.parent, env=child_env)
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(proc.pid, 0)
            returncode = os.waitstatus_to_exitcode(status)
            # ru_maxrss is KiB on Linux, bytes on macOS.
            scale = 1 if sys.platform == "darwin" else 1024
            peak_mb = usage.ru_maxrss * scale / 2**20
        else:  # Windows: no per-process peak available from the stdlib
            returncode, peak_mb = proc.wait(), float("nan")
    wall = time.perf_counter() - start
    errors = _cell_errors(out_dir / (path.stem + ".ipynb")) if allow_errors else []
    return {"notebook": path.name, "ok": returncode == 0 and not errors,
            "wall_s": wall, "peak_mb": peak_mb, "log": log, "claims": claims,
            "errors": errors}


def _cell_errors(executed: Path) -> list[str]:
    """``ename: evalue`` of every error output in an executed notebook."""
    import json
    if not executed.exists():
        return ["the notebook did not run (see the log)"]
    nb = json.loads(executed.read_text(encoding="utf-8"))
    return [f"{o['ename']}: {o['evalue'][:200]}" for c in nb["cells"]
            for o in c.get("outputs", []) if o.get("output_type") == "error"]


def format_table(rows: list[dict]) -> str:
    """Markdown table of :func:`run_notebook` results, with a total row."""
    lines = ["| notebook | status | wall time (s) | peak memory (MB) |",
             "|---|---|---:|---:|"]
    for r in rows:
        flag = "ok" if r["ok"] else "FAILED"
        if r["ok"] and r["wall_s"] > NOTEBOOK_BUDGET_S:
            flag = f"ok, over {NOTEBOOK_BUDGET_S} s budget"
        lines.append(f"| {r['notebook']} | {flag} | {r['wall_s']:.0f} | "
                     f"{r['peak_mb']:.0f} |")
    total = sum(r["wall_s"] for r in rows)
    lines.append(f"| **total** | | **{total:.0f}** | |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to run (default: all, in order)")
    parser.add_argument("--out", type=Path, default=REPO / "build")
    args = parser.parse_args(argv)
    notebooks = [p.resolve() for p in args.notebooks] or course_notebooks()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for nb in notebooks:
        print(f"running {nb.name} ...", flush=True)
        row = run_notebook(nb, args.out.resolve())
        print(f"  {'ok' if row['ok'] else 'FAILED'} in {row['wall_s']:.0f} s, "
              f"peak {row['peak_mb']:.0f} MB"
              + ("" if row["ok"] else f" — see {row['log']}"), flush=True)
        rows.append(row)
    table = format_table(rows)
    (args.out / "course_times.md").write_text(table + "\n")
    print("\n" + table)
    print(f"\nHTML copies and this table are in {args.out}/")
    if sum(r["wall_s"] for r in rows) > COURSE_BUDGET_S:
        print(f"warning: the course took longer than {COURSE_BUDGET_S // 60} min")
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
