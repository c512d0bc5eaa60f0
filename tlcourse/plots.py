"""Plots used across the notebooks: image grids, confusion matrices and bar
comparisons.  Thin wrappers over matplotlib and sklearn so
that a notebook cell stays about the idea, not the axes.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np


def image_grid(images, labels: Sequence[str] | None = None, ncols: int = 8,
               size: float = 1.3, cmap: str | None = None, title: str | None = None):
    """Show images (N,H,W) or (N,H,W,3), uint8 or floats in [0,1] or [0,255],
    with an optional caption each.  Introduced in notebook 00.

    Example: ``plots.image_grid(x[:16], [class_names[i] for i in y[:16]])``
    """
    images = np.asarray(images)
    n = len(images)
    nrows = max(1, int(np.ceil(n / ncols)))
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size, nrows * size * 1.15),
                             squeeze=False)
    if images.dtype != np.uint8 and images.max() > 1.0:
        images = np.clip(images, 0, 255).astype(np.uint8)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        img = images[i]
        ax.imshow(img, cmap=cmap or ("gray" if img.ndim == 2 else None))
        if labels is not None:
            ax.set_title(str(labels[i]), fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def confusion_matrix(y_true, y_pred, class_names: Sequence[str], ax=None,
                     normalize: str | None = "true", title: str | None = None):
    """Confusion matrix (rows: true class) via sklearn's
    ``ConfusionMatrixDisplay``; returns the matrix.  Introduced in notebook 05.

    Example: ``cm = plots.confusion_matrix(y_test, y_pred, ds.class_names)``
    """
    from sklearn.metrics import ConfusionMatrixDisplay
    from sklearn.metrics import confusion_matrix as sk_confusion_matrix

    labels = np.arange(len(class_names))
    cm = sk_confusion_matrix(y_true, y_pred, labels=labels, normalize=normalize)
    if ax is None:
        _, ax = plt.subplots(figsize=(0.6 * len(class_names) + 2,) * 2)
    ConfusionMatrixDisplay(cm, display_labels=class_names).plot(
        ax=ax, cmap="Blues", colorbar=False, xticks_rotation=45,
        values_format=".2f" if normalize else "d")
    ax.set_title(title or "confusion matrix")
    return cm


def compare_bars(results: Mapping[str, float], ylabel: str = "accuracy",
                 ax=None, title: str | None = None, fmt: str = "{:.3f}"):
    """Bar chart of one number per method, each bar labelled with its value.
    Introduced in notebook 01.

    Example: ``plots.compare_bars({"raw pixels": 0.56, "ImageNet features": 0.72})``
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(1.4 * len(results) + 2, 3.2))
    names, values = list(results), [float(v) for v in results.values()]
    bars = ax.bar(names, values, color=[f"C{i}" for i in range(len(names))])
    for bar, v in zip(bars, values):
        ax.annotate(fmt.format(v), (bar.get_x() + bar.get_width() / 2, v),
                    ha="center", va="bottom", fontsize=9)
    ax.set_ylabel(ylabel)
    ax.set_title(title or "")
    ax.set_ylim(0, max(values) * 1.15 if max(values) > 0 else 1)
    ax.tick_params(axis="x", rotation=15)
    return ax


#: Matplotlib's name of the CJK font asset (WenQuanYi Micro Hei).
CJK_FONT = "WenQuanYi Micro Hei"


def use_cjk_font() -> str:
    """Draw Chinese text in figures with the course's CJK font (the
    ``cjk_font`` registry asset, fetched by ``make setup``): registers it with
    matplotlib and puts it first in ``font.sans-serif``, so titles and labels
    in Chinese show their glyphs instead of empty boxes. Latin letters and
    digits come from the same font. Returns the family name. Introduced with
    the Chinese edition (the notebooks in ``notebooks/zh/``).

    Example: ``plots.use_cjk_font(); plt.title("迁移学习")``
    """
    from matplotlib import font_manager

    from tlcourse import assets

    font = assets.path("cjk_font")            # raises AssetMissingError with the fix
    font_manager.fontManager.addfont(str(font))
    families = [CJK_FONT] + [f for f in plt.rcParams["font.sans-serif"] if f != CJK_FONT]
    plt.rcParams["font.sans-serif"] = families
    plt.rcParams["font.family"] = ["sans-serif"]
    plt.rcParams["axes.unicode_minus"] = False    # the CJK font has no U+2212 minus
    return CJK_FONT
