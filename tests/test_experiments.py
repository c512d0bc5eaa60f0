"""experiments: the learning-curve loop, its summary and plot,
driven by a fake, instant ``fit_and_score``."""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from tlcourse import experiments


def fake_fit_and_score(size, seed):
    """'transfer' starts high and flattens; 'scratch' climbs and overtakes at 300."""
    noise = 0.01 * (seed - 1)
    return {"transfer": 0.80 + 0.0001 * size + noise,
            "scratch": min(0.99, 0.30 + 0.002 * size) + noise}


SIZES, SEEDS = [10, 30, 100, 300, 1000], [0, 1, 2]


@pytest.fixture
def curves():
    return experiments.learning_curve(fake_fit_and_score, SIZES, SEEDS, verbose=False)


def test_every_size_and_seed_is_recorded(curves):
    assert curves.methods == ["transfer", "scratch"]
    assert curves.scores["scratch"].shape == (len(SIZES), len(SEEDS))
    assert not np.isnan(curves.scores["scratch"]).any()
    assert curves.scores["scratch"][1, 2] == pytest.approx(0.30 + 0.06 + 0.01)
    np.testing.assert_allclose(curves.at("transfer", 100), [0.80, 0.81, 0.82])
    np.testing.assert_allclose(curves.mean("transfer"), 0.80 + 0.0001 * np.array(SIZES))
    np.testing.assert_allclose(curves.std("scratch"), np.std([-0.01, 0, 0.01]))


def test_calls_each_size_and_seed_once():
    calls = []
    experiments.learning_curve(lambda n, s: calls.append((n, s)) or {"m": 1.0},
                               [1, 2], [7, 8], verbose=False)
    assert calls == [(1, 7), (1, 8), (2, 7), (2, 8)]


def test_inconsistent_methods_are_refused():
    def flaky(size, seed):
        return {"a": 1.0} if seed == 0 else {"b": 1.0}
    with pytest.raises(ValueError, match="expected"):
        experiments.learning_curve(flaky, [1], [0, 1], verbose=False)
    with pytest.raises(ValueError):
        experiments.learning_curve(fake_fit_and_score, [], [0], verbose=False)


def test_verbose_prints_one_line_per_size(capsys):
    experiments.learning_curve(fake_fit_and_score, [10, 30], [0], verbose=True)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("size") and "scratch" in lines[0]


def test_summarize_shows_mean_and_std(curves):
    table = experiments.summarize(curves).splitlines()
    assert "transfer" in table[0] and "scratch" in table[0]
    assert len(table) == 1 + len(SIZES)
    assert table[1].split()[0] == "10"
    assert "0.801±0.008" in table[1]


def test_plot_draws_one_line_and_band_per_method(curves):
    ax = experiments.plot_learning_curves(curves)
    assert [line.get_label() for line in ax.get_lines()] == ["transfer", "scratch"]
    assert len(ax.collections) == 2
    assert ax.get_xscale() == "log"
    ax = experiments.plot_learning_curves(curves, band="minmax")
    band = ax.collections[1].get_paths()[0].vertices[:, 1]
    assert band.min() == pytest.approx(curves.scores["scratch"].min())
    with pytest.raises(ValueError):
        experiments.plot_learning_curves(curves, band="iqr")


def test_restart_resets_weights_and_optimizer_but_keeps_the_traced_step():
    import keras
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(keras.optimizers.Adam(0.05), "mse")
    initial = model.get_weights()
    x, y = np.ones((8, 3), "float32"), np.zeros((8, 2), "float32")
    first = model.fit(x, y, epochs=3, verbose=0).history["loss"]
    traced = model.train_function
    assert int(model.optimizer.iterations) > 0
    assert not np.allclose(model.get_weights()[0], initial[0])
    experiments.restart(model, initial)
    for now, then in zip(model.get_weights(), initial):
        np.testing.assert_array_equal(now, then)
    assert int(model.optimizer.iterations) == 0
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05)
    second = model.fit(x, y, epochs=3, verbose=0).history["loss"]
    assert model.train_function is traced
    np.testing.assert_allclose(second, first, rtol=1e-5)


def test_seed_table_prints_each_seed_means_and_paired_differences():
    table = experiments.seed_table({"a": [0.5, 0.7, 0.6], "b": [0.4, 0.5, 0.6]}, [0, 1, 2],
                                   pairs=[("a", "b")])
    lines = table.splitlines()
    assert lines[0].split()[:3] == ["seed", "a", "b"] and "a − b" in lines[0]
    assert lines[1].split() == ["0", "0.500", "0.400", "+0.100"]
    assert lines[3].split()[-1] == "+0.000"
    assert "0.600 ± 0.100" in lines[4] and "0.100 ± 0.100" in lines[4]
    with pytest.raises(ValueError, match="one score per seed"):
        experiments.seed_table({"a": [0.5]}, [0, 1])
