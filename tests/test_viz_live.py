"""``live`` builds each widget from the callback's ``SLIDERS`` entry and its defaults."""

from __future__ import annotations

import inspect
import sys
import types
from typing import Any

import ipywidgets
import pytest

from r1lib.viz import slider_callbacks
from r1lib.viz.live import live

STYLE = {"description_width": "initial"}


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Capture what ``live`` hands to ``ipywidgets.interact`` instead of displaying it."""
    captured: dict[str, Any] = {}

    def fake_interact(callback: Any, **controls: Any) -> Any:
        captured["callback"] = callback
        captured.update(controls)
        return callback

    monkeypatch.setattr(ipywidgets, "interact", fake_interact)
    return captured


@pytest.fixture
def lesson() -> Any:
    """A throwaway viz module with one declared callback and one undeclared one."""
    module = types.ModuleType("fake_lesson_viz")

    def figure(group_size=8, p=0.3, loss_type="grpo", vocab_size=1000, seed=0):
        return (group_size, p, loss_type, vocab_size, seed)

    def undeclared(x=1.0):
        return x

    for function in (figure, undeclared):
        function.__module__ = module.__name__
        setattr(module, function.__name__, function)
    module.SLIDERS = {
        "figure": {
            "group_size": (2, 64, 2),
            "p": (0.05, 0.95, 0.05),
            "loss_type": ["grpo", "dr_grpo", "dapo"],
            "vocab_size": [2, 1000, 32768],
        }
    }
    sys.modules[module.__name__] = module
    yield module
    del sys.modules[module.__name__]


def test_widgets_follow_the_declared_ranges_and_defaults(lesson: Any, shown: Any) -> None:
    pinned = ipywidgets.fixed(0)
    assert live(lesson.figure, seed=pinned) is None
    assert shown["callback"] is lesson.figure and shown["seed"] is pinned
    assert set(shown) - {"callback"} == {"group_size", "p", "loss_type", "vocab_size", "seed"}

    group_size = shown["group_size"]
    assert type(group_size) is ipywidgets.IntSlider
    assert (group_size.min, group_size.max, group_size.step, group_size.value) == (2, 64, 2, 8)
    p = shown["p"]
    assert type(p) is ipywidgets.FloatSlider
    assert (p.min, p.max, p.step, p.value) == (0.05, 0.95, 0.05, 0.3)
    for slider in (group_size, p):
        assert slider.continuous_update is False
    loss_type = shown["loss_type"]
    assert type(loss_type) is ipywidgets.Dropdown
    assert list(loss_type.options) == ["grpo", "dr_grpo", "dapo"] and loss_type.value == "grpo"
    assert list(shown["vocab_size"].options) == [2, 1000, 32768]
    assert shown["vocab_size"].value == 1000
    for widget in (group_size, p, loss_type):
        assert widget.style.description_width == "initial"


def test_overrides_are_honoured(lesson: Any, shown: Any) -> None:
    ready = ipywidgets.FloatSlider(min=0.1, max=0.5, value=0.2)
    pinned = ipywidgets.fixed(3)
    live(
        lesson.figure,
        p=ready,
        seed=pinned,
        loss_type=ipywidgets.ToggleButtons,
        vocab_size=ipywidgets.SelectionSlider,
    )
    assert shown["p"] is ready and shown["seed"] is pinned
    toggle = shown["loss_type"]
    assert type(toggle) is ipywidgets.ToggleButtons
    assert list(toggle.options) == ["grpo", "dr_grpo", "dapo"] and toggle.value == "grpo"
    assert toggle.style.description_width == "initial"
    selection = shown["vocab_size"]
    assert type(selection) is ipywidgets.SelectionSlider
    assert list(selection.options) == [2, 1000, 32768] and selection.value == 1000
    assert selection.continuous_update is False
    assert type(shown["group_size"]) is ipywidgets.IntSlider  # the others are unchanged


def test_missing_entry_or_bad_override_raises(lesson: Any, shown: Any) -> None:
    with pytest.raises(ValueError, match="undeclared"):
        live(lesson.undeclared)
    with pytest.raises(ValueError, match="SLIDERS"):
        live(lambda: None)
    with pytest.raises(TypeError, match="callback"):
        live(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"figure\(seed\) has no range"):
        live(lesson.figure)  # seed: interact would invent a range for it
    with pytest.raises(ValueError, match="temperature"):
        live(lesson.figure, temperature=ipywidgets.fixed(1.0))
    with pytest.raises(ValueError, match="seed"):
        live(lesson.figure, seed=ipywidgets.IntSlider)
    with pytest.raises(TypeError, match="loss_type"):
        live(lesson.figure, seed=ipywidgets.fixed(0), loss_type=dict)
    assert not shown


@pytest.mark.parametrize(
    ("callback", "sliders"),
    [pytest.param(c, s, id=c.__name__) for c, s in slider_callbacks()],
)
def test_every_course_callback_gets_its_declared_widgets(
    callback: Any, sliders: dict[str, Any], shown: Any
) -> None:
    defaults = inspect.signature(callback).parameters
    pinned = {a: ipywidgets.fixed(p.default) for a, p in defaults.items() if a not in sliders}
    live(callback, **pinned)
    for argument, spec in sliders.items():
        widget = shown[argument]
        assert widget.value == defaults[argument].default
        if isinstance(spec, tuple):
            assert (widget.min, widget.max, widget.step) == pytest.approx(spec)
        else:
            assert list(widget.options) == list(spec)


def test_real_interact_runs_the_callback_and_returns_none() -> None:
    """Outside a kernel the real ``interact`` still runs the callback and returns nothing."""
    module = types.ModuleType("fake_lesson_real")

    def figure(k=3):
        module.calls.append(k)

    figure.__module__ = module.__name__
    module.figure, module.SLIDERS, module.calls = figure, {"figure": {"k": (1, 5, 1)}}, []
    sys.modules[module.__name__] = module
    try:
        assert live(module.figure) is None
    finally:
        del sys.modules[module.__name__]
    assert module.calls == [3]


def test_in_the_book_every_slider_gets_precomputed_figures(
    monkeypatch: pytest.MonkeyPatch, shown: Any
) -> None:
    # The book has no kernel: live() shows a grid of figures over a few positions of
    # each SLIDERS range, so every control of the page redraws its figure.
    from matplotlib.figure import Figure

    from r1lib.viz import static

    module = types.ModuleType("fake_book_viz")

    def curve(group_size=8, loss_type="grpo", seed=0):
        figure = Figure()
        figure.add_subplot().set_title(f"{group_size} {loss_type} {seed}")
        return figure

    curve.__module__ = module.__name__
    module.curve = curve
    module.SLIDERS = {"curve": {"group_size": (2, 64, 1), "loss_type": ["grpo", "dapo"]}}
    monkeypatch.setitem(sys.modules, module.__name__, module)
    displayed: list[Any] = []
    monkeypatch.setattr("IPython.display.display", displayed.append)
    monkeypatch.setenv("R1COURSE_BOOK", "1")

    assert live(curve, seed=ipywidgets.fixed(3)) is None
    assert not shown, "no ipywidgets in the book"
    (grid,) = displayed
    assert isinstance(grid, static.StaticSlider)
    assert grid.values == {"group_size": [2, 8, 32, 64], "loss_type": ["grpo", "dapo"]}
    assert len(grid.images) == 8 and len(set(grid.images)) == 8
    markup = grid._repr_html_()
    assert markup.count('type="range"') == 1 and markup.count("<select") == 1
    # the figure shown first is the default one (group_size=8 is the second of four)
    assert grid.images[1 * 2 + 0] in markup.split("<script")[0]


def test_every_course_callback_has_a_book_grid_with_its_default() -> None:
    from r1lib.viz.static import POSITIONS, positions

    for callback, sliders in slider_callbacks():
        parameters = inspect.signature(callback).parameters
        count = POSITIONS.get(len(sliders), 2)
        total = 1
        for argument, spec in sliders.items():
            default = parameters[argument].default
            values = positions(spec, default, count)
            assert default in values, f"{callback.__name__}({argument}): {values}"
            assert len(values) >= 2
            total *= len(values)
        # page weight: one PNG per combination
        assert total <= 32, f"{callback.__name__}: {total} precomputed figures"
