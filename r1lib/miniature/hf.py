"""The miniature GPT as a Hugging Face ``transformers`` model, and back.

The numpy :class:`~r1lib.miniature.model.GPT` has GPT-2's architecture (Radford et al.
2019): token and position embeddings, pre-LayerNorm blocks of causal multi-head
attention and a GELU MLP (tanh form), a final LayerNorm with variance epsilon
``1e-5``. The one difference from GPT-2 is the output head, which is a matrix of its
own rather than the token embedding. So every miniature maps onto
``transformers.GPT2LMHeadModel`` with

* ``tie_word_embeddings=False`` (the untied head becomes ``lm_head.weight``, its
  transpose, since ``torch.nn.Linear`` stores ``(out, in)``);
* ``activation_function="gelu_new"``: ``x/2 (1 + tanh(sqrt(2/pi)(x + 0.044715 x^3)))``,
  the same formula as :func:`r1lib.miniature.model.gelu`;
* ``layer_norm_epsilon=1e-5`` and no dropout;
* ``n_positions = block_size``, ``n_inner = 4 n_embd``.

GPT-2's ``Conv1D`` layers compute ``x W + b`` with ``W`` stored ``(in, out)``, as the
numpy model does, and split the fused ``c_attn`` output into query, key and value of
``n_embd`` columns each, then each of those into ``n_head`` heads: the numpy model's
``w_qkv`` layout. Those weights are copied as they are.

The tokenizer is a ``tokenizers`` ``WordLevel`` model over the task's own words, one
per token id (:attr:`~r1lib.miniature.task.Task.vocabulary`: ``_`` for ``PAD``, ``^``
for ``BOS``, ``=`` for ``ANS``, ``!`` for ``WAIT``, ``.`` for ``EOS``, letters for the
buttons, ``-`` for the blank button, numbers for the values), split on whitespace,
wrapped as ``PreTrainedTokenizerFast``. ``BOS``, ``EOS`` and ``PAD`` are its special
tokens; a prompt's text starts with ``^`` itself, so encoding adds nothing.

:func:`export` writes both with ``save_pretrained`` into one folder, which
``AutoModelForCausalLM.from_pretrained`` and ``AutoTokenizer.from_pretrained`` load;
``python -m r1lib.miniature export DIR`` does it for the shipped bases.

This module needs the ``production`` extra (``pip install "r1lib[production]"``:
torch, transformers, TRL, accelerate, datasets). It imports them only when a
function runs, so ``import r1lib.miniature.hf`` works without them and a call says
what to install.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import numpy as np

from r1lib._validation import check_choice
from r1lib.miniature.model import GPT, LN_EPS, GPTConfig
from r1lib.miniature.task import BOS, EOS, PAD, Task

__all__ = [
    "EXTRA_MESSAGE",
    "export",
    "export_command",
    "from_transformers",
    "load",
    "logits",
    "max_logit_difference",
    "parameter_names",
    "quiet",
    "require",
    "to_transformers",
    "tokenizer_for",
    "vocabulary",
]

#: what a learner without the extra is told
EXTRA_MESSAGE = (
    "needs the production extra (torch, transformers, trl, accelerate, datasets) on "
    "Python 3.11 or newer (TRL 1.16 needs it): "
    'run `pip install -e ".[production]"` in the course folder (make setup does), '
    "or see the README's section 'The production extra' for a CPU or CUDA build of torch"
)


def require(module: str) -> Any:
    """Import ``module`` (torch, transformers, ...) or raise an ImportError saying how."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"{module} is not installed: r1lib.miniature.hf {EXTRA_MESSAGE}"
        ) from error


def quiet() -> None:
    """Silence the production libraries' own output in this process.

    transformers' and TRL's log messages below errors, transformers' progress bars
    (loading weights, writing shards) and the ``FutureWarning`` s transformers raises
    about names TRL still uses. For lessons and scripts that print the numbers they
    report themselves; errors still show.
    """
    import logging
    import warnings

    transformers = require("transformers")
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    logging.getLogger("trl").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=FutureWarning, module="transformers")


def _check_pair(model: object, task: object) -> tuple[GPT, Task]:
    if not isinstance(model, GPT):
        raise TypeError(f"model must be a miniature GPT; got {type(model).__name__}")
    if not isinstance(task, Task):
        raise TypeError(f"task must be a Task; got {type(task).__name__}")
    if model.config.vocab_size != task.vocab_size:
        raise ValueError(
            f"model has vocab_size {model.config.vocab_size} but task has {task.vocab_size} "
            "tokens: the model was not made for this task"
        )
    if model.config.block_size < task.block_size:
        raise ValueError(
            f"model has block_size {model.config.block_size} but the task's prompt and "
            f"completion need {task.block_size} positions: the model was not made for this task"
        )
    return model, task


# --------------------------------------------------------------------------- tokenizer


def vocabulary(task: Task) -> dict[str, int]:
    """``{word: token id}``: the inverse of ``task.vocabulary``, the list of token words.

    Raises ``ValueError`` if two ids share a word or a word holds whitespace (a
    word-level tokenizer could not tell them apart).
    """
    if not isinstance(task, Task):
        raise TypeError(f"task must be a Task; got {type(task).__name__}")
    words = task.vocabulary
    if len(words) != task.vocab_size:
        raise ValueError(f"task.vocabulary has {len(words)} words for {task.vocab_size} token ids")
    if len(set(words)) != len(words) or any(not w or len(w.split()) != 1 for w in words):
        raise ValueError(
            "task.vocabulary must hold distinct words without whitespace, one per token id"
        )
    return {word: token for token, word in enumerate(words)}


def tokenizer_for(task: Task) -> Any:
    """A ``PreTrainedTokenizerFast`` whose ids are the task's token ids.

    ``WordLevel`` over :func:`vocabulary`, whitespace pre-tokenizer, no post-processor
    (nothing is added when encoding), ``bos``/``eos``/``pad`` = the task's ``BOS``,
    ``EOS``, ``PAD`` words; an unknown word is an error rather than a silent token.
    """
    words = vocabulary(task)
    tokenizers = require("tokenizers")
    transformers = require("transformers")
    core = tokenizers.Tokenizer(tokenizers.models.WordLevel(vocab=words, unk_token=None))
    core.pre_tokenizer = tokenizers.pre_tokenizers.WhitespaceSplit()
    text = task.vocabulary
    return transformers.PreTrainedTokenizerFast(
        tokenizer_object=core,
        bos_token=text[BOS],
        eos_token=text[EOS],
        pad_token=text[PAD],
        model_max_length=task.block_size,
        padding_side="left",
        clean_up_tokenization_spaces=False,
    )


# --------------------------------------------------------------------------- weights


_BLOCK_NAMES = (
    ("ln1.w", "ln_1.weight"),
    ("ln1.b", "ln_1.bias"),
    ("attn.w_qkv", "attn.c_attn.weight"),
    ("attn.b_qkv", "attn.c_attn.bias"),
    ("attn.w_proj", "attn.c_proj.weight"),
    ("attn.b_proj", "attn.c_proj.bias"),
    ("ln2.w", "ln_2.weight"),
    ("ln2.b", "ln_2.bias"),
    ("mlp.w_fc", "mlp.c_fc.weight"),
    ("mlp.b_fc", "mlp.c_fc.bias"),
    ("mlp.w_proj", "mlp.c_proj.weight"),
    ("mlp.b_proj", "mlp.c_proj.bias"),
)


def parameter_names(n_layer: int) -> list[tuple[str, str]]:
    """``(numpy name, GPT-2 name)`` of every parameter, in the numpy model's order.

    ``head`` is ``lm_head.weight`` transposed; every other array is copied as it is.
    """
    pairs = [("wte", "transformer.wte.weight"), ("wpe", "transformer.wpe.weight")]
    for layer in range(n_layer):
        pairs += [
            (f"h{layer}.{ours}", f"transformer.h.{layer}.{theirs}") for ours, theirs in _BLOCK_NAMES
        ]
    pairs += [
        ("ln_f.w", "transformer.ln_f.weight"),
        ("ln_f.b", "transformer.ln_f.bias"),
        ("head", "lm_head.weight"),
    ]
    return pairs


def _hf_config(config: GPTConfig) -> Any:
    transformers = require("transformers")
    return transformers.GPT2Config(
        vocab_size=config.vocab_size,
        n_positions=config.block_size,
        n_embd=config.n_embd,
        n_layer=config.n_layer,
        n_head=config.n_head,
        n_inner=4 * config.n_embd,
        activation_function="gelu_new",
        layer_norm_epsilon=LN_EPS,
        resid_pdrop=0.0,
        embd_pdrop=0.0,
        attn_pdrop=0.0,
        scale_attn_weights=True,
        scale_attn_by_inverse_layer_idx=False,
        reorder_and_upcast_attn=False,
        tie_word_embeddings=False,
        use_cache=True,
        bos_token_id=BOS,
        eos_token_id=EOS,
        pad_token_id=PAD,
    )


def to_transformers(
    model: GPT, task: Task, *, attn_implementation: str = "eager"
) -> tuple[Any, Any]:
    """``(GPT2LMHeadModel, PreTrainedTokenizerFast)`` computing what ``model`` computes.

    The weights are copied (float32, or float64 for a float64 model); the two models
    share no memory. Generation defaults: the task's ``EOS`` stops a sample, ``PAD`` pads.

    Parameters
    ----------
    model
        Any miniature GPT whose vocabulary is ``task``'s.
    task
        Its task (the tokenizer's words and special tokens).
    attn_implementation
        ``"eager"`` (default: GPT-2's own attention code) or ``"sdpa"``.
    """
    model, task = _check_pair(model, task)
    check_choice(attn_implementation, "attn_implementation", ("eager", "sdpa"))
    torch = require("torch")
    transformers = require("transformers")
    dtype = torch.float64 if model.dtype == np.float64 else torch.float32
    config = _hf_config(model.config)
    config._attn_implementation = attn_implementation
    hf_model = transformers.GPT2LMHeadModel(config).to(dtype)
    state = {}
    for ours, theirs in parameter_names(model.config.n_layer):
        value = model.params[ours].T if ours == "head" else model.params[ours]
        state[theirs] = torch.from_numpy(np.array(value))  # a copy: no shared memory
    missing, unexpected = hf_model.load_state_dict(state, strict=False)
    # GPT-2 may keep non-persistent buffers (an attention bias mask); no weight is left out.
    if unexpected or [name for name in missing if not name.endswith(".attn.bias")]:
        raise RuntimeError(f"weights not mapped: missing {missing}, unexpected {unexpected}")
    hf_model.generation_config.bos_token_id = BOS
    hf_model.generation_config.eos_token_id = EOS
    hf_model.generation_config.pad_token_id = PAD
    hf_model.eval()
    return hf_model, tokenizer_for(task)


def from_transformers(hf_model: Any, *, dtype: Any = np.float32) -> GPT:
    """The numpy :class:`GPT` of a ``GPT2LMHeadModel`` that :func:`to_transformers` made.

    The inverse of :func:`to_transformers` (e.g. to evaluate a model TRL trained with
    :func:`r1lib.miniature.evaluation.evaluate`). It checks that the model has the
    miniature's architecture (untied head, ``gelu_new``, LayerNorm eps ``1e-5``, no
    bias on the head).
    """
    transformers = require("transformers")
    if not isinstance(hf_model, transformers.GPT2LMHeadModel):
        raise TypeError(f"hf_model must be a GPT2LMHeadModel; got {type(hf_model).__name__}")
    c = hf_model.config
    if c.tie_word_embeddings or c.activation_function not in ("gelu_new", "gelu_pytorch_tanh"):
        raise ValueError(
            "hf_model is not a miniature: it needs tie_word_embeddings=False and the tanh "
            f"GELU; got tie_word_embeddings={c.tie_word_embeddings}, "
            f"activation_function={c.activation_function!r}"
        )
    if c.layer_norm_epsilon != LN_EPS or c.n_inner not in (None, 4 * c.n_embd):
        raise ValueError(
            f"hf_model is not a miniature: layer_norm_epsilon must be {LN_EPS} and n_inner "
            f"4 * n_embd; got {c.layer_norm_epsilon} and {c.n_inner}"
        )
    config = GPTConfig(
        vocab_size=c.vocab_size,
        block_size=c.n_positions,
        n_layer=c.n_layer,
        n_head=c.n_head,
        n_embd=c.n_embd,
    )
    model = GPT(config, np.random.default_rng(0), dtype=dtype)
    state = {name: t.detach().cpu().numpy() for name, t in hf_model.state_dict().items()}
    for ours, theirs in parameter_names(config.n_layer):
        value = state[theirs].T if ours == "head" else state[theirs]
        if value.shape != model.params[ours].shape:
            raise ValueError(
                f"hf_model's {theirs} has shape {value.shape}; expected {model.params[ours].shape}"
            )
        model.params[ours] = value.astype(model.dtype)
    return model


# --------------------------------------------------------------------------- checkpoint


def export(model: GPT, task: Task, directory: str | Path) -> Path:
    """Write ``model`` and its tokenizer as a ``transformers`` checkpoint folder.

    ``save_pretrained`` of the model (``config.json``, ``model.safetensors``,
    ``generation_config.json``) and of the tokenizer (``tokenizer.json``,
    ``tokenizer_config.json``) into ``directory`` (created if needed), so that
    ``AutoModelForCausalLM.from_pretrained(directory)`` and
    ``AutoTokenizer.from_pretrained(directory)`` load them. Returns the folder.
    """
    if not isinstance(directory, str | Path):
        raise TypeError(f"directory must be a path; got {type(directory).__name__}")
    folder = Path(directory)
    hf_model, tokenizer = to_transformers(model, task)  # checks the pair
    folder.mkdir(parents=True, exist_ok=True)
    hf_model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def load(directory: str | Path) -> tuple[Any, Any]:
    """``(model, tokenizer)`` from a folder :func:`export` wrote, via the Auto classes."""
    transformers = require("transformers")
    folder = Path(directory)
    if not (folder / "config.json").is_file():
        raise FileNotFoundError(f"directory: {folder} holds no config.json (not a checkpoint)")
    model = transformers.AutoModelForCausalLM.from_pretrained(folder)
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
    model.eval()
    return model, tokenizer


def logits(hf_model: Any, tokens: np.ndarray) -> np.ndarray:
    """``hf_model``'s logits ``(B, T, V)`` on ``(B, T)`` token ids, as numpy, no gradient.

    A half-precision model's logits (bfloat16, float16) come back as float32, which holds
    them exactly (numpy has no bfloat16).
    """
    torch = require("torch")
    ids = torch.from_numpy(np.asarray(tokens, dtype=np.int64))
    with torch.no_grad():
        out = hf_model(input_ids=ids, attention_mask=torch.ones_like(ids)).logits
    if out.dtype in (torch.bfloat16, torch.float16):
        out = out.float()
    return np.asarray(out.cpu().numpy())


def max_logit_difference(model: GPT, checkpoint: Any, tokens: np.ndarray) -> float:
    """Largest ``|logit|`` difference between ``model`` and a transformers model.

    ``checkpoint`` is a ``GPT2LMHeadModel`` or a folder :func:`export` wrote.
    """
    hf_model = load(checkpoint)[0] if isinstance(checkpoint, str | Path) else checkpoint
    ours = model.forward(np.asarray(tokens))[0]
    return float(np.abs(logits(hf_model, tokens) - ours).max())


def export_command(argv: list[str]) -> int:
    """``python -m r1lib.miniature export DIR``: the shipped bases as checkpoint folders.

    Writes ``DIR/base`` (the teacher) and ``DIR/student_base`` with :func:`export`,
    checks that each loads back with ``AutoModelForCausalLM`` / ``AutoTokenizer`` and
    gives the numpy model's logits on a batch of held-out prompts, and prints the
    largest logit difference. Returns the exit code.
    """
    import argparse

    from r1lib.miniature.bases import DATA_DIR, load_bases

    parser = argparse.ArgumentParser(
        prog="python -m r1lib.miniature export",
        description="Write the shipped base models as transformers checkpoints "
        "(GPT2LMHeadModel + a word-level tokenizer) into DIR/base and DIR/student_base.",
    )
    parser.add_argument("directory", type=Path, metavar="DIR", help="output folder")
    parser.add_argument(
        "--data", type=Path, default=DATA_DIR, help="folder of base.npz and student_base.npz"
    )
    args = parser.parse_args(argv)
    task, teacher, student = load_bases(args.data)
    prompts = task.prompts(*task.sample_problems(256, np.random.default_rng(0), split="test"))
    for name, model in (("base", teacher), ("student_base", student)):
        folder = export(model, task, args.directory / name)
        difference = max_logit_difference(model, folder, prompts)
        print(
            f"wrote {folder}: {model.num_params()} parameters; largest logit difference "
            f"to the numpy model on {len(prompts)} held-out prompts: {difference:.1e}"
        )
    return 0
