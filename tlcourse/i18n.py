"""Translated editions of the course, built from the English notebooks so
that they cannot drift (issue 13: 中文版).

One source of truth: the English notebooks in ``notebooks/``. A translation
lives in a catalogue, ``i18n/<lang>/<notebook stem>.json``, keyed by a hash
of each English cell's content::

    {"notebook": "05_fine_tuning_vgg16.ipynb",
     "cells": {"<key>": {"en": "<English source>", "<lang>": "<translation>"}}}

``build`` writes ``notebooks/<lang>/<same name>.ipynb``: every markdown cell
replaced by its translation, every code cell copied unchanged. When an
English cell is edited its key changes, so its old translation no longer
matches: ``check`` lists it as *missing* (and the stale entry, with the old
English next to it, shows the translator what changed). Maintainers:

    python -m tlcourse.i18n extract zh   # add new/changed cells to the catalogues
    # translate the entries whose "zh" is null, then
    python -m tlcourse.i18n build zh     # write notebooks/zh/
    python -m tlcourse.i18n check zh     # what tests check: nothing missing or stale

Introduced with the Chinese edition (README.zh-CN.md).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
CATALOGUES = REPO / "i18n"
LANGUAGES = ("zh",)


#: Stands for the first cell's measured "Expected time" line in catalogues:
#: ``make course RECORD=1`` rewrites that line's numbers, which must not make
#: the cell's translation stale; :func:`expected_time_zh` renders it instead.
TIME_SLOT = "{EXPECTED_TIME}"


def _with_slot(source: str) -> str:
    from tlcourse.course import EXPECTED_TIME
    return EXPECTED_TIME.sub(TIME_SLOT, source, count=1)


def expected_time_zh(english_line: str) -> str:
    """The Chinese "Expected time" line, with the English line's numbers.

    Example: ``expected_time_zh("**Expected time:** about 1½ minutes of compute … (96 s measured on 2026-11-30 by `make course`), 20 minutes of reading and about 25 minutes of exercises.")``
    """
    import re
    measured = re.search(r"\((\d+) s measured on (\d{4}-\d\d-\d\d) by `([^`]+)`\)", english_line)
    reading = re.search(r"(\d+) minutes of reading and about (\d+) minutes of exercises", english_line)
    if not (measured and reading):
        raise ValueError(f"not an Expected time line: {english_line[:80]!r}")
    seconds, day, how = measured.groups()
    minutes = round(int(seconds) / 60 * 4) / 4
    return (f"**预计用时**：在没有 AVX-512 的双核笔记本上计算约 {minutes:g} 分钟"
            f"（{day} 由 `{how}` 实测 {seconds} 秒），阅读 {reading[1]} 分钟，"
            f"练习约 {reading[2]} 分钟。")


def language() -> str:
    """The learner's language: ``TLCOURSE_LANG`` if set (``make lab LANG=zh``
    sets it), else ``"zh"`` in a kernel started in ``notebooks/zh/`` (Jupyter
    starts a notebook's kernel in its folder), else ``"en"``.

    Example: ``i18n.language()  # "zh" in the Chinese notebooks``
    """
    import os
    lang = os.environ.get("TLCOURSE_LANG", "").strip().lower()
    if lang:
        return lang if lang in LANGUAGES else "en"
    cwd = Path.cwd()
    return "zh" if cwd.name == "zh" and cwd.parent.name == "notebooks" else "en"


#: Exercise feedback (``tlcourse.check``): ``i18n/<lang>/check.json`` maps
#: each question id to its English hint/explanation and their translations.
def check_catalogue_path(lang: str) -> Path:
    return CATALOGUES / lang / "check.json"


def _check_entries(lang: str) -> dict:
    path = check_catalogue_path(lang)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


_FEEDBACK_CACHE: dict = {}


def feedback(qid: str, field: str, english: str, lang: str | None = None) -> str:
    """``english`` (a question's ``hint`` or ``explain``) in the learner's
    language; the English itself when there is no current translation (the
    catalogue entry must have been made from this very English text).

    Example: ``i18n.feedback("nb05.q1", "hint", question.hint)``
    """
    lang = lang or language()
    if lang == "en" or not english:
        return english
    if lang not in _FEEDBACK_CACHE:
        _FEEDBACK_CACHE[lang] = _check_entries(lang)
    entry = _FEEDBACK_CACHE[lang].get(qid, {})
    if entry.get(f"{field}_en") == english and entry.get(field):
        return entry[field]
    return english


def _extract_checks(lang: str) -> int:
    from tlcourse.check import QUESTIONS
    entries = _check_entries(lang)
    new = 0
    for qid, q in sorted(QUESTIONS.items()):
        entry = entries.setdefault(qid, {})
        for field in ("hint", "explain"):
            english = getattr(q, field)
            if english and entry.get(f"{field}_en") != english:
                entry[f"{field}_en"], entry[field] = english, None
                new += 1
    path = check_catalogue_path(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(sorted(entries.items())), ensure_ascii=False, indent=1) + "\n",
                    encoding="utf-8")
    return new


def _check_problems(lang: str) -> list[str]:
    from tlcourse.check import QUESTIONS
    entries = _check_entries(lang)
    found = []
    for qid, q in sorted(QUESTIONS.items()):
        for field in ("hint", "explain"):
            english, entry = getattr(q, field), entries.get(qid, {})
            if english and not (entry.get(f"{field}_en") == english and entry.get(field)):
                found.append(f"check.json: {qid} {field} has no current {lang} translation")
    found += [f"check.json: {qid} is not an exercise any more" for qid in entries
              if qid not in QUESTIONS]
    return found


# ------------------------------------------------------------ printed output
#: The parts of a printed line that change from run to run: absolute paths (a
#: learner's cache or temporary folder is not the catalogue's) and numbers.
#: A line's *template* is the line with each of them replaced by {}.
_NUMBER = re.compile(r"(?<![\w}])/(?:[\w.\-]+/)+[\w.\-]+"
                     r"|(?<![\w.{])[-+]?\d(?:[\d,]*\d)?(?:\.\d+)?(?:e[-+]?\d+)?")
_WORDS = re.compile(r"[A-Za-z]{3,}")
_VERDICT = re.compile(r"^(✓|✗|·) (nb\d\d\.q\d+) (correct\.|not yet\. Hint:|not answered yet:)\s?(.*)$")


def outputs_catalogue_path(lang: str) -> Path:
    return CATALOGUES / lang / "outputs.json"


def line_template(line: str) -> tuple[str, list[str]]:
    """``("train {}, test {} images", ["1078", "422"])`` for a printed line."""
    return _NUMBER.sub("{}", line.replace("{", "{{").replace("}", "}}")), _NUMBER.findall(line)


_OUTPUTS_CACHE: dict = {}


def _outputs(lang: str) -> dict:
    if lang not in _OUTPUTS_CACHE:
        path = outputs_catalogue_path(lang)
        _OUTPUTS_CACHE[lang] = (json.loads(path.read_text(encoding="utf-8"))
                                if path.exists() else {})
    return _OUTPUTS_CACHE[lang]


def translate_line(line: str, lang: str | None = None) -> str:
    """A printed line in the learner's language: exercise verdicts through
    the check catalogue, other sentences through ``outputs.json`` (templates
    with the numbers of this run put back in order). Lines without a
    translation are returned unchanged.

    Example: ``i18n.translate_line("train 1078, test 422 images", "zh")``
    """
    lang = lang or language()
    if lang == "en" or not _WORDS.search(line):
        return line
    verdict = _VERDICT.match(line)
    if verdict:
        mark, qid, _, rest = verdict.groups()
        from tlcourse.check import QUESTIONS
        q = QUESTIONS.get(qid)
        if mark == "✓":
            return f"✓ {qid} 正确。{feedback(qid, 'explain', q.explain, lang) if q else rest}".rstrip()
        if mark == "✗":
            return f"✗ {qid} 还不对。提示：{feedback(qid, 'hint', q.hint, lang) if q else rest}"
        return f"· {qid} 尚未作答：在单元格指定的位置填入答案，然后重新运行该单元格。"
    template, numbers = line_template(line)
    translated = _outputs(lang).get(template)
    if not translated:
        return line
    try:
        return translated.format(*numbers)
    except (IndexError, KeyError, ValueError):
        return line


def translate_text(text: str, lang: str | None = None) -> str:
    """:func:`translate_line` on every line of ``text``."""
    return "\n".join(translate_line(line, lang) for line in text.split("\n"))


class TranslatingStream:
    """Wraps a text stream (a kernel's ``sys.stdout``) and translates each
    complete line with :func:`translate_line` as it is written."""

    def __init__(self, stream, lang: str):
        self._stream, self._lang, self._partial = stream, lang, ""

    def write(self, text: str) -> int:
        self._partial += text
        *lines, self._partial = self._partial.split("\n")
        for line in lines:
            self._stream.write(translate_line(line, self._lang) + "\n")
        return len(text)

    def flush(self) -> None:
        if self._partial:
            self._stream.write(translate_line(self._partial, self._lang))
            self._partial = ""
        self._stream.flush()

    def __getattr__(self, name):
        return getattr(self._stream, name)


# ------------------------------------------------------------ figure text
#: Where English kernels log every figure text they draw, when maintainers
#: run the course with TLCOURSE_FIGURE_TEXT_LOG=build/figure_text.txt
#: (``extract`` then adds the texts to ``figures.json``).
FIGURE_TEXT_LOG = "TLCOURSE_FIGURE_TEXT_LOG"


def figures_catalogue_path(lang: str) -> Path:
    return CATALOGUES / lang / "figures.json"


def translate_figure_text(text: str, lang: str) -> str:
    """A figure's title, label or annotation in ``lang`` (numbers of this run
    kept); unchanged when ``figures.json`` has no translation for it."""
    if lang == "en" or not isinstance(text, str) or not _WORDS.search(text):
        return text
    key = f"figures:{lang}"
    if key not in _OUTPUTS_CACHE:
        path = figures_catalogue_path(lang)
        _OUTPUTS_CACHE[key] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    template, numbers = line_template(text)
    translated = _OUTPUTS_CACHE[key].get(template)
    try:
        return translated.format(*numbers) if translated else text
    except (IndexError, KeyError, ValueError):
        return text


def _hook_figure_text(translate=None, log: Path | None = None) -> None:
    """Route every matplotlib text through ``translate`` and/or log it."""
    from matplotlib import text as mtext
    original = getattr(mtext.Text.set_text, "__wrapped__", mtext.Text.set_text)

    def set_text(self, s):
        if log is not None and isinstance(s, str) and _WORDS.search(s):
            with open(log, "a", encoding="utf-8") as f:
                f.write(json.dumps(line_template(s)[0], ensure_ascii=False) + "\n")
        return original(self, translate(s) if translate else s)
    set_text.__wrapped__ = original
    mtext.Text.set_text = set_text


def _extract_figures(lang: str, log: Path) -> int:
    path = figures_catalogue_path(lang)
    entries = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    new = 0
    if log.exists():
        for line in log.read_text(encoding="utf-8").splitlines():
            template = json.loads(line)
            if template not in entries:
                entries[template] = None
                new += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(entries, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    _OUTPUTS_CACHE.pop(f"figures:{lang}", None)
    return new


#: Where English kernels keep every figure they display (pickled, named by
#: the sha256 of its PNG), when maintainers run the course with
#: TLCOURSE_FIGURE_PICKLES=build/figures: ``build`` then redraws those
#: figures with translated text for the stored outputs of notebooks/<lang>/.
FIGURE_PICKLES = "TLCOURSE_FIGURE_PICKLES"
FIGURE_DIR = REPO / "build" / "figures"


def _png_sha256(data) -> str:
    import base64
    raw = base64.b64decode(data) if isinstance(data, str) else bytes(data)
    return hashlib.sha256(raw).hexdigest()


def _keep_figures(folder: Path) -> bool:
    """Wrap IPython's PNG formatter for matplotlib figures so that each
    figure it draws is also pickled to ``folder/<sha256 of the PNG>.pickle``."""
    import pickle

    try:
        from IPython import get_ipython
        import matplotlib.pyplot as plt
        from matplotlib.figure import Figure
        ip = get_ipython()
        plt.switch_backend(plt.get_backend())   # the inline backend registers its formatter
        png = ip.display_formatter.formatters["image/png"]
        draw = png.lookup_by_type(Figure)
    except Exception:                            # not a kernel, or no inline backend
        return False

    def draw_and_keep(fig, *args, **kwargs):
        data = draw(fig, *args, **kwargs)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{_png_sha256(data)}.pickle").write_bytes(pickle.dumps(fig))
        except Exception:                        # an unpicklable figure stays English
            pass
        return data
    png.for_type(Figure, draw_and_keep)
    return True


def redraw_figure(png_data, lang: str, folder: Path | None = None) -> str | None:
    """The stored figure ``png_data`` (base64) drawn again with its text in
    ``lang``, as base64 PNG; ``None`` if the English run did not keep it."""
    import pickle

    kept = Path(folder or FIGURE_DIR) / f"{_png_sha256(png_data)}.pickle"
    if not kept.exists():
        return None
    import matplotlib
    matplotlib.use("Agg")
    from IPython.core.pylabtools import print_figure
    from matplotlib.category import UnitData
    from matplotlib.text import Text

    from tlcourse import plots
    plots.use_cjk_font()
    fig = pickle.loads(kept.read_bytes())
    translate = lambda s: translate_figure_text(s, lang)           # noqa: E731
    for text in fig.findobj(Text):
        text.set_text(translate(text.get_text()))
    for ax in fig.axes:                # tick labels are made again when drawn
        for axis in (ax.xaxis, ax.yaxis):
            formatter = axis.get_major_formatter()
            if getattr(formatter, "seq", None):                     # FixedFormatter
                formatter.seq = [translate(t) for t in formatter.seq]
            units = axis.get_units()
            if isinstance(units, UnitData):                         # bars named by strings
                names = list(units._mapping.items())
                units._mapping.clear()
                units._mapping.update((translate(k), v) for k, v in names)
    try:
        return print_figure(fig, "png", bbox_inches="tight", base64=True)
    finally:
        import matplotlib.pyplot as plt
        plt.close(fig)


def _translate_figures(nb, previous, lang: str) -> None:
    """Each stored figure of ``nb`` in ``lang``: redrawn from the English
    run's pickle, else the picture of the previous build with the same
    English original, else left in English."""
    before = {}
    for cell in previous.cells if previous is not None else []:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            source = out.get("metadata", {}).get("tlcourse", {}).get("english_png_sha256")
            if source:
                before[source] = out["data"]["image/png"]
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            png = out.get("data", {}).get("image/png")
            if not png:
                continue
            english = _png_sha256(png)
            drawn = redraw_figure(png, lang) or before.get(english)
            if drawn:
                out["data"]["image/png"] = drawn
                out.setdefault("metadata", {})["tlcourse"] = {"english_png_sha256": english}


def install(lang: str | None = None) -> bool:
    """In a translated notebook's kernel: printed lines in the learner's
    language and Chinese-capable figures. ``import tlcourse`` calls it in
    Jupyter kernels; it does nothing for English. Returns whether it did.

    Example: ``i18n.install("zh")``
    """
    import os
    lang = lang or language()
    if lang == "en":
        if os.environ.get(FIGURE_TEXT_LOG):              # maintainers: collect figure texts
            _hook_figure_text(log=Path(os.environ[FIGURE_TEXT_LOG]))
        if os.environ.get(FIGURE_PICKLES):               # ... and the figures themselves
            _keep_figures(Path(os.environ[FIGURE_PICKLES]))
        return False
    if isinstance(sys.stdout, TranslatingStream):
        return False
    sys.stdout = TranslatingStream(sys.stdout, lang)
    _hook_figure_text(translate=lambda s: translate_figure_text(s, lang))
    try:
        from tlcourse import plots
        plots.use_cjk_font()
    except Exception as err:                     # figures still draw, with boxes for 汉字
        import warnings
        warnings.warn(f"Chinese figure labels need the CJK font: {err}")
    return True


def _stdout_lines(nb) -> list[str]:
    lines = []
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "stream" and out.get("name") == "stdout":
                lines += out["text"].splitlines()
    return lines


def _extract_outputs(lang: str) -> int:
    path = outputs_catalogue_path(lang)
    entries = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    new = 0
    for nb_path in english_notebooks():
        for line in _stdout_lines(nbformat.read(nb_path, as_version=4)):
            if _WORDS.search(line) and not _VERDICT.match(line):
                template = line_template(line)[0]
                if template not in entries:
                    entries[template] = None
                    new += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(entries, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    _OUTPUTS_CACHE.pop(lang, None)
    return new


def _output_problems(lang: str) -> list[str]:
    entries = _outputs(lang)
    found = []
    for nb_path in english_notebooks():
        for line in _stdout_lines(nbformat.read(nb_path, as_version=4)):
            if _WORDS.search(line) and not _VERDICT.match(line):
                template = line_template(line)[0]
                zh = entries.get(template)
                if not zh:
                    found.append(f"outputs.json: {nb_path.name} prints {template[:60]!r}, "
                                 f"not translated (put the English itself to keep it)")
                elif zh.count("{}") != template.count("{}") - 2 * template.count("{{}}"):
                    found.append(f"outputs.json: {template[:60]!r}: the translation has "
                                 f"another number of {{}} slots")
    return sorted(set(found))


def cell_key(cell) -> str:
    """The key of an English cell in a catalogue: 16 hex digits of the
    sha256 of its type and source (the measured-time line replaced by
    :data:`TIME_SLOT`). Example: ``cell_key(nb.cells[0])``"""
    text = f"{cell.cell_type}\n{_with_slot(cell.source)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def english_notebooks() -> list[Path]:
    """The course's English notebooks, in order."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def catalogue_path(notebook: Path, lang: str) -> Path:
    return CATALOGUES / lang / f"{Path(notebook).stem}.json"


def translated_path(notebook: Path, lang: str) -> Path:
    return NOTEBOOKS / lang / Path(notebook).name


def _translatable(cell) -> bool:
    return cell.cell_type == "markdown" and cell.source.strip() != ""


def load_catalogue(notebook: Path, lang: str) -> dict:
    path = catalogue_path(notebook, lang)
    if not path.exists():
        return {"notebook": Path(notebook).name, "cells": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def save_catalogue(catalogue: dict, notebook: Path, lang: str) -> Path:
    path = catalogue_path(notebook, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(catalogue, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def extract(lang: str, notebooks=None) -> dict[str, int]:
    """Add every translatable English cell missing from the catalogues (with
    ``None`` as its translation); keep existing entries, including stale
    ones, until ``prune``. Returns new entries per notebook."""
    added = {}
    for nb_path in notebooks or english_notebooks():
        nb = nbformat.read(nb_path, as_version=4)
        catalogue = load_catalogue(nb_path, lang)
        new = 0
        for cell in nb.cells:
            if _translatable(cell) and cell_key(cell) not in catalogue["cells"]:
                catalogue["cells"][cell_key(cell)] = {"en": _with_slot(cell.source), lang: None}
                new += 1
        save_catalogue(catalogue, nb_path, lang)
        added[nb_path.name] = new
    if notebooks is None:
        added["check.json"] = _extract_checks(lang)
        added["outputs.json"] = _extract_outputs(lang)
        added["figures.json"] = _extract_figures(lang, REPO / "build" / "figure_text.txt")
    return added


def prune(lang: str, notebooks=None) -> dict[str, int]:
    """Drop catalogue entries whose English cell no longer exists."""
    dropped = {}
    for nb_path in notebooks or english_notebooks():
        nb = nbformat.read(nb_path, as_version=4)
        keys = {cell_key(c) for c in nb.cells if _translatable(c)}
        catalogue = load_catalogue(nb_path, lang)
        stale = [k for k in catalogue["cells"] if k not in keys]
        for k in stale:
            del catalogue["cells"][k]
        save_catalogue(catalogue, nb_path, lang)
        dropped[nb_path.name] = len(stale)
    return dropped


def translate_notebook(nb_path: Path, lang: str, figures: bool = True):
    """The translated notebook object (not written). Raises ``KeyError``
    listing the cells that have no translation. ``figures=False`` leaves the
    stored figures as they are (quicker, for checks of the text)."""
    nb = nbformat.read(nb_path, as_version=4)
    cells = load_catalogue(nb_path, lang)["cells"]
    missing = [i for i, c in enumerate(nb.cells)
               if _translatable(c) and not (cells.get(cell_key(c)) or {}).get(lang)]
    if missing:
        raise KeyError(f"{nb_path.name}: cells {missing} have no {lang} translation; run "
                       f"`python -m tlcourse.i18n extract {lang}` and translate them")
    from tlcourse.course import EXPECTED_TIME
    for cell in nb.cells:
        if _translatable(cell):
            english = cell.source
            cell.source = cells[cell_key(cell)][lang]
            if TIME_SLOT in cell.source:
                cell.source = cell.source.replace(
                    TIME_SLOT, expected_time_zh(EXPECTED_TIME.search(english)[0]))
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "stream" and out.get("name") == "stdout":
                out["text"] = translate_text(out["text"], lang)
    out_path = translated_path(nb_path, lang)
    if figures:
        _translate_figures(nb, nbformat.read(out_path, as_version=4) if out_path.exists()
                           else None, lang)
    nb.metadata["language"] = lang
    nb.metadata["tlcourse"] = {"translated_from": f"../{nb_path.name}"}
    return nb


def build(lang: str, notebooks=None) -> list[Path]:
    """Write ``notebooks/<lang>/`` from the English notebooks and catalogues."""
    written = []
    for nb_path in notebooks or english_notebooks():
        nb = translate_notebook(nb_path, lang)
        out = translated_path(nb_path, lang)
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out)
        written.append(out)
    return written


def problems(lang: str, notebooks=None) -> list[str]:
    """What stops the translated edition from matching the English one:
    missing or stale translations, a translated notebook missing or out of
    date, a code cell that differs from its English twin."""
    found = [] if notebooks is not None else _check_problems(lang) + _output_problems(lang)
    for nb_path in notebooks or english_notebooks():
        nb = nbformat.read(nb_path, as_version=4)
        entries = load_catalogue(nb_path, lang)["cells"]
        keys = [cell_key(c) for c in nb.cells if _translatable(c)]
        found += [f"{nb_path.name}: cell {i} has no {lang} translation"
                  for i, c in enumerate(nb.cells)
                  if _translatable(c) and not (entries.get(cell_key(c)) or {}).get(lang)]
        found += [f"{nb_path.name}: stale translation of a cell that changed or went: "
                  f"{entry['en'][:60]!r}…" for k, entry in entries.items() if k not in keys]
        out = translated_path(nb_path, lang)
        if not out.exists():
            found.append(f"{out.relative_to(REPO)} is missing: run `python -m tlcourse.i18n build {lang}`")
            continue
        built = nbformat.read(out, as_version=4)
        if len(built.cells) != len(nb.cells):
            found.append(f"{out.name}: {len(built.cells)} cells, the English has {len(nb.cells)}")
            continue
        for i, (en, tr) in enumerate(zip(nb.cells, built.cells)):
            if en.cell_type != tr.cell_type:
                found.append(f"{out.name}: cell {i} is {tr.cell_type}, the English is {en.cell_type}")
            elif en.cell_type == "code" and en.source != tr.source:
                found.append(f"{out.name}: code cell {i} differs from the English one")
    if not found:
        for nb_path in notebooks or english_notebooks():
            built = nbformat.read(translated_path(nb_path, lang), as_version=4)
            if [c.source for c in translate_notebook(nb_path, lang, figures=False).cells] != [c.source for c in built.cells]:
                found.append(f"{nb_path.name}: notebooks/{lang}/ copy is out of date: rebuild")
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["extract", "prune", "build", "check"])
    parser.add_argument("lang", choices=LANGUAGES)
    args = parser.parse_args(argv)
    if args.command == "extract":
        for name, n in extract(args.lang).items():
            print(f"{name}: {n} new cell(s) to translate")
    elif args.command == "prune":
        for name, n in prune(args.lang).items():
            print(f"{name}: {n} stale entr(y/ies) dropped")
    elif args.command == "build":
        for path in build(args.lang):
            print("wrote", path.relative_to(REPO))
    else:
        found = problems(args.lang)
        print("\n".join(found) or f"{args.lang}: every notebook translated and up to date")
        return 1 if found else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
