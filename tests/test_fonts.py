"""The Chinese edition's figures: matplotlib finds the CJK font asset and
draws Chinese titles with real glyphs (no empty boxes)."""
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from tlcourse import assets, plots  # noqa: E402

TITLE = "迁移学习：预训练、特征提取器、微调、负迁移、知识蒸馏、领域自适应"


def test_matplotlib_finds_the_cjk_font_and_has_every_glyph():
    family = plots.use_cjk_font()
    found = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]),
                                  fallback_to_default=False)
    assert found == str(assets.path("cjk_font")), found
    from matplotlib.ft2font import FT2Font
    face = FT2Font(found)
    missing = [ch for ch in TITLE if face.get_char_index(ord(ch)) == 0]
    assert family == plots.CJK_FONT and missing == []


def test_a_rendered_chinese_title_has_no_missing_glyphs(tmp_path):
    plots.use_cjk_font()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, ax = plt.subplots()
        ax.set_title(TITLE)
        ax.set_xlabel("每类标注数量 (labels per class)")
        fig.savefig(tmp_path / "title.png")
        plt.close(fig)
    glyph_warnings = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert glyph_warnings == [] and (tmp_path / "title.png").stat().st_size > 1000


def test_without_the_cjk_font_matplotlib_would_draw_boxes():
    """The check above can fail: DejaVu Sans, matplotlib's default, lacks
    these glyphs and warns about each one."""
    from matplotlib.ft2font import FT2Font
    dejavu = FT2Font(font_manager.findfont("DejaVu Sans"))
    assert all(dejavu.get_char_index(ord(ch)) == 0 for ch in "迁移学习")


def test_the_sites_webfont_has_the_pages_glyphs_and_only_those(tmp_path):
    """`make site` cuts the font down to the Chinese pages' characters: every
    one of them has a glyph, and the file stays a small fraction of the font."""
    import io

    from fontTools.ttLib import TTFont

    from tlcourse import site

    woff = site.cjk_webfont(TITLE + "，。")
    font = TTFont(io.BytesIO(woff))
    cmap = font.getBestCmap()
    assert font.flavor == "woff"
    assert [ch for ch in TITLE + "，。" if ord(ch) not in cmap] == []
    assert ord("猫") not in cmap                       # not on the page: not in the file
    assert len(woff) < assets.path("cjk_font").stat().st_size / 20
    assert "unicode-range" in site.CJK_CSS and site.CJK_WEBFONT in site.CJK_CSS
