"""The kernel-free slider embeds one figure per value and wires them to a range input."""

from __future__ import annotations

import pytest

from r1lib.viz.static import static_slider
from r1lib.viz.style import new_figure, styled


@styled
def _line(slope: float = 1.0):
    figure, axis = new_figure()
    axis.plot([0, 1], [0, slope])
    axis.set_title(f"slope {slope}")
    return figure


def test_one_distinct_image_per_value() -> None:
    slider = static_slider(_line, "slope", [0.5, 1.0, 2.0], default=1.0)
    assert len(slider.images) == 3
    assert len(set(slider.images)) == 3, "each value must render a different figure"
    markup = slider._repr_html_()
    assert 'type="range"' in markup and 'max="2"' in markup and 'value="1"' in markup
    assert slider.images[1] in markup.split("<script")[0], "the default figure is shown first"
    assert "http" not in markup, "the block must not load anything from elsewhere"
    # JupyterLab maps the arrow keys to cell navigation in command mode; the slider
    # must stop them from bubbling up or a learner's arrow presses move the notebook.
    assert 'addEventListener("keydown"' in markup and "stopPropagation" in markup


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="values"):
        static_slider(_line, "slope", [])
    with pytest.raises(ValueError, match="default"):
        static_slider(_line, "slope", [1.0], default=3.0)
    with pytest.raises(TypeError, match="callback"):
        static_slider(lambda slope: None, "slope", [1.0])


def test_positions_include_ends_and_default() -> None:
    from r1lib.viz.static import positions

    assert positions((2, 64, 1), 8, 7) == [2, 4, 8, 16, 32, 64]
    assert positions((1, 64, 1), 16, 4) == [1, 4, 16, 64]
    assert positions((0.05, 0.95, 0.05), 0.3, 4) == [0.05, 0.15, 0.3, 0.95]
    values = positions((10, 2000, 10), 100, 4)
    assert values[0] == 10 and values[-1] == 2000 and 100 in values
    assert all(v % 10 == 0 for v in values)
    assert positions(["a", "b", "c"], "b", 2) == ["a", "b", "c"]
    assert positions(list("abcdefghij"), "e", 4) == ["a", "e", "g", "j"]
    with pytest.raises(ValueError, match="count"):
        positions((0, 1, 0.1), 0.5, 1)


def test_grid_one_image_per_combination_last_varies_fastest() -> None:
    from r1lib.viz.static import static_grid

    @styled
    def _two(slope: float = 1.0, offset: float = 0.0):
        figure, axis = new_figure()
        axis.plot([0, 1], [offset, offset + slope])
        axis.set_title(f"{slope} {offset}")
        return figure

    grid = static_grid(
        _two,
        {"slope": [1.0, 2.0], "offset": [0.0, 1.0, 2.0]},
        defaults={"slope": 2.0, "offset": 1.0},
    )
    assert len(grid.images) == 6 and len(set(grid.images)) == 6
    markup = grid._repr_html_()
    assert grid.images[1 * 3 + 1] in markup.split("<script")[0]
    assert markup.count('type="range"') == 2 and '"strides": [3, 1]' in markup
    with pytest.raises(ValueError, match="default of offset"):
        static_grid(_two, {"offset": [0.0]}, defaults={"offset": 5.0})
    with pytest.raises(ValueError, match="grid"):
        static_grid(_two, {})
