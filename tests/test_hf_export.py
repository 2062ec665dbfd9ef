"""The miniature GPT as a transformers GPT2LMHeadModel: same logits, same tokens, a
checkpoint folder the Auto classes load, and the way back to numpy.

Float64 shows the mapping is exact (differences at rounding level, 1e-13); float32 is
held to 1e-5 on prompts, the contract of r1lib.miniature.hf."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from r1lib.miniature import hf  # noqa: E402
from r1lib.miniature.__main__ import main  # noqa: E402
from r1lib.miniature.bases import load_bases  # noqa: E402
from r1lib.miniature.evaluation import sample_completions  # noqa: E402
from r1lib.miniature.model import GPT, GPTConfig  # noqa: E402
from r1lib.miniature.task import ANS, BOS, EOS, PAD, Task  # noqa: E402

TASK, TEACHER, STUDENT = load_bases()
#: another task (other vocabulary, other lengths) and a randomly initialised GPT of
#: another shape for it: the export must not depend on the shipped sizes
OTHER_TASK = Task(num_values=11, min_steps=2, max_steps=4, num_ops=3, seed=5, max_corrections=1)
OTHER = GPT(
    GPTConfig(OTHER_TASK.vocab_size, OTHER_TASK.block_size, n_layer=3, n_head=2, n_embd=16),
    np.random.default_rng(3),
)
MODELS = {"teacher": (TEACHER, TASK), "student": (STUDENT, TASK), "other": (OTHER, OTHER_TASK)}


def _in_float64(model: GPT) -> GPT:
    wide = GPT(model.config, np.random.default_rng(0), dtype=np.float64)
    wide.params = {name: value.astype(np.float64) for name, value in model.params.items()}
    return wide


def _prompts(task: Task, n: int = 64, seed: int = 0) -> np.ndarray:
    return task.prompts(*task.sample_problems(n, np.random.default_rng(seed)))


def _sequences(model: GPT, task: Task, n: int = 64) -> np.ndarray:
    """Prompts and sampled completions (PAD after EOS): full-length token rows."""
    prompts = _prompts(task, n)
    completions = sample_completions(model, task, prompts, np.random.default_rng(1))
    return np.concatenate([prompts, completions], axis=1)


@pytest.mark.parametrize("name", MODELS)
def test_float64_logits_are_the_numpy_models(name: str) -> None:
    model, task = MODELS[name]
    wide = _in_float64(model)
    hf_model, _ = hf.to_transformers(wide, task)
    tokens = _sequences(model, task)
    assert hf.max_logit_difference(wide, hf_model, tokens) < 1e-10


@pytest.mark.parametrize("name", MODELS)
def test_float32_logits_within_1e_5_on_prompts(name: str) -> None:
    model, task = MODELS[name]
    hf_model, _ = hf.to_transformers(model, task)
    assert hf.max_logit_difference(model, hf_model, _prompts(task, 256)) <= 1e-5


@pytest.mark.parametrize("attn", ["eager", "sdpa"])
def test_float32_logits_on_whole_sequences(attn: str) -> None:
    # Over 33 positions float32 rounding grows: each implementation alone is about
    # 2e-5 from the float64 logits (of size 21) on this batch (measured: numpy 1.9e-5,
    # transformers 2.2e-5), so the two are compared with the scale of that error, not 1e-5.
    hf_model, _ = hf.to_transformers(TEACHER, TASK, attn_implementation=attn)
    tokens = _sequences(TEACHER, TASK)
    exact = _in_float64(TEACHER).forward(tokens)[0]
    own_error = np.abs(TEACHER.forward(tokens)[0] - exact).max()
    assert hf.max_logit_difference(TEACHER, hf_model, tokens) <= 3 * own_error


def test_greedy_generation_matches() -> None:
    hf_model, _ = hf.to_transformers(TEACHER, TASK)
    prompts = _prompts(TASK, 64, seed=2)
    ours = TEACHER.generate(
        prompts,
        TASK.max_completion_length,
        temperature=0.0,
        rng=np.random.default_rng(0),
        stop_token=EOS,
        pad_token=PAD,
    )
    ids = torch.from_numpy(prompts)
    with torch.no_grad():
        theirs = hf_model.generate(
            input_ids=ids,
            attention_mask=torch.ones_like(ids),
            do_sample=False,
            max_new_tokens=TASK.max_completion_length,
        ).numpy()
    # transformers stops when every row has ended; the numpy model pads to full width
    assert np.array_equal(theirs, ours[:, : theirs.shape[1]])
    assert np.all(ours[:, theirs.shape[1] :] == PAD)


@pytest.mark.parametrize("task", [TASK, OTHER_TASK], ids=["shipped", "other"])
def test_vocabulary_is_the_tasks_word_list(task: Task) -> None:
    words = hf.vocabulary(task)
    assert list(words) == task.vocabulary and list(words.values()) == list(range(task.vocab_size))
    blank = int(task.op_token(task.blank))
    assert task.vocabulary[blank] == "-" and words["-"] == blank  # the blank button is a word
    assert words[str(task.num_values - 1)] == task.vocab_size - 1


@pytest.mark.parametrize("name", ["teacher", "other"])
def test_tokenizer_round_trip(name: str) -> None:
    model, task = MODELS[name]
    tokenizer = hf.tokenizer_for(task)
    rng = np.random.default_rng(4)
    rows = np.concatenate(
        [_sequences(model, task, 16), rng.integers(0, task.vocab_size, size=(16, task.block_size))]
    )
    for row in rows:
        text = task.decode(row)
        assert tokenizer(text)["input_ids"] == row.tolist()  # nothing added: no BOS, no EOS
        assert tokenizer.decode(row.tolist()) == text
    assert (tokenizer.bos_token_id, tokenizer.eos_token_id, tokenizer.pad_token_id) == (
        BOS,
        EOS,
        PAD,
    )
    assert len(tokenizer) == task.vocab_size
    with pytest.raises(Exception, match=r"(?i)unk|unknown|none"):
        tokenizer("^ not-a-word")["input_ids"]


def test_skip_special_tokens_drops_eos_from_the_text() -> None:
    # The pitfall TRL's GRPOTrainer meets: it decodes completions with
    # skip_special_tokens=True, so the EOS that ends a well-formed answer is not in the
    # text a reward function reads (r1lib.trl_bridge scores the token ids instead).
    tokenizer = hf.tokenizer_for(TASK)
    completion = [ANS, int(TASK.value_token(7)), EOS]
    assert tokenizer.decode(completion) == "= 7 ."
    assert tokenizer.decode(completion, skip_special_tokens=True) == "= 7"


@pytest.mark.parametrize("name", MODELS)
def test_save_and_load_with_the_auto_classes(name: str, tmp_path: Path) -> None:
    model, task = MODELS[name]
    folder = hf.export(model, task, tmp_path / "checkpoint")
    loaded = transformers.AutoModelForCausalLM.from_pretrained(folder)
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
    assert isinstance(loaded, transformers.GPT2LMHeadModel)
    assert not loaded.config.tie_word_embeddings
    assert loaded.config.activation_function == "gelu_new"
    assert loaded.config.layer_norm_epsilon == 1e-5
    assert loaded.generation_config.eos_token_id == EOS
    tokens = _prompts(task, 32)
    saved = hf.to_transformers(model, task)[0].state_dict()
    assert loaded.state_dict().keys() == saved.keys()
    for key, value in loaded.state_dict().items():  # every weight, bit for bit
        assert torch.equal(value, saved[key]), key
    assert hf.max_logit_difference(model, folder, tokens) <= 1e-5
    assert tokenizer(task.decode(tokens[0]))["input_ids"] == tokens[0].tolist()
    assert tokenizer.eos_token_id == EOS


@pytest.mark.parametrize("name", MODELS)
def test_from_transformers_inverts_to_transformers(name: str) -> None:
    model, task = MODELS[name]
    back = hf.from_transformers(hf.to_transformers(model, task)[0])
    assert back.config == model.config
    assert list(back.params) == list(model.params)
    for key, value in model.params.items():
        assert back.params[key].dtype == value.dtype
        assert np.array_equal(back.params[key], value), key


def test_logits_of_a_bfloat16_copy() -> None:
    # A generation engine in bfloat16 (lesson 13): its logits come back as float32 numpy,
    # a rounding of the float32 model's.
    hf_model, _ = hf.to_transformers(TEACHER, TASK)
    half = hf.to_transformers(TEACHER, TASK)[0].to(torch.bfloat16)
    tokens = _prompts(TASK, 16)
    ours, theirs = hf.logits(hf_model, tokens), hf.logits(half, tokens)
    assert theirs.dtype == np.float32 and theirs.shape == ours.shape
    assert 0 < np.abs(theirs - ours).max() < 0.05 * np.abs(ours).max()


def test_the_copy_shares_no_memory() -> None:
    model = OTHER.copy()
    hf_model, _ = hf.to_transformers(model, OTHER_TASK)
    before = hf.logits(hf_model, _prompts(OTHER_TASK, 4))
    model.params["head"] += 1.0
    assert np.array_equal(hf.logits(hf_model, _prompts(OTHER_TASK, 4)), before)


def test_export_command_writes_both_bases(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["export", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for name in ("base", "student_base"):
        assert (tmp_path / name / "model.safetensors").is_file()
        assert (tmp_path / name / "tokenizer.json").is_file()
        assert f"wrote {tmp_path / name}" in out
    differences = [float(word.rstrip(":")) for word in out.split() if "e-0" in word]
    assert len(differences) == 2 and max(differences) <= 1e-5


def test_bad_input() -> None:
    with pytest.raises(TypeError, match="model must be a miniature GPT"):
        hf.to_transformers("base", TASK)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="task must be a Task"):
        hf.to_transformers(TEACHER, None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="vocab_size"):
        hf.to_transformers(OTHER, TASK)
    short = GPT(GPTConfig(TASK.vocab_size, TASK.block_size - 1, 1, 2, 8), np.random.default_rng(0))
    with pytest.raises(ValueError, match="block_size"):
        hf.to_transformers(short, TASK)
    with pytest.raises(TypeError, match="task must be a Task"):
        hf.vocabulary("task")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="attn_implementation"):
        hf.to_transformers(TEACHER, TASK, attn_implementation="flash")
    with pytest.raises(TypeError, match="GPT2LMHeadModel"):
        hf.from_transformers(TEACHER)
    with pytest.raises(FileNotFoundError, match=r"config\.json"):
        hf.load(Path("/nonexistent-checkpoint"))
    tied, _ = hf.to_transformers(TEACHER, TASK)
    tied.config.tie_word_embeddings = True
    with pytest.raises(ValueError, match="tie_word_embeddings"):
        hf.from_transformers(tied)


def test_quiet_silences_the_libraries_not_errors() -> None:
    import logging

    before = (transformers.logging.get_verbosity(), logging.getLogger("trl").level)
    try:
        hf.quiet()
        assert transformers.logging.get_verbosity() == transformers.logging.ERROR
        assert not transformers.utils.logging.is_progress_bar_enabled()
        assert logging.getLogger("trl").getEffectiveLevel() == logging.ERROR
    finally:
        transformers.logging.set_verbosity(before[0])
        transformers.logging.enable_progress_bar()
        logging.getLogger("trl").setLevel(before[1])


def test_missing_extra_says_what_to_install() -> None:
    with pytest.raises(ImportError, match=r"production extra.*pip install"):
        hf.require("a_module_that_is_not_installed")
