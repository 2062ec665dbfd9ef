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
