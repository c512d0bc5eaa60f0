"""The Chinese edition is built from the English notebooks and a catalogue
keyed by cell hashes (tlcourse.i18n): a missing, stale or hand-edited
translation, and a code cell that differs from its English twin, all fail."""
import json

import nbformat
import pytest

from tlcourse import i18n

TIME = ("**Expected time:** about 1½ minutes of compute on a 2-core laptop without AVX-512 "
        "(96 s measured on 2026-11-30 by `make course`), 20 minutes of reading and about "
        "25 minutes of exercises.")


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A one-notebook course in a temp folder."""
    notebooks, catalogues = tmp_path / "notebooks", tmp_path / "i18n"
    notebooks.mkdir()
    monkeypatch.setattr(i18n, "NOTEBOOKS", notebooks)
    monkeypatch.setattr(i18n, "CATALOGUES", catalogues)
    monkeypatch.setattr(i18n, "REPO", tmp_path)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"# 99 · Demo\n\nIntro.\n\n{TIME}\n\n**Prerequisites:** none."),
                nbformat.v4.new_code_cell("print('hello')"),
                nbformat.v4.new_markdown_cell("## Summary\n\n- freezing keeps weights")]
    path = notebooks / "99_demo.ipynb"
    nbformat.write(nb, path)
    return path


def _translate_all(path, texts):
    catalogue = i18n.load_catalogue(path, "zh")
    for entry, text in zip(catalogue["cells"].values(), texts):
        entry["zh"] = text
    i18n.save_catalogue(catalogue, path, "zh")


def test_round_trip_and_every_way_to_drift(course):
    assert i18n.extract("zh") == {"99_demo.ipynb": 2}             # markdown cells only
    assert any("no zh translation" in p for p in i18n.problems("zh"))
    with pytest.raises(KeyError, match="no zh translation"):
        i18n.build("zh")
    entries = list(i18n.load_catalogue(course, "zh")["cells"].values())
    assert i18n.TIME_SLOT in entries[0]["en"] and "96 s" not in entries[0]["en"]
    _translate_all(course, ["# 99 · 演示\n\n简介。\n\n{EXPECTED_TIME}\n\n**前置知识：**无。",
                            "## 小结\n\n- 冻结保持权重不变"])
    [built] = i18n.build("zh")
    zh = nbformat.read(built, as_version=4)
    assert "实测 96 秒" in zh.cells[0].source and zh.cells[1].source == "print('hello')"
    assert i18n.problems("zh") == []

    # a hand edit of the built notebook is caught
    zh.cells[1].source = "print('你好')"
    nbformat.write(zh, built)
    assert any("code cell 1 differs" in p for p in i18n.problems("zh"))
    i18n.build("zh")

    # re-recording the measured time does not make the translation stale
    en = nbformat.read(course, as_version=4)
    en.cells[0].source = en.cells[0].source.replace("96 s", "101 s")
    nbformat.write(en, course)
    assert any("out of date" in p for p in i18n.problems("zh"))
    i18n.build("zh")
    assert i18n.problems("zh") == []
    assert "实测 101 秒" in nbformat.read(built, as_version=4).cells[0].source

    # editing English prose makes its translation missing and the old one stale
    en.cells[2].source = "## Summary\n\n- freezing keeps the base's weights"
    nbformat.write(en, course)
    found = i18n.problems("zh")
    assert any("cell 2 has no zh translation" in p for p in found)
    assert any("stale translation" in p and "freezing keeps weights" in p for p in found)
    assert i18n.extract("zh") == {"99_demo.ipynb": 1}
    assert i18n.prune("zh") == {"99_demo.ipynb": 1}


def test_expected_time_zh_keeps_the_measured_numbers():
    line = i18n.expected_time_zh(TIME)
    assert "实测 96 秒" in line and "2026-11-30" in line and "阅读 20 分钟" in line
    assert "练习约 25 分钟" in line and "约 1.5 分钟" in line
    with pytest.raises(ValueError):
        i18n.expected_time_zh("no time here")


def test_catalogue_files_are_utf8_json_keyed_by_cell_hash(course):
    i18n.extract("zh")
    text = i18n.catalogue_path(course, "zh").read_text(encoding="utf-8")
    data = json.loads(text)
    nb = nbformat.read(course, as_version=4)
    assert set(data["cells"]) == {i18n.cell_key(c) for c in nb.cells if c.cell_type == "markdown"}


def test_the_chinese_edition_matches_the_english_notebooks():
    """Every English markdown cell of the course has a current translation,
    no translation is stale, and notebooks/zh/ is what the build makes of
    them, with code cells identical to the English ones."""
    assert i18n.problems("zh") == []


def test_translations_keep_markdown_that_renders():
    """CommonMark does not close `**粗体：**` when a CJK character follows the
    closing `**` after punctuation; such bold shows as literal asterisks.
    Every translated cell must render without stray `**`, and keep the
    English cell's math, code spans and code blocks."""
    import re

    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    # code blocks, display and inline math ($x$: no space inside the dollars), code spans
    pieces = re.compile(r"```.*?```|\$\$.*?\$\$|\$[^$\s](?:[^$\n]*?[^$\s])?\$|`[^`]+`", re.S)
    bad = []
    for nb_path in i18n.english_notebooks():
        for key, entry in i18n.load_catalogue(nb_path, "zh")["cells"].items():
            zh = entry.get("zh")
            if not zh:
                continue
            text = re.sub(r"<[^>]+>", "", md.render(pieces.sub("X", zh)))
            if "**" in text:
                bad.append(f"{nb_path.name} {key}: stray ** in the rendered cell")
            if sorted(pieces.findall(entry["en"])) != sorted(pieces.findall(zh)):
                bad.append(f"{nb_path.name} {key}: math or code differs from the English")
    assert bad == []
