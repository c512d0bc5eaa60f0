"""tlcourse.slides: the default slide structure (no browser, no network)."""
import json
from pathlib import Path

from tlcourse import slides
from tlcourse.slides import slide_type

REPO = Path(__file__).resolve().parents[1]
SOLUTION = {"nbgrader": {"solution": True, "grade": False, "grade_id": "q", "locked": False}}


def nb(*cells):
    return {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def md(src, **meta):
    return {"cell_type": "markdown", "metadata": meta, "source": src}


def code(src, outputs=(), **meta):
    return {"cell_type": "code", "metadata": meta, "source": src, "outputs": list(outputs),
            "execution_count": None}


OUT = [{"output_type": "stream", "name": "stdout", "text": "ok\n"}]


def kinds(notebook):
    return [slide_type(c) for c in slides.tag_slides(notebook)["cells"]]


def tags(notebook):
    return [c["metadata"].get("tags", []) for c in slides.tag_slides(notebook)["cells"]]


def test_default_structure_from_headings_and_code_length():
    long_src = "\n".join(f"x{i} = {i}" for i in range(slides.LONG_CODE_LINES + 1))
    n = nb(md("# 02 · Title\nintro"), md("some prose"), md("## 1. Section\n"),
           md("### 1.1 Detail\n"), code("print(1)"), code(long_src, OUT), code(long_src),
           md("   \n"), {"cell_type": "raw", "metadata": {}, "source": "raw"},
           md("#### small heading\n"), md("#hashtag is not a heading"))
    assert kinds(n) == ["slide", "-", "slide", "subslide", "-", "-", "skip", "skip", "skip",
                        "-", "-"]
    t = tags(n)
    assert t[5] == [slides.HIDE_INPUT_TAG] and t[6] == [slides.SKIP_TAG]


def test_solutions_and_skip_tag_are_skipped_even_with_explicit_metadata():
    explicit = nb(md("# T", slideshow={"slide_type": "slide"}),
                  md("## not a slide here", slideshow={"slide_type": "fragment"}),
                  code("answer = 1", **SOLUTION),
                  md("solution text", **SOLUTION),
                  code("x", tags=["slides-skip"]),
                  code("y"))
    assert kinds(explicit) == ["slide", "fragment", "skip", "skip", "skip", None]
    default = nb(md("# T"), code("answer = 1", **SOLUTION), code("x", tags=["slides-skip"]))
    assert kinds(default) == ["slide", "skip", "skip"]


def test_first_shown_cell_starts_a_slide_and_the_input_is_not_modified():
    n = nb(code("import tlcourse"), md("text"))
    before = json.dumps(n)
    assert kinds(n) == ["slide", "-"]
    assert json.dumps(n) == before


def test_default_decks_exist_and_template_uses_no_cdn():
    for stem in slides.DEFAULT_NOTEBOOKS:
        assert (REPO / "notebooks" / f"{stem}.ipynb").is_file()
    assert slides._notebook_path("02").name == "02_the_math.ipynb"
    template = (slides.TEMPLATE_DIR / slides.TEMPLATE).read_text()
    assert "http" not in template and "require(" not in template
    assert slides.THEME == "white"


def test_a_cell_that_would_overflow_the_slide_goes_below():
    prose = "\n".join(f"line {i}" for i in range(slides.SLIDE_LINES - 2))
    figure = [{"output_type": "display_data", "data": {"image/png": "iVBOR"}, "metadata": {}}]
    n = nb(md("## 1. Section\n" + prose), code("plot()", figure), md("short"), code("print(1)", OUT))
    assert kinds(n) == ["slide", "subslide", "-", "-"]
