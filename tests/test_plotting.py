"""nnlib.plotting: histories are grouped into panels, curves are drawn (diverging ones cut and
marked), arguments are checked. Drawn off-screen with matplotlib's Agg backend."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib.plotting import history_panels, plot_curves, plot_history  # noqa: E402

HISTORY = {"train_loss": [1.0, 0.5, 0.25], "val_loss": [1.1, 0.6, 0.4],
           "train_accuracy": [0.5, 0.7, 0.9], "val_accuracy": [0.4, 0.6, 0.8], "lr": [1, 1, 0.5]}


def teardown_function():
    plt.close("all")


def test_history_panels_group_by_quantity():
    assert history_panels(HISTORY) == {
        "loss": {"train": "train_loss", "val": "val_loss"},
        "accuracy": {"train": "train_accuracy", "val": "val_accuracy"},
        "lr": {"": "lr"},
    }
    assert history_panels({"test_loss": [1]}) == {"loss": {"test": "test_loss"}}


def test_plot_history_draws_one_panel_per_quantity():
    axes = plot_history(HISTORY, title="a run")
    assert [ax.get_ylabel() for ax in axes] == ["loss", "accuracy", "lr"]
    lines = axes[0].get_lines()
    assert len(lines) == 2
    np.testing.assert_array_equal(lines[0].get_xdata(), [1, 2, 3])  # epochs from 1
    np.testing.assert_array_equal(lines[1].get_ydata(), HISTORY["val_loss"])
    labels = [t.get_text() for t in axes[0].get_legend().get_texts()]
    assert labels == ["train: 0.25", "val: 0.4"]
    assert axes[0].figure.texts[0].get_text() == "a run"


def test_plot_history_on_given_axes_with_a_log_scale():
    fig, axes = plt.subplots(1, 1)
    returned = plot_history(HISTORY, keys=["loss"], axes=[axes], logy=["loss"])
    assert returned == [axes]
    assert axes.get_yscale() == "log"


def test_plot_history_checks_its_arguments():
    with pytest.raises(KeyError, match="no \\['loss2'\\]"):
        plot_history(HISTORY, keys=["loss2"])
    with pytest.raises(ValueError, match="2 panels but 1 axes"):
        plot_history(HISTORY, keys=["loss", "accuracy"], axes=[plt.subplots()[1]])
    with pytest.raises(ValueError, match="empty"):
        plot_history({})


def test_plot_curves_marks_diverging_runs():
    ax = plot_curves({"lr = 0.1": [4.0, 2.0, 1.0, 0.5],
                      "lr = 2": [4.0, 40.0, np.inf, np.nan]}, logy=True, title="lr")
    lines = ax.get_lines()
    assert len(lines) == 3  # two curves and the x marker
    np.testing.assert_array_equal(lines[1].get_ydata(), [4.0, 40.0])
    np.testing.assert_array_equal(lines[2].get_ydata(), [40.0])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["lr = 0.1", "lr = 2 (diverged)"]
    assert ax.get_yscale() == "log" and ax.get_title() == "lr"


def test_plot_curves_with_shared_x_values():
    ax = plot_curves({"a": [1.0, 2.0]}, x=[10.0, 20.0, 30.0], xlabel="step", ylim=(0, 3))
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), [10.0, 20.0])
    assert ax.get_xlabel() == "step" and ax.get_ylim() == (0, 3)
    with pytest.raises(ValueError, match="no curves"):
        plot_curves({})
