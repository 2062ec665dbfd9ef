"""Sliders that work without a kernel: figures precomputed over a slider's values.

The rendered book has no Python kernel, so an ``ipywidgets`` slider there can show
its state but cannot redraw. :func:`static_grid` renders a figure at every
combination of a few positions of each slider once, embeds the PNGs in one
self-contained HTML block, and swaps them with a few lines of JavaScript: no CDN, no
kernel, works in the book and in JupyterLab alike (each control keeps its arrow keys,
which JupyterLab would otherwise take for moving between cells).
:func:`static_slider` is the one-slider case.

In the book every ``live(callback)`` of a lesson becomes such a grid
(:func:`r1lib.viz.live.live` calls :func:`static_live` when the book is built), with
the positions :func:`positions` picks from the callback's ``SLIDERS`` entry: a
handful per slider, the default always among them, so that every control on the
website redraws its figure.
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import json
import math
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from matplotlib.figure import Figure
from PIL import Image

__all__ = ["StaticSlider", "positions", "static_grid", "static_live", "static_slider"]

# Positions per slider in a book grid, by the number of sliders of the callback: the
# figures grow as the product, so more sliders get fewer positions each.
POSITIONS = {1: 7, 2: 4, 3: 3}
# Geometric spacing for a positive range spanning more than this factor (G = 2 ... 64).
GEOMETRIC = 16


class StaticSlider:
    """Displayable HTML of precomputed sliders (Jupyter calls ``_repr_html_``).

    ``values`` holds the positions of each slider and ``images`` one PNG data URL per
    combination, the last slider varying fastest.
    """

    def __init__(
        self, markup: str, values: list[Any] | dict[str, list[Any]], images: list[str]
    ) -> None:
        self.markup = markup
        self.values = values
        self.images = images

    def _repr_html_(self) -> str:
        return self.markup


def _png_data_url(figure: Figure, dpi: int) -> str:
    """The figure as a PNG data URL, reduced to a 256-colour palette.

    Line plots on white hold few colours, so the palette image looks the same and is
    three to four times smaller; the book embeds many of them.
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    small = io.BytesIO()
    image.quantize(256, method=Image.Quantize.FASTOCTREE).save(small, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(small.getvalue()).decode("ascii")


def _decimals(step: float) -> int:
    text = f"{step:.10f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def positions(spec: tuple[Any, Any, Any] | Sequence[Any], default: Any, count: int) -> list[Any]:
    """About ``count`` positions of a ``SLIDERS`` range, its ends and ``default`` included.

    A ``(min, max, step)`` range gives evenly spaced values on its step grid, or
    geometrically spaced ones when ``0 < min`` and ``max / min > 16`` (powers of two
    when both ends are, so a group size from 2 to 64 gives 2, 4, 8, ..., 64); the value
    nearest the default is replaced by the default. A list of choices gives all of them
    when there are at most ``count + 2``, else ``count`` of them spread over the list
    (the default among them).
    """
    if count < 2:
        raise ValueError(f"count must be at least 2; got {count}")
    if not isinstance(spec, tuple):
        choices = list(spec)
        if len(choices) <= count + 2:
            return choices
        picked = {round(i * (len(choices) - 1) / (count - 1)) for i in range(count)}
        if default in choices:
            index = choices.index(default)
            if index not in picked:
                picked.remove(
                    min(picked, key=lambda i: (abs(i - index), i in (0, len(choices) - 1)))
                )
                picked.add(index)
        return [choices[i] for i in sorted(picked)]
    low, high, step = spec
    whole = isinstance(low, int) and isinstance(step, int)
    doublings = math.log2(high / low) if low > 0 else 0.0
    if whole and doublings.is_integer() and low & (low - 1) == 0 and doublings >= 2:
        # powers of two (G = 2, 4, ..., 64; k = 1, 2, ..., 64), every other one if many
        every = math.ceil((doublings + 1) / count)
        raw = [low * 2**i for i in range(0, int(doublings) + 1, every)]
        raw += [high] if raw[-1] != high else []
    elif low > 0 and high / low > GEOMETRIC:
        raw = [low * (high / low) ** (i / (count - 1)) for i in range(count)]
    else:
        raw = [low + (high - low) * i / (count - 1) for i in range(count)]
    digits = _decimals(step)
    values: list[Any] = []
    for value in raw:
        snapped = low + round((value - low) / step) * step
        snapped = min(max(snapped, low), high)
        snapped = round(snapped) if whole else round(snapped, digits)
        if snapped not in values:
            values.append(snapped)
    if default is not None and default not in values and low <= default <= high:
        inner = [v for v in values if v not in (low, high)] or values
        nearest = min(inner, key=lambda v: abs(v - default))
        values[values.index(nearest)] = default
        values.sort()
    return values


def static_grid(
    callback: Callable[..., Figure],
    grid: Mapping[str, Sequence[Any]],
    *,
    defaults: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
    dpi: int = 100,
    **fixed: Any,
) -> StaticSlider:
    """Precompute ``callback(**combination, **fixed)`` for every combination of ``grid``.

    Parameters
    ----------
    callback
        A figure function from ``r1lib.viz`` (returns a matplotlib ``Figure``).
    grid
        Argument name -> its positions, in order. A numeric list becomes a range
        input, anything else a drop-down list. Keep it small: the page embeds one PNG
        per combination (the product of the lengths).
    defaults
        The initially shown value of each argument (must be among its positions; the
        first one if not given).
    labels
        Text before each value (defaults to the argument name).
    dpi
        Resolution of the embedded images.
    **fixed
        Other keyword arguments passed unchanged to every call.
    """
    if not grid:
        raise ValueError("grid must name at least one argument")
    defaults, labels = dict(defaults or {}), dict(labels or {})
    values = {name: list(options) for name, options in grid.items()}
    start = []
    for name, options in values.items():
        if not options:
            raise ValueError(f"grid[{name!r}] must not be empty")
        default = defaults.get(name, options[0])
        if default not in options:
            raise ValueError(f"default of {name} must be one of {options}; got {default!r}")
        start.append(options.index(default))
    images = []
    for combination in itertools.product(*values.values()):
        figure = callback(**dict(zip(values, combination, strict=True)), **fixed)
        if not isinstance(figure, Figure):
            raise TypeError(
                f"callback must return a matplotlib Figure; got {type(figure).__name__}"
            )
        images.append(_png_data_url(figure, dpi))
    markup = _markup(values, start, images, labels)
    return StaticSlider(markup, values, images)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _markup(
    values: dict[str, list[Any]], start: list[int], images: list[str], labels: dict[str, str]
) -> str:
    uid = "r1-slider-" + uuid.uuid4().hex[:10]
    sizes = [len(options) for options in values.values()]
    strides = [math.prod(sizes[i + 1 :]) for i in range(len(sizes))]
    first = sum(i * s for i, s in zip(start, strides, strict=True))
    controls, shown_all = [], []
    for (name, options), index in zip(values.items(), start, strict=True):
        text = html.escape(labels.get(name, name))
        shown = [html.escape(str(v)) for v in options]
        shown_all.append(shown)
        if all(_is_number(v) for v in options):
            control = (
                f'<input type="range" min="0" max="{len(options) - 1}" step="1" '
                f'value="{index}" aria-label="{text}" style="flex:1;max-width:24em">'
            )
        else:
            items = "".join(
                f'<option value="{i}"{" selected" if i == index else ""}>{label}</option>'
                for i, label in enumerate(shown)
            )
            control = f'<select aria-label="{text}">{items}</select>'
        controls.append(
            f'<label data-parameter="{html.escape(name)}" style="display:flex;gap:0.75em;'
            f'align-items:center;font-family:sans-serif">'
            f"<span>{text} = <output>{shown[index]}</output></span>{control}</label>"
        )
    names = [html.escape(labels.get(n, n)) for n in values]
    alt = ", ".join(f"{n} = {s[i]}" for n, s, i in zip(names, shown_all, start, strict=True))
    payload = json.dumps(
        {"labels": shown_all, "names": names, "strides": strides, "images": images}
    )
    parameters = html.escape(",".join(values))
    return f"""<div class="r1-static-slider" id="{uid}" data-parameter="{parameters}">
{"".join(controls)}
<img alt="figure for {alt}" src="{images[first]}" style="max-width:100%">
<script type="application/json">{payload}</script>
<script>
(function () {{
  var root = document.getElementById("{uid}");
  var data = JSON.parse(root.querySelector('script[type="application/json"]').textContent);
  var controls = root.querySelectorAll("input, select");
  var outputs = root.querySelectorAll("output"), img = root.querySelector("img");
  function redraw() {{
    var index = 0, alt = [];
    controls.forEach(function (control, k) {{
      var i = Number(control.value);
      index += i * data.strides[k];
      outputs[k].textContent = data.labels[k][i];
      alt.push(data.names[k] + " = " + data.labels[k][i]);
    }});
    img.src = data.images[index];
    img.alt = "figure for " + alt.join(", ");
  }}
  controls.forEach(function (control) {{
    // JupyterLab binds the arrow keys to cell navigation while a notebook is in command
    // mode (a range input does not count as editable there), so it would take the
    // learner's arrow presses away from the slider: keep them on the control.
    control.addEventListener("keydown", function (event) {{
      if (/^(Arrow|Page|Home$|End$)/.test(event.key)) {{ event.stopPropagation(); }}
    }});
    control.addEventListener("input", redraw);
    control.addEventListener("change", redraw);
  }});
}})();
</script>
</div>"""


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
    slider = static_grid(
        callback,
        {parameter: values},
        defaults={parameter: default},
        labels={parameter: label or parameter},
        dpi=dpi,
        **fixed,
    )
    slider.values = values
    return slider


def static_live(
    callback: Callable[..., Figure],
    sliders: Mapping[str, Any],
    defaults: Mapping[str, Any],
    fixed: Mapping[str, Any],
) -> StaticSlider:
    """The book's version of ``live(callback)``: a grid over a few positions of each
    ``SLIDERS`` range (:data:`POSITIONS` per slider, by how many there are)."""
    count = POSITIONS.get(len(sliders), 2)
    grid = {name: positions(spec, defaults[name], count) for name, spec in sliders.items()}
    return static_grid(callback, grid, defaults=defaults, **fixed)
