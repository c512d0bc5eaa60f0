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
    assert i18n.extract("zh", [course]) == {"99_demo.ipynb": 2}             # markdown cells only
    assert any("no zh translation" in p for p in i18n.problems("zh", [course]))
    with pytest.raises(KeyError, match="no zh translation"):
        i18n.build("zh", [course])
    entries = list(i18n.load_catalogue(course, "zh")["cells"].values())
    assert i18n.TIME_SLOT in entries[0]["en"] and "96 s" not in entries[0]["en"]
    _translate_all(course, ["# 99 · 演示\n\n简介。\n\n{EXPECTED_TIME}\n\n**前置知识：**无。",
                            "## 小结\n\n- 冻结保持权重不变"])
    [built] = i18n.build("zh", [course])
    zh = nbformat.read(built, as_version=4)
    assert "实测 96 秒" in zh.cells[0].source and zh.cells[1].source == "print('hello')"
    assert i18n.problems("zh", [course]) == []

    # a hand edit of the built notebook is caught
    zh.cells[1].source = "print('你好')"
    nbformat.write(zh, built)
    assert any("code cell 1 differs" in p for p in i18n.problems("zh", [course]))
    i18n.build("zh", [course])

    # re-recording the measured time does not make the translation stale
    en = nbformat.read(course, as_version=4)
    en.cells[0].source = en.cells[0].source.replace("96 s", "101 s")
    nbformat.write(en, course)
    assert any("out of date" in p for p in i18n.problems("zh", [course]))
    i18n.build("zh", [course])
    assert i18n.problems("zh", [course]) == []
    assert "实测 101 秒" in nbformat.read(built, as_version=4).cells[0].source

    # editing English prose makes its translation missing and the old one stale
    en.cells[2].source = "## Summary\n\n- freezing keeps the base's weights"
    nbformat.write(en, course)
    found = i18n.problems("zh", [course])
    assert any("cell 2 has no zh translation" in p for p in found)
    assert any("stale translation" in p and "freezing keeps weights" in p for p in found)
    assert i18n.extract("zh", [course]) == {"99_demo.ipynb": 1}
    assert i18n.prune("zh", [course]) == {"99_demo.ipynb": 1}


def test_expected_time_zh_keeps_the_measured_numbers():
    line = i18n.expected_time_zh(TIME)
    assert "实测 96 秒" in line and "2026-11-30" in line and "阅读 20 分钟" in line
    assert "练习约 25 分钟" in line and "约 1.5 分钟" in line
    with pytest.raises(ValueError):
        i18n.expected_time_zh("no time here")


def test_catalogue_files_are_utf8_json_keyed_by_cell_hash(course):
    i18n.extract("zh", [course])
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


def test_language_from_the_environment_or_the_notebook_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("TLCOURSE_LANG", raising=False)
    (tmp_path / "notebooks" / "zh").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "notebooks")
    assert i18n.language() == "en"
    monkeypatch.chdir(tmp_path / "notebooks" / "zh")     # Jupyter: the kernel starts here
    assert i18n.language() == "zh"
    monkeypatch.setenv("TLCOURSE_LANG", "en")
    assert i18n.language() == "en"
    monkeypatch.setenv("TLCOURSE_LANG", "xx")             # unknown: English
    assert i18n.language() == "en"


def test_check_feedback_in_chinese_and_english_when_stale(tmp_path, monkeypatch, capsys):
    from tlcourse import check
    question = check.QUESTIONS["nb05.q1"]
    catalogue = {"nb05.q1": {"hint_en": question.hint, "hint": "提示内容",
                             "explain_en": "an older explanation", "explain": "旧的解释"}}
    (tmp_path / "zh").mkdir()
    (tmp_path / "zh" / "check.json").write_text(json.dumps(catalogue, ensure_ascii=False),
                                                encoding="utf-8")
    monkeypatch.setattr(i18n, "CATALOGUES", tmp_path)
    monkeypatch.setattr(i18n, "_FEEDBACK_CACHE", {})
    monkeypatch.setenv("TLCOURSE_LANG", "zh")
    assert not check.answer("nb05.q1", (7, 1, 2))
    assert capsys.readouterr().out.strip() == "✗ nb05.q1 还不对。提示：提示内容"
    assert not check.answer("nb05.q1", None)
    assert "尚未作答" in capsys.readouterr().out
    from tlcourse.exercises.nb05 import seed_head_params
    assert check.answer("nb05.q1", (49, seed_head_params(1), seed_head_params(7)))
    # the explanation's English changed since it was translated: show the current English
    assert capsys.readouterr().out.strip() == f"✓ nb05.q1 正确。{question.explain}"
    monkeypatch.setenv("TLCOURSE_LANG", "en")
    check.answer("nb05.q1", (7, 1, 2))
    assert capsys.readouterr().out.startswith("✗ nb05.q1 not yet. Hint: ")


def test_printed_lines_are_translated_with_this_runs_numbers(tmp_path, monkeypatch):
    import io
    (tmp_path / "zh").mkdir()
    (tmp_path / "zh" / "outputs.json").write_text(json.dumps(
        {"train {}, validation {}, test {} images": "训练 {} 张，验证 {} 张，测试 {} 张图像"},
        ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(i18n, "CATALOGUES", tmp_path)
    monkeypatch.setattr(i18n, "_OUTPUTS_CACHE", {})
    assert (i18n.translate_line("train 1078, validation 190, test 422 images", "zh")
            == "训练 1078 张，验证 190 张，测试 422 张图像")
    assert i18n.translate_line("something else 3", "zh") == "something else 3"
    assert i18n.translate_line("train 1, validation 2, test 3 images", "en").startswith("train")
    sink = io.StringIO()
    stream = i18n.TranslatingStream(sink, "zh")
    print("train 5, valid", end="", file=stream)        # a line written in pieces
    print("ation 6, test 7 images", file=stream)
    print("no newline at the end", end="", file=stream)
    stream.flush()
    assert sink.getvalue() == "训练 5 张，验证 6 张，测试 7 张图像\nno newline at the end"


def test_a_chinese_notebook_runs_in_chinese(tmp_path):
    """notebooks/zh/00 executed in a kernel started in notebooks/zh/ (as
    JupyterLab does): its printed sentences and exercise feedback come out in
    Chinese with this run's numbers, from the same code as the English."""
    from nbclient import NotebookClient
    nb = nbformat.read(i18n.NOTEBOOKS / "zh" / "00_setup_and_tour.ipynb", as_version=4)
    for cell in nb.cells:
        cell.outputs = [] if cell.cell_type == "code" else None
        if cell.cell_type != "code":
            cell.pop("outputs")
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(i18n.NOTEBOOKS / "zh")}}).execute()
    printed = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                        for o in c.outputs if o.get("name") == "stdout")
    assert "特征向量：" in printed and "正确。" in printed, printed[:2000]
    assert "feature vectors:" not in printed and " correct." not in printed


def test_figure_texts_are_logged_in_english_and_translated_in_chinese(tmp_path, monkeypatch):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import text as mtext
    monkeypatch.setattr(mtext.Text, "set_text", mtext.Text.set_text)   # undone after the test
    log = tmp_path / "figure_text.txt"
    i18n._hook_figure_text(log=log)
    fig, ax = plt.subplots()
    ax.set_title("mean of 3 seeds")
    ax.set_xlabel("0.5")                                   # no words: not logged
    plt.close(fig)
    assert log.read_text(encoding="utf-8").splitlines() == ['"mean of {} seeds"']

    (tmp_path / "zh").mkdir()
    monkeypatch.setattr(i18n, "CATALOGUES", tmp_path)
    monkeypatch.setattr(i18n, "_OUTPUTS_CACHE", {})
    assert i18n._extract_figures("zh", log) == 1
    catalogue = json.loads(i18n.figures_catalogue_path("zh").read_text(encoding="utf-8"))
    catalogue["mean of {} seeds"] = "{} 个随机种子的均值"
    i18n.figures_catalogue_path("zh").write_text(json.dumps(catalogue, ensure_ascii=False),
                                                 encoding="utf-8")
    i18n._OUTPUTS_CACHE.clear()
    i18n._hook_figure_text(translate=lambda s: i18n.translate_figure_text(s, "zh"))
    fig, ax = plt.subplots()
    ax.set_title("mean of 5 seeds")
    assert ax.get_title() == "5 个随机种子的均值"
    ax.set_ylabel("test accuracy")                         # not in the catalogue: English
    assert ax.get_ylabel() == "test accuracy"
    plt.close(fig)


def test_stored_figures_are_redrawn_in_chinese_from_the_english_run(tmp_path, monkeypatch):
    """An English kernel with TLCOURSE_FIGURE_PICKLES keeps every figure it
    displays, named by its PNG; the build redraws it with Chinese text (tick
    labels of named bars included) and a later build without the pickles keeps
    the Chinese picture."""
    import base64
    import os

    from nbclient import NotebookClient
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import tlcourse\nfrom tlcourse import plots\n"
        "plots.compare_bars({'scratch': 0.5, 'frozen': 0.7}, title='mean of 3 seeds');")]
    monkeypatch.setenv(i18n.FIGURE_PICKLES, str(tmp_path / "figures"))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")  # pytest: Agg
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert nb.cells[0].outputs, nb.cells[0]
    english = nb.cells[0].outputs[-1]["data"]["image/png"]
    assert os.listdir(tmp_path / "figures") == [f"{i18n._png_sha256(english)}.pickle"]

    monkeypatch.setattr(i18n, "_OUTPUTS_CACHE", {"figures:zh": {
        "mean of {} seeds": "{} 个随机种子的均值", "scratch": "从零训练", "frozen": "冻结"}})
    seen = []
    from matplotlib.text import Text
    monkeypatch.setattr(Text, "draw", lambda self, r: seen.append(self.get_text()))
    drawn = i18n.redraw_figure(english, "zh", folder=tmp_path / "figures")
    assert drawn and base64.b64decode(drawn)[:4] == b"\x89PNG"
    assert {"3 个随机种子的均值", "从零训练", "冻结"} <= set(seen), seen
    assert not {"scratch", "frozen"} & set(seen)

    zh = nbformat.from_dict(json.loads(json.dumps(nb)))
    monkeypatch.setattr(i18n, "FIGURE_DIR", tmp_path / "figures")
    i18n._translate_figures(zh, None, "zh")
    out = zh.cells[0].outputs[-1]
    assert out["metadata"]["tlcourse"]["english_png_sha256"] == i18n._png_sha256(english)
    again = nbformat.from_dict(json.loads(json.dumps(nb)))
    monkeypatch.setattr(i18n, "FIGURE_DIR", tmp_path / "none")        # no pickles now
    i18n._translate_figures(again, zh, "zh")
    assert again.cells[0].outputs[-1]["data"]["image/png"] == out["data"]["image/png"]


def test_paths_in_printed_lines_are_slots_like_numbers():
    """A learner's cache or temporary folder is not the catalogue's: an
    absolute path is a slot, put back as printed; fractions stay numbers."""
    line = "warning: Skipping 2 file(s) in /tmp/my_photos_x1y2 that cannot be loaded"
    assert i18n.line_template(line) == (
        "warning: Skipping {} file(s) in {} that cannot be loaded", ["2", "/tmp/my_photos_x1y2"])
    assert i18n.line_template("chance is 1/35")[1] == ["1", "35"]
    assert i18n.translate_line("cache: /Users/alice/.cache/tlcourse", "zh") == \
        "缓存：/Users/alice/.cache/tlcourse"
