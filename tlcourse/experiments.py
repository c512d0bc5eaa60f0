"""Experiment plumbing: run several training recipes over labelled-set sizes
and seeds, summarise the spread, and plot learning curves.

The notebook keeps the recipes (what is frozen, which learning rate); this
module only owns the loops, the bookkeeping and the plot.  A recipe is any
function ``fit_and_score(per_class, seed) -> {method: accuracy}``: one call
trains every method on the *same* labelled subset, so the methods are
compared on identical data.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np


@dataclass
class LearningCurves:
    """Scores of several methods over labelled-set sizes and seeds.

    ``scores[method]`` is an array of shape ``(len(sizes), len(seeds))``.
    Introduced in notebook 01.

    Example: ``curves.mean("scratch")``  →  one mean accuracy per size
    """
    sizes: list[int]
    seeds: list[int]
    scores: dict[str, np.ndarray] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def methods(self) -> list[str]:
        """Method names in the order they were first reported."""
        return list(self.scores)

    def mean(self, method: str) -> np.ndarray:
        """Mean score over seeds, one value per size."""
        return self.scores[method].mean(axis=1)

    def std(self, method: str) -> np.ndarray:
        """Standard deviation over seeds (population, ``ddof=0``) per size."""
        return self.scores[method].std(axis=1)

    def at(self, method: str, size: int) -> np.ndarray:
        """The per-seed scores of ``method`` at labelled-set size ``size``."""
        return self.scores[method][self.sizes.index(size)]


def restart(model, weights) -> None:
    """Reset a compiled Keras model for a new, independent run: load
    ``weights`` (a ``get_weights()`` list, BatchNorm statistics included) and
    zero the optimizer's state (step counter and moments; the learning rate
    is kept).  The next ``fit`` then reuses the training step Keras already
    traced, which saves seconds per run when a loop trains dozens of small
    models.  Introduced in notebook 06.

    Example: ``experiments.restart(scratch_net, initial_weights[seed])``
    """
    model.set_weights(weights)
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not getattr(optimizer, "built", True):
        return
    for variable in optimizer.variables:
        if variable.path.split("/")[-1] == "learning_rate":
            continue
        variable.assign(np.zeros(variable.shape, dtype=variable.dtype))


def learning_curve(fit_and_score: Callable[[int, int], Mapping[str, float]],
                   sizes: Sequence[int], seeds: Sequence[int],
                   verbose: bool = True) -> LearningCurves:
    """Call ``fit_and_score(size, seed)`` for every size and seed and collect
    the ``{method: score}`` it returns.  Introduced in notebook 01.

    Example: ``curves = experiments.learning_curve(fit_and_score, [10, 100], [0, 1, 2])``
    """
    sizes, seeds = [int(s) for s in sizes], [int(s) for s in seeds]
    if not sizes or not seeds:
        raise ValueError("need at least one size and one seed")
    curves = LearningCurves(sizes, seeds)
    start = time.perf_counter()
    for i, size in enumerate(sizes):
        for j, seed in enumerate(seeds):
            result = dict(fit_and_score(size, seed))
            if curves.scores and set(result) != set(curves.scores):
                raise ValueError(f"fit_and_score({size}, {seed}) returned methods "
                                 f"{sorted(result)}, expected {sorted(curves.scores)}")
            for method, score in result.items():
                if method not in curves.scores:
                    curves.scores[method] = np.full((len(sizes), len(seeds)), np.nan)
                curves.scores[method][i, j] = float(score)
        if verbose:
            row = "  ".join(f"{m} {curves.scores[m][i].mean():.3f}" for m in curves.scores)
            print(f"size {size:>5}: {row}")
    curves.seconds = time.perf_counter() - start
    return curves


def summarize(curves: LearningCurves, decimals: int = 3) -> str:
    """A text table of ``mean ± std`` (over seeds) per method and size.
    Introduced in notebook 06.

    Example: ``print(experiments.summarize(curves))``
    """
    width = max(9, 2 * decimals + 6)
    head = f"{'size':>6} " + " ".join(f"{m:>{width}}" for m in curves.methods)
    lines = [head]
    for i, size in enumerate(curves.sizes):
        cells = [f"{curves.mean(m)[i]:.{decimals}f}±{curves.std(m)[i]:.{decimals}f}"
                 for m in curves.methods]
        lines.append(f"{size:>6} " + " ".join(f"{c:>{width}}" for c in cells))
    return "\n".join(lines)


def plot_learning_curves(curves: LearningCurves, ax=None, title: str | None = None,
                         band: str = "std", ylabel: str = "test accuracy"):
    """Mean score against labelled examples per class (log x axis), with a
    shaded band per method: ``band="std"`` (mean ± std) or ``"minmax"``.
    Introduced in notebook 01.

    Example: ``experiments.plot_learning_curves(curves, title="MNIST digits")``
    """
    import matplotlib.pyplot as plt

    if band not in ("std", "minmax"):
        raise ValueError(f"band must be 'std' or 'minmax', got {band!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.8))
    for k, method in enumerate(curves.methods):
        mean = curves.mean(method)
        if band == "std":
            low, high = mean - curves.std(method), mean + curves.std(method)
        else:
            low, high = curves.scores[method].min(1), curves.scores[method].max(1)
        ax.plot(curves.sizes, mean, "o-", color=f"C{k}", label=method)
        ax.fill_between(curves.sizes, low, high, color=f"C{k}", alpha=0.2)
    ax.set_xscale("log")
    ax.set_xticks(curves.sizes)
    ax.set_xticklabels([str(s) for s in curves.sizes])
    ax.set_xlabel("labelled examples per class")
    ax.set_ylabel(ylabel)
    spread = "mean ± std" if band == "std" else "mean, min–max"
    ax.set_title(title or f"Learning curves ({spread} over {len(curves.seeds)} seeds)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return ax


def seed_table(scores: Mapping[str, Sequence[float]], seeds: Sequence[int],
               pairs: Sequence[tuple[str, str]] = (), decimals: int = 3) -> str:
    """A text table with one row per seed and one column per method, then the
    mean ± sd (``ddof=1``) of each column, then for each ``(a, b)`` in
    ``pairs`` the per-seed paired difference ``a − b`` and its mean ± sd.
    Introduced in notebook 05.

    Example: ``print(experiments.seed_table(acc, SEEDS, [("fine-tuned", "frozen")]))``
    """
    methods = list(scores)
    cols = methods + [f"{a} − {b}" for a, b in pairs]
    values = {m: np.asarray(scores[m], float) for m in methods}
    for a, b in pairs:
        values[f"{a} − {b}"] = values[a] - values[b]
    if any(len(v) != len(seeds) for v in values.values()):
        raise ValueError("every method needs one score per seed")
    width = max(12, *(len(c) + 1 for c in cols))
    lines = ["seed".ljust(8) + "".join(c.rjust(width) for c in cols)]
    for i, seed in enumerate(seeds):
        lines.append(str(seed).ljust(8) + "".join(
            f"{values[c][i]:+.{decimals}f}".rjust(width) if "−" in c else
            f"{values[c][i]:.{decimals}f}".rjust(width) for c in cols))
    sd = (lambda v: float(np.std(v, ddof=1)) if len(v) > 1 else 0.0)
    lines.append("mean ± sd".ljust(8) + "".join(
        f"{values[c].mean():.{decimals}f} ± {sd(values[c]):.{decimals}f}".rjust(width)
        for c in cols))
    return "\n".join(lines)
