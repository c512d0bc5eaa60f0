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
import json
import os
import re
import shutil
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
                 env: dict | None = None, allow_errors: bool = False,
                 save: bool = False) -> dict:
    """Execute one notebook to HTML; return wall time, peak RSS and status.

    Peak memory comes from ``os.wait4`` on the nbconvert process, which
    includes the kernel it started and reaped (Linux/macOS). Every
    ``assert`` the notebook runs is recorded, with its margin, into
    ``out_dir/<name>.claims.jsonl`` (see :mod:`tlcourse.robustness`);
    ``env`` adds environment variables (e.g. ``TLCOURSE_SEED``), and with
    ``allow_errors`` a failed cell does not stop the run.  With ``save``
    (maintainers) a successful run's outputs are written back into ``path``:
    the stored outputs learners and the course site see.
    Example: ``run_notebook(Path("notebooks/00_setup_and_tour.ipynb"), Path("build"))``
    """
    claims = out_dir / (path.stem + ".claims.jsonl")
    claims.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "nbconvert", "--to",
           "notebook" if allow_errors or save else "html", "--execute",
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
    if save and returncode == 0:
        executed = out_dir / (path.stem + ".ipynb")
        subprocess.run([sys.executable, "-m", "nbconvert", "--to", "html", "--output-dir",
                        str(out_dir), str(executed)], check=True, capture_output=True)
        shutil.copyfile(executed, path)
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


def _minutes_phrase(seconds: float) -> str:
    """``"about 2½ minutes"``, to the nearest quarter minute (or 10 s)."""
    if seconds < 90:
        return f"about {max(10, round(seconds / 10) * 10)} s"
    quarters = round(seconds / 15)
    whole, frac = divmod(quarters, 4)
    return f"about {whole}{['', '¼', '½', '¾'][frac]} minutes"


EXPECTED_TIME = re.compile(r"\*\*Expected time(?::\*\*|\*\*:).*?(?=\n\n|\n\*\*Prerequisites)",
                           re.S)


def expected_time_line(seconds: float, reading_min: int, exercise_min: int, day: str,
                       how: str = "make course") -> str:
    """The first cell's time line, from a measured run.

    Example: ``expected_time_line(66, 20, 25, "2026-11-30")``
    """
    return (f"**Expected time:** {_minutes_phrase(seconds)} of compute on a 2-core laptop "
            f"without AVX-512 ({seconds:.0f} s measured on {day} by `{how}`), "
            f"{reading_min} minutes of reading and about {exercise_min} minutes of exercises.")


def exercise_minutes(path: Path) -> int:
    """Minutes an average learner needs for a notebook's exercises: 5 per
    checked exercise (predict, change, measure), 10 per written answer."""
    from tlcourse.grading import exercises
    count = exercises(path)
    return 5 * count["checkable"] + 10 * count["written"]


def record_times(rows: list[dict], day: str, how: str = "make course") -> None:
    """Write measured times where the course quotes them: each notebook's
    "Expected time" line, the README's time table and INSTRUCTORS.md's
    (between ``<!-- times -->`` markers), so they cannot drift apart.

    Example: ``record_times([{"notebook": "00_setup_and_tour.ipynb", "wall_s": 30, "peak_mb": 1272}], "2026-11-30")``
    """
    import nbformat
    by_name = {r["notebook"]: r for r in rows}
    readme, guide = REPO / "README.md", REPO / "INSTRUCTORS.md"
    readme_text, guide_text = readme.read_text(), guide.read_text()
    for nb_path in course_notebooks():
        row = by_name.get(nb_path.name)
        if row is None:
            continue
        nb = nbformat.read(nb_path, as_version=4)
        first = nb.cells[0]
        old = EXPECTED_TIME.search(first.source)
        reading = int(re.search(r"(\d+)\s+minutes\s+of\s+reading", old[0])[1])
        line = expected_time_line(row["wall_s"], reading, exercise_minutes(nb_path), day, how)
        first.source = first.source[:old.start()] + line + first.source[old.end():]
        nbformat.write(nb, nb_path)
        num = nb_path.name[:2]
        mem = r"\g<3>" if row.get("peak_mb") is None else f"{row['peak_mb']:.0f}"
        readme_text = re.sub(rf"^(\| {num} [^|]+\| )\d+( \| )(\d+)( \|)",
                             rf"\g<1>{row['wall_s']:.0f}\g<2>{mem}\g<4>",
                             readme_text, flags=re.M)
        guide_text = re.sub(rf"^(\| {num} [^|]+\| )\d+( \| )\d+( \| )\d+( \|)",
                            rf"\g<1>{row['wall_s']:.0f}\g<2>{reading}\g<3>"
                            rf"{exercise_minutes(nb_path)}\g<4>", guide_text, flags=re.M)
    # Session plans quote the compute of the notebooks they use.
    secs = {r["notebook"][:2]: r["wall_s"] for r in rows}

    def _compute(m: re.Match) -> str:
        nums = m[1].split(",")
        if not all(n in secs for n in nums):
            return m[0]
        total_s = sum(secs[n] for n in nums)
        return f"<!-- compute {m[1]} -->{total_s / 60:.0f} minutes ({total_s:.0f} s)<!-- /compute -->"
    guide_text = re.sub(r"<!-- compute (\d\d(?:,\d\d)*) -->.*?<!-- /compute -->", _compute, guide_text)
    total = sum(r["wall_s"] for r in rows)
    if len(rows) == len(course_notebooks()):
        readme_text = re.sub(r"\| \*\*whole course\*\* \| \*\*\d+\*\* \(\d+ min\)",
                             f"| **whole course** | **{total:.0f}** ({total / 60:.0f} min)",
                             readme_text)
        readme_text = re.sub(r"measured \d{4}-\d\d-\d\d with the locked stack",
                             f"measured {day} with the locked stack", readme_text)
    readme.write_text(readme_text)
    guide.write_text(guide_text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to run (default: all, in order)")
    parser.add_argument("--out", type=Path, default=REPO / "build")
    parser.add_argument("--save", action="store_true",
                        help="write each successful run's outputs back into the notebook "
                             "(maintainers: refresh the stored outputs)")
    parser.add_argument("--record", action="store_true",
                        help="write the measured times into the notebooks' first cells, "
                             "README.md and INSTRUCTORS.md (maintainers)")
    args = parser.parse_args(argv)
    notebooks = [p.resolve() for p in args.notebooks] or course_notebooks()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for nb in notebooks:
        print(f"running {nb.name} ...", flush=True)
        row = run_notebook(nb, args.out.resolve(), save=args.save)
        print(f"  {'ok' if row['ok'] else 'FAILED'} in {row['wall_s']:.0f} s, "
              f"peak {row['peak_mb']:.0f} MB"
              + ("" if row["ok"] else f" — see {row['log']}"), flush=True)
        rows.append(row)
    table = format_table(rows)
    (args.out / "course_times.md").write_text(table + "\n")
    (args.out / "course_times.json").write_text(json.dumps(
        [{k: r[k] for k in ("notebook", "ok", "wall_s", "peak_mb")} for r in rows], indent=1))
    if args.record and all(r["ok"] for r in rows):
        record_times(rows, time.strftime("%Y-%m-%d"))
        print("measured times written into the notebooks, README.md and INSTRUCTORS.md")
    print("\n" + table)
    print(f"\nHTML copies and this table are in {args.out}/")
    if sum(r["wall_s"] for r in rows) > COURSE_BUDGET_S:
        print(f"warning: the course took longer than {COURSE_BUDGET_S // 60} min")
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
