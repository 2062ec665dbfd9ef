"""Lesson 00 (welcome): DeepSeek-R1's headline numbers as data and one figure.

The DeepSeek-R1 paper exists in two versions whose numbers must not be mixed:

* **arXiv v1** (DeepSeek-AI, arXiv:2501.12948v1, January 2025): every score below.
  Table 2 compares R1-Zero with OpenAI-o1-0912, Table 4 compares R1 with
  OpenAI-o1-1217 (o1-1217's numbers are OpenAI's own reports, as the paper says),
  Table 5 lists the distilled models, Table 6 the RL-versus-distillation experiment.
* **Nature** (Guo et al., Nature 645, 633-638, 2025): the training settings in
  :data:`R1_ZERO_SETTINGS` (Methods, "Training details"). Its Fig. 1 plots R1-Zero's
  AIME accuracy during training as pass@1 and cons@16, not cons@64.

AIME is AIME 2024. For the DeepSeek models pass@1 is the mean accuracy over k sampled
answers per problem (temperature 0.6, top-p 0.95) and cons@64 the accuracy of a
majority vote over 64 samples. Scores are percentages.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from r1lib._validation import check_choice
from r1lib.viz.style import PALETTE, new_figure, styled

__all__ = [
    "AIME",
    "MATH500",
    "R1_OTHER",
    "R1_ZERO_SETTINGS",
    "SLIDERS",
    "SOURCE",
    "TABLE6",
    "headline_figure",
]

#: Where each model's scores come from (all arXiv:2501.12948v1).
SOURCE: dict[str, str] = {
    "DeepSeek-R1-Zero": "arXiv v1, Table 2",
    "OpenAI-o1-0912": "arXiv v1, Table 2",
    "DeepSeek-R1": "arXiv v1, Table 4",
    "OpenAI-o1-1217": "arXiv v1, Table 4 (OpenAI's reported numbers)",
    **{
        f"R1-Distill-{size}": "arXiv v1, Table 5"
        for size in ("Qwen-1.5B", "Qwen-7B", "Qwen-14B", "Qwen-32B", "Llama-8B", "Llama-70B")
    },
}

#: AIME 2024 scores: model -> (pass@1, cons@64). ``None``: not reported.
AIME: dict[str, tuple[float, float | None]] = {
    "DeepSeek-R1-Zero": (71.0, 86.7),
    "OpenAI-o1-0912": (74.4, 83.3),
    "DeepSeek-R1": (79.8, None),
    "OpenAI-o1-1217": (79.2, None),
    "R1-Distill-Qwen-1.5B": (28.9, 52.7),
    "R1-Distill-Qwen-7B": (55.5, 83.3),
    "R1-Distill-Qwen-14B": (69.7, 80.0),
    "R1-Distill-Qwen-32B": (72.6, 83.3),
    "R1-Distill-Llama-8B": (50.4, 80.0),
    "R1-Distill-Llama-70B": (70.0, 86.7),
}

#: MATH-500 pass@1 (percent).
MATH500: dict[str, float] = {
    "DeepSeek-R1-Zero": 95.9,
    "OpenAI-o1-0912": 94.8,
    "DeepSeek-R1": 97.3,
    "OpenAI-o1-1217": 96.4,
    "R1-Distill-Qwen-1.5B": 83.9,
    "R1-Distill-Qwen-7B": 92.8,
    "R1-Distill-Qwen-14B": 93.9,
    "R1-Distill-Qwen-32B": 94.3,
    "R1-Distill-Llama-8B": 89.1,
    "R1-Distill-Llama-70B": 94.5,
}

#: Other benchmarks: GPQA Diamond and LiveCodeBench pass@1 (percent), Codeforces rating.
#: R1-Zero and o1-0912 from Table 2, R1 and o1-1217 from Table 4 (arXiv v1).
R1_OTHER: dict[str, dict[str, float]] = {
    "DeepSeek-R1-Zero": {"GPQA": 73.3, "LiveCodeBench": 50.0, "Codeforces rating": 1444},
    "OpenAI-o1-0912": {"GPQA": 77.3, "LiveCodeBench": 63.4, "Codeforces rating": 1843},
    "DeepSeek-R1": {"GPQA": 71.5, "LiveCodeBench": 65.9, "Codeforces rating": 2029},
    "OpenAI-o1-1217": {"GPQA": 75.7, "LiveCodeBench": 63.4, "Codeforces rating": 2061},
}

#: R1-Zero's RL run as the Nature version reports it (Methods, "Training details of
#: DeepSeek-R1-Zero"); arXiv v1 does not give these settings.
R1_ZERO_SETTINGS: dict[str, float | int] = {
    "learning rate": 3e-6,
    "KL coefficient beta": 0.001,
    "sampling temperature": 1.0,
    "answers per question G": 16,
    "questions per step": 32,
    "training steps": 10_400,
    "reference model reset every (steps)": 400,
    "outputs per rollout": 8_192,
    "mini-batches per rollout": 16,
}

#: arXiv v1's Table 6: the same 32B base model, RL alone versus distillation from R1.
#: model -> (AIME pass@1, AIME cons@64, MATH-500 pass@1).
TABLE6: dict[str, tuple[float, float, float]] = {
    "R1-Zero-Qwen-32B (RL, 10k steps)": (47.0, 60.0, 91.6),
    "R1-Distill-Qwen-32B": (72.6, 83.3, 94.3),
}

_GROUPS = {
    "reasoning models": ["DeepSeek-R1-Zero", "OpenAI-o1-0912", "DeepSeek-R1", "OpenAI-o1-1217"],
    "distilled models": [name for name in AIME if name.startswith("R1-Distill")],
    "all": list(AIME),
}

SLIDERS = {"headline_figure": {"models": list(_GROUPS)}}

#: The figure's short label of each model.
_SHORT = {
    name: name.replace("R1-Distill-", "Distill ").replace("DeepSeek-", "").replace("OpenAI-", "")
    for name in AIME
}


@styled
def headline_figure(models: str = "all") -> Figure:
    """Bar chart of AIME 2024 pass@1 next to cons@64 (majority vote over 64 samples).

    Scores from arXiv:2501.12948v1 (Tables 2, 4 and 5; see :data:`SOURCE`).

    Parameters
    ----------
    models
        ``"reasoning models"`` (R1-Zero and o1-0912 of Table 2, R1 and o1-1217 of
        Table 4), ``"distilled models"`` or ``"all"``.
    """
    names = _GROUPS[check_choice(models, "models", _GROUPS)]
    figure, axis = new_figure(width=max(4.5, 1.05 * len(names) + 1.5), height=4.2)
    width = 0.38
    for i, name in enumerate(names):
        pass1, cons = AIME[name]
        axis.bar(
            i - width / 2, pass1, width, color=PALETTE["blue"], label="pass@1" if i == 0 else None
        )
        axis.text(i - width / 2, pass1 + 1, f"{pass1:.1f}", ha="center", fontsize=8)
        if cons is None:
            axis.text(
                i + width / 2, 3, "not\nreported", ha="center", fontsize=7, color=PALETTE["black"]
            )
        else:
            axis.bar(
                i + width / 2,
                cons,
                width,
                color=PALETTE["orange"],
                label="cons@64" if i == 0 else None,
            )
            axis.text(i + width / 2, cons + 1, f"{cons:.1f}", ha="center", fontsize=8)
    axis.set_xticks(range(len(names)))
    axis.set_xticklabels([_SHORT[n] for n in names], rotation=30, ha="right")
    axis.set_ylim(0, 100)
    axis.set_ylabel("AIME 2024 accuracy (%)")
    axis.annotate(
        "arXiv:2501.12948v1, Tables 2, 4, 5",
        (0.99, 0.99),
        xycoords="axes fraction",
        ha="right",
        va="top",
        fontsize=7,
        color=PALETTE["black"],
    )
    axis.set_title("A majority vote over 64 samples beats a single sample")
    axis.legend(loc="upper left", ncols=2)
    axis.grid(axis="x", visible=False)
    return figure
