"""tlcourse.site: the offline course site (no browser, no network here:
`make site-check` is the browser check)."""
import json
import re
from pathlib import Path

import pytest
yaml = pytest.importorskip("yaml")

from tlcourse import site

REPO = Path(__file__).resolve().parents[1]
STYLE_TERMS = ["迁移学习", "特征提取器", "微调", "预训练", "知识蒸馏", "领域自适应", "负迁移"]


def notebook(cells):
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def md(src, **meta):
    return {"cell_type": "markdown", "metadata": meta, "source": src}


def code(src, outputs=(), **meta):
    return {"cell_type": "code", "metadata": meta, "source": src, "outputs": list(outputs),
            "execution_count": None}


SOLUTION = {"nbgrader": {"solution": True, "grade": False, "grade_id": "q1", "locked": False}}


def test_config_loads_nothing_from_a_cdn():
    cfg = yaml.safe_load((REPO / "site" / "_config.yml").read_text())
    assert cfg["execute"]["execute_notebooks"] == "off"
    sphinx = cfg["sphinx"]["config"]
    assert not re.match(r"(https?:)?//", sphinx["mathjax_path"])
    assert sphinx["mathjax_path"].startswith("mathjax/es5/")
    assert sphinx["nb_ipywidgets_js"] == {}
    assert cfg["launch_buttons"]["thebe"] is False
    assert "sphinx_thebe" in site.DROPPED_EXTENSIONS
    text = (REPO / "site" / "_config.yml").read_text()
    assert not re.search(r"https?://", text)


def test_glossary_has_every_style_term_and_every_notebook01_term():
    glossary = (REPO / "site" / "glossary.md").read_text(encoding="utf-8")
    for term in STYLE_TERMS:
        assert term in glossary, term
    nb01 = json.loads((REPO / "notebooks" / "01_what_is_transfer_learning.ipynb")
                      .read_text(encoding="utf-8"))
    text = "\n".join("".join(c["source"]) for c in nb01["cells"])
    rows = re.findall(r"^\| ([a-z][a-z -]+) \| (\S+) \|", text, re.M)
    assert len(rows) >= 7
    for english, chinese in rows:
        assert english in glossary and chinese in glossary, (english, chinese)
    table = [ln for ln in glossary.splitlines() if ln.startswith("| ") and "---" not in ln]
    assert all(ln.count("|") == 4 for ln in table)        # English | 中文 | meaning


def test_course_map_lists_every_notebook_with_idea_and_time():
    rows = site.course_map()
    stems = [p.stem for p in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))]
    assert [r["stem"] for r in rows] == stems
    assert all(r["idea"] and r["title"].startswith(r["number"]) for r in rows)
    assert all(isinstance(r["seconds"], int) and r["seconds"] > 0 for r in rows)
    table = site.course_map_markdown(rows)
    for s in stems:
        assert f"]({s}.ipynb)" in table
    assert "whole course" in table


def test_course_map_fails_loudly_for_a_notebook_missing_from_readme(tmp_path):
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    (nbs / "00_a.ipynb").write_text(json.dumps(notebook([md("# 00 · A\n")])))
    (nbs / "01_b.ipynb").write_text(json.dumps(notebook([md("# 01 · B\n")])))
    readme = tmp_path / "README.md"
    readme.write_text("| # | notebook | the idea |\n|---|---|---|\n| 00 | `00_a` | idea a |\n\n"
                      "| notebook | AVX2, 2 cores (s) | peak |\n|---|---:|---:|\n| 00 a | 12 | 1 |\n")
    with pytest.raises(site.SiteError, match="01_b.ipynb"):
        site.course_map(readme, nbs)
    readme.write_text(readme.read_text().replace("| 00 | `00_a` | idea a |",
                                                 "| 00 | `00_a` | idea a |\n| 01 | `01_b` | idea b |"))
    rows = site.course_map(readme, nbs)
    assert [(r["title"], r["idea"], r["seconds"]) for r in rows] == [
        ("00 · A", "idea a", 12), ("01 · B", "idea b", None)]


def test_solution_cells_are_folded_in_staging_only(tmp_path):
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    original = notebook([
        md("# 00 · Exercises\n"),
        code("answer = 42\n", **SOLUTION),
        md("The answer is **42** because\n\n:::{note}\ninner\n:::\n", **SOLUTION),
        code("print(1)\n"),
    ])
    src = nbs / "00_ex.ipynb"
    src.write_text(json.dumps(original))
    before = src.read_bytes()
    readme = tmp_path / "README.md"
    readme.write_text("| # | notebook | the idea |\n|---|---|---|\n| 00 | `00_ex` | idea |\n")
    out = site.stage(tmp_path / "stage", notebooks=nbs, readme=readme, mathjax=False)
    assert src.read_bytes() == before                       # notebooks/ untouched
    staged = json.loads((out / "00_ex.ipynb").read_text())["cells"]
    assert "hide-cell" in staged[1]["metadata"]["tags"]
    assert staged[1]["metadata"]["mystnb"]["code_prompt_show"] == "Show solution"
    folded = "".join(staged[2]["source"])
    assert folded.startswith("::::{admonition} Solution\n:class: dropdown\n")
    assert folded.rstrip().endswith("::::") and ":::{note}" in folded
    assert "tags" not in staged[3]["metadata"] and staged[0] == original["cells"][0]
    toc = yaml.safe_load((out / "_toc.yml").read_text())
    assert toc["root"] == "index"
    assert [c["file"] for c in toc["parts"][0]["chapters"]] == ["00_ex"]
    index = (out / "index.md").read_text(encoding="utf-8")
    assert "](00_ex.ipynb)" in index and site.MAP_MARKER not in index
    assert not (out / "slides").exists()                   # the slides template stays out
    # a second staging rewrites nothing that did not change, and drops stale files
    (out / "old.ipynb").write_text("{}")
    mtime = (out / "00_ex.ipynb").stat().st_mtime_ns
    site.stage(out, notebooks=nbs, readme=readme, mathjax=False)
    assert (out / "00_ex.ipynb").stat().st_mtime_ns == mtime and not (out / "old.ipynb").exists()


def test_hide_solutions_counts_and_is_idempotent_for_tags():
    nb = notebook([code("x = 1\n", **SOLUTION), md("no\n"), code("y\n", tags=["hide-cell"],
                                                               **SOLUTION)])
    assert site.hide_solutions(nb) == 2
    assert nb["cells"][2]["metadata"]["tags"] == ["hide-cell"]
    assert not site.is_solution(nb["cells"][1])


def test_cdn_references_finds_scripts_styles_and_css_imports(tmp_path):
    (tmp_path / "a.html").write_text(
        '<script src="_static/x.js"></script><script src="https://cdn.example/x.js"></script>'
        '<link rel="stylesheet" href="//fonts.example/f.css">'
        '<link rel="canonical" href="https://example.org/a.html">'
        '<a href="https://example.org">a link is fine</a>')
    (tmp_path / "s.css").write_text('@import url("https://fonts.example/x.css"); '
                                    'b { background: url(img/ok.png) }')
    assert site.cdn_references(tmp_path) == [
        ("a.html", "https://cdn.example/x.js"), ("a.html", "//fonts.example/f.css"),
        ("s.css", "https://fonts.example/x.css")]


def test_local_urls_and_missing_chromium_hint(monkeypatch, capsys):
    assert site._is_local("http://127.0.0.1:8000/index.html")
    assert site._is_local("data:image/png;base64,xx") and site._is_local("file:///tmp/a")
    assert not site._is_local("https://cdn.jsdelivr.net/npm/mathjax@3")
    monkeypatch.setenv("CHROMIUM", "/nonexistent/chromium")
    assert site.find_chromium() is None
    assert site.main(["check"]) == 1
    assert "apt-get install -y chromium" in capsys.readouterr().err
