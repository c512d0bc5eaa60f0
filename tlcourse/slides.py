"""Notebooks as reveal.js slides that work offline.

``make slides`` runs ``python -m tlcourse.slides`` (default: notebooks 01,
02 and 05): each notebook is copied, its slide structure is decided on the
copy (:func:`tag_slides`), and nbconvert's SlidesExporter writes
``build/slides/NN_name.slides.html`` with reveal.js and MathJax 3 served from
``build/slides/`` (the pinned npm assets of ``tlcourse.assets``) — nothing
comes from a CDN.  The notebooks themselves are never modified.

Slide structure: a notebook whose cells carry the standard
``slideshow.slide_type`` metadata keeps it.  Otherwise, by default, a
markdown cell starting with a ``#`` or ``##`` heading starts a slide, one
starting with ``###`` a sub-slide, and a cell that would overflow the
screen (about ``SLIDE_LINES`` lines) starts a sub-slide below; a code cell
longer than ``LONG_CODE_LINES`` lines shows only its outputs (or is skipped
if it has none).  Always skipped: exercise solution cells (``nbgrader.solution``),
cells tagged ``slides-skip``, empty cells and raw cells.

Command line::

    python -m tlcourse.slides [NOTEBOOK ...] [--out DIR] [--check]

``--check`` opens each deck in headless Chromium with the network blocked
(as ``python -m tlcourse.site check`` does) and fails unless reveal.js
initialised and, in decks with formulas, MathJax rendered them.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Sequence

from tlcourse import assets, site
from tlcourse.site import SiteError, is_solution

__all__ = ["DEFAULT_NOTEBOOKS", "LONG_CODE_LINES", "slide_type", "tag_slides",
           "build", "check"]

DEFAULT_NOTEBOOKS = ("01_what_is_transfer_learning", "02_the_math", "05_fine_tuning_vgg16")
LONG_CODE_LINES = 15
SLIDE_LINES = 20      # what fits on a 720-px slide, in source/output lines
SKIP_TAG = "slides-skip"
HIDE_INPUT_TAG = "slides-hide-input"
OUT = site.REPO / "build" / "slides"
TEMPLATE_DIR = site.SITE_PAGES / "slides"
TEMPLATE = "tlcourse_reveal.html.j2"
THEME = "white"


def slide_type(cell: dict) -> str | None:
    """The cell's ``slideshow.slide_type`` metadata, or None.  For
    instructors (``make slides``).

    Example: ``slides.slide_type({"metadata": {"slideshow": {"slide_type": "slide"}}})``
    """
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type")


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _set(cell: dict, kind: str, tag: str | None = None) -> None:
    md = cell.setdefault("metadata", {})
    md.setdefault("slideshow", {})["slide_type"] = kind
    if tag:
        tags = md.setdefault("tags", [])
        if tag not in tags:
            tags.append(tag)


def _height(cell: dict, long_code_lines: int) -> int:
    """Rough screen lines a cell takes on a slide: its source lines (display
    maths counts 3, a long code cell only its output), text output lines, 12
    per figure."""
    src = _source(cell)
    if cell.get("cell_type") == "markdown":
        return len(src.strip().splitlines()) + 2 * src.count("$$") // 2
    lines = src.rstrip().splitlines()
    height = 0 if len(lines) > long_code_lines else len(lines) + 1
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if "image/png" in data or "image/svg+xml" in data:
            height += 12
        else:
            text = out.get("text") or data.get("text/plain", "")
            text = "".join(text) if isinstance(text, list) else text
            height += min(len(text.splitlines()), 12)
    return height


def tag_slides(nb: dict, long_code_lines: int = LONG_CODE_LINES) -> dict:
    """A copy of the notebook dict ``nb`` with its slide structure set (see
    the module docstring): the notebook's own ``slideshow`` metadata if it
    has any, else the default from headings and code length; solution,
    ``slides-skip``, empty and raw cells are skipped either way.  For
    instructors (``make slides``).

    Example: ``[slides.slide_type(c) for c in slides.tag_slides(nb)["cells"]]``
    """
    nb = copy.deepcopy(nb)
    cells = nb.get("cells", [])
    explicit = any(slide_type(c) for c in cells)
    used = 0                     # lines on the current (sub-)slide so far
    for cell in cells:
        src = _source(cell)
        tags = cell.get("metadata", {}).get("tags", [])
        if (is_solution(cell) or SKIP_TAG in tags or not src.strip()
                or cell.get("cell_type") == "raw"):
            _set(cell, "skip", SKIP_TAG)
            continue
        if explicit:
            continue
        height = _height(cell, long_code_lines)
        if cell.get("cell_type") == "markdown":
            first = src.lstrip().splitlines()[0]
            kind = ("slide" if re.match(r"#{1,2}\s", first)
                    else "subslide" if re.match(r"###\s", first) else "-")
        elif len(src.rstrip().splitlines()) > long_code_lines and not cell.get("outputs"):
            _set(cell, "skip", SKIP_TAG)
            continue
        else:
            kind = "-"
        # A cell that would overflow the screen starts a sub-slide below.
        if kind == "-" and used and used + height > SLIDE_LINES:
            kind = "subslide"
        used = height if kind != "-" else used + height
        _set(cell, kind, HIDE_INPUT_TAG if cell.get("cell_type") == "code"
             and len(src.rstrip().splitlines()) > long_code_lines else None)
    shown = [c for c in cells if slide_type(c) != "skip"]
    if shown and slide_type(shown[0]) in (None, "-", "fragment", "notes"):
        _set(shown[0], "slide")
    return nb


def _notebook_path(name: str) -> Path:
    p = Path(name)
    if p.suffix == ".ipynb" and p.is_file():
        return p
    stem = p.stem if p.suffix == ".ipynb" else p.name
    hits = sorted(site.NOTEBOOKS.glob(f"{stem}*.ipynb")) if stem else []
    if len(hits) != 1:
        raise SiteError(f"No single notebook matches {name!r} in {site.NOTEBOOKS} "
                        f"(give a path, a name such as 02_the_math, or a number such as 02).")
    return hits[0]


def _copy_tree(src: Path, dest: Path) -> None:
    """Copy ``src`` into ``dest`` (only files that differ)."""
    for f in src.rglob("*"):
        if f.is_file():
            out = dest / f.relative_to(src)
            if not (out.is_file() and out.stat().st_size == f.stat().st_size
                    and assets.sha256_file(out) == assets.sha256_file(f)):
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(f, out)


def build(notebooks: Sequence[str] = DEFAULT_NOTEBOOKS, out: str | os.PathLike = OUT,
          quiet: bool = False) -> list[Path]:
    """Write ``out/NN_name.slides.html`` for each notebook, with reveal.js
    and MathJax copied into ``out`` (the verified npm assets) and no URL to
    another host.  Returns the slide files.  For instructors (``make slides``).

    Example: ``slides.build(["02"])  # [PosixPath('.../build/slides/02_the_math.slides.html')]``
    """
    import nbformat
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    out = Path(out)
    t0 = time.perf_counter()
    got = assets.fetch(["reveal_js", "mathjax"], quiet=True)
    _copy_tree(got["reveal_js"], out / "reveal.js")
    _copy_tree(got["mathjax"], out / "mathjax")
    c = Config()
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = {SKIP_TAG}
    c.TagRemovePreprocessor.remove_input_tags = {HIDE_INPUT_TAG}
    exporter = SlidesExporter(config=c, extra_template_paths=[str(TEMPLATE_DIR)],
                              template_file=TEMPLATE)
    exporter.reveal_url_prefix = "reveal.js"
    # nbconvert's default theme "simple" imports Google Fonts; "white" has its own
    exporter.reveal_theme = THEME
    exporter.mathjax_url = "mathjax/es5/tex-chtml-full.js"
    written = []
    for name in notebooks:
        path = _notebook_path(name)
        tagged = tag_slides(json.loads(path.read_text(encoding="utf-8")))
        nb = nbformat.reads(json.dumps(tagged), as_version=4)   # list sources -> str
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
        refs = re.findall(r"""<(?:script|link)\b[^>]*?(?:src|href)=["']([^"']+)""", body)
        remote = [u for u in refs if re.match(r"(https?:)?//", u)]
        for css in (u for u in refs if u.endswith(".css") and u not in remote):
            local = out / css
            if local.is_file():   # e.g. a reveal.js theme that @imports web fonts
                remote += site._CSS_URL.findall(local.read_text(encoding="utf-8"))
        if remote:
            raise SiteError(f"{path.name}: the slides would load {remote[:3]} from the internet.")
        target = out / f"{path.stem}.slides.html"
        target.write_text(body, encoding="utf-8")
        written.append(target)
    if not quiet:
        print(f"slides: {len(written)} deck(s) in {out} ({time.perf_counter() - t0:.1f} s): "
              + ", ".join(p.name for p in written), flush=True)
    return written


JS_REVEAL = """(async () => {
  for (let i = 0; i < 100 && !(window.Reveal && Reveal.isReady && Reveal.isReady()); i++)
    await new Promise(r => setTimeout(r, 100));
  return {ready: !!(window.Reveal && Reveal.isReady && Reveal.isReady()),
          slides: window.Reveal && Reveal.isReady() ? Reveal.getTotalSlides() : 0};
})()"""


def check(decks: Sequence[Path], chromium: str | None = None) -> list[str]:
    """Open each deck in headless Chromium with the network blocked; return
    what is wrong (empty list: all good) and print a short report: reveal.js
    initialised, formulas (if the notebook has any) rendered by MathJax, no
    request to another host.  For instructors (``make slides-check``).

    Example: ``assert not slides.check(slides.build())``
    """
    problems, report = [], []
    if not decks:
        return ["no slide decks to check: run `make slides` first"]
    folder = Path(decks[0]).parent
    with site.serve(folder) as base, site.Browser(chromium) as browser:
        for deck in decks:
            page = browser.open(f"{base}/{Path(deck).name}")
            r = page.eval(JS_REVEAL, timeout=30)
            name = Path(deck).name
            if not r["ready"]:
                problems.append(f"{name}: reveal.js did not initialise")
            line = f"{name}: reveal.js ready, {r['slides']} slides"
            if re.search(r"\$|\\\(|\\\[", deck.read_text(encoding="utf-8")) and "02_" in name:
                m = page.eval(site.JS_MATH, timeout=60)
                problems += site._math_problems(name, m)
                line += f", {m.get('rendered', 0)} formulas rendered by MathJax"
            problems += site._page_problems(name, page)
            report.append(line)
    print("slides check (headless Chromium, network blocked"
          f"{', own network namespace' if os.environ.get('TLCOURSE_IN_NETNS') else ''}):")
    for line in report:
        print(f"  {line}")
    print(f"  {'FAILED' if problems else 'ok'}")
    for p in problems:
        print(f"  problem: {p}")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m tlcourse.slides",
                                     description="Notebooks as offline reveal.js slides.")
    parser.add_argument("notebooks", nargs="*", metavar="NOTEBOOK",
                        help=f"paths, names or numbers (default: {' '.join(DEFAULT_NOTEBOOKS)})")
    parser.add_argument("--out", default=str(OUT))
    parser.add_argument("--check", action="store_true",
                        help="after building, check the decks in headless Chromium")
    parser.add_argument("--check-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--chromium", help="browser binary (default: chromium on PATH)")
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args(argv)
    names = args.notebooks or DEFAULT_NOTEBOOKS
    try:
        if args.check_only:
            decks = [Path(args.out) / f"{_notebook_path(n).stem}.slides.html" for n in names]
            return 1 if check(decks, args.chromium) else 0
        build(names, args.out, quiet=args.quiet)
        if not args.check:
            return 0
        if not (args.chromium or site.find_chromium()):
            raise SiteError(f"No Chromium found for the slides check. {site.CHROMIUM_HINT}")
        inner = [a for a in argv if a != "--check"] + ["--check-only"]
        netns = site._netns_argv(inner, module="tlcourse.slides")
        if netns:
            return subprocess.run(netns, env={**os.environ, "TLCOURSE_IN_NETNS": "1"}).returncode
        decks = [Path(args.out) / f"{_notebook_path(n).stem}.slides.html" for n in names]
        return 1 if check(decks, args.chromium) else 0
    except (SiteError, assets.AssetError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
