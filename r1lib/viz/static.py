"""Sliders that work without a kernel: figures precomputed over a slider's values.

The rendered book has no Python kernel, so an ``ipywidgets`` slider there can show
its state but cannot redraw. For the headline sliders (group size G, temperature T,
k) :func:`static_slider` renders the figure at each value once, embeds the PNGs in
one self-contained HTML block, and swaps them with a few lines of JavaScript: no
CDN, no kernel, works in the book and in JupyterLab alike (the slider keeps its arrow
keys, which JupyterLab would otherwise take for moving between cells).
"""

from __future__ import annotations

import base64
import html
import io
import json
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from matplotlib.figure import Figure

__all__ = ["StaticSlider", "static_slider"]


class StaticSlider:
    """Displayable HTML of a precomputed slider (Jupyter calls ``_repr_html_``)."""

    def __init__(self, markup: str, values: list[Any], images: list[str]) -> None:
        self.markup = markup
        self.values = values
        self.images = images

    def _repr_html_(self) -> str:
        return self.markup


def _png_data_url(figure: Figure, dpi: int) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def static_slider(
    callback: Callable[..., Figure],
    parameter: str,
    values: Sequence[Any],
    *,
    default: Any = None,
    label: str | None = None,
    dpi: int = 80,
    **fixed: Any,
) -> StaticSlider:
    """Precompute ``callback(**{parameter: v}, **fixed)`` for each ``v`` in ``values``.

    Parameters
    ----------
    callback
        A figure function from ``r1lib.viz`` (returns a matplotlib ``Figure``).
    parameter
        The keyword argument the slider moves.
    values
        The slider's positions, in order (keep it short: every value is one PNG).
    default
        The initially shown value (must be in ``values``; the first one if ``None``).
    label
        Text before the value (defaults to ``parameter``).
    dpi
        Resolution of the embedded images.
    **fixed
        Other keyword arguments passed unchanged to every call.
    """
    values = list(values)
    if not values:
        raise ValueError("values must not be empty")
    if default is None:
        default = values[0]
    if default not in values:
        raise ValueError(f"default must be one of values {values}; got {default!r}")
    images = []
    for value in values:
        figure = callback(**{parameter: value}, **fixed)
        if not isinstance(figure, Figure):
            raise TypeError(
                f"callback must return a matplotlib Figure; got {type(figure).__name__}"
            )
        images.append(_png_data_url(figure, dpi))
    start = values.index(default)
    uid = "r1-slider-" + uuid.uuid4().hex[:10]
    text = html.escape(label or parameter)
    shown = [html.escape(str(v)) for v in values]
    markup = f"""<div class="r1-static-slider" id="{uid}" data-parameter="{html.escape(parameter)}">
<label style="display:flex;gap:0.75em;align-items:center;font-family:sans-serif">
<span>{text} = <output>{shown[start]}</output></span>
<input type="range" min="0" max="{len(values) - 1}" step="1" value="{start}"
 aria-label="{text}" style="flex:1;max-width:24em">
</label>
<img alt="figure for {text} = {shown[start]}" src="{images[start]}" style="max-width:100%">
<script type="application/json">{json.dumps({"labels": shown, "images": images})}</script>
<script>
(function () {{
  var root = document.getElementById("{uid}");
  var data = JSON.parse(root.querySelector('script[type="application/json"]').textContent);
  var input = root.querySelector("input"), out = root.querySelector("output");
  var img = root.querySelector("img");
  // JupyterLab binds the arrow keys to cell navigation while a notebook is in command
  // mode (a range input does not count as editable there), so it would take the
  // learner's arrow presses away from the slider: keep them on the slider.
  input.addEventListener("keydown", function (event) {{
    if (/^(Arrow|Page|Home$|End$)/.test(event.key)) {{ event.stopPropagation(); }}
  }});
  input.addEventListener("input", function () {{
    var i = Number(input.value);
    img.src = data.images[i];
    out.textContent = data.labels[i];
    img.alt = "figure for {text} = " + data.labels[i];
  }});
}})();
</script>
</div>"""
    return StaticSlider(markup, values, images)
