"""Translation quality: BLEU and chrF with sacrebleu on a parallel test set.

``bilingual eval --direction zh-en --set flores200-devtest`` translates the set's
source side, scores the output against the reference, and writes ``hypothesis.txt``
and ``scores.json`` into the output folder. For Chinese output BLEU uses sacrebleu's
``zh`` tokenizer; spBLEU (``flores200`` tokenizer) is added for comparison with
published FLORES figures when sacrebleu has its SentencePiece model (it downloads it
once; offline it is reported as unavailable).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import BilingualError
from .translation.translator import Translator

CODES = {"zh": "zho_Hans", "en": "eng_Latn"}
SETS = ["flores200-dev", "flores200-devtest", "newstest2017", "newstest2018", "newstest2019", "newstest2020",
        "newstest2021"]


@dataclass(frozen=True)
class Scores:
    direction: str
    sentences: int
    bleu: float
    chrf: float
    spbleu: float | None
    bleu_signature: str
    seconds: float


def set_files(data: Path, name: str, source: str, target: str) -> tuple[Path, Path]:
    """Source and reference files of a named test set in the evaluation data folder."""
    if name.startswith("flores200-"):
        split = name.split("-", 1)[1]
        return (data / "flores200" / f"flores200.{split}.{CODES[source]}",
                data / "flores200" / f"flores200.{split}.{CODES[target]}")
    if name in ("newstest2017", "newstest2018"):  # one set for both directions
        return data / "wmt_newstest" / f"{name}.zh-en.{source}", data / "wmt_newstest" / f"{name}.zh-en.{target}"
    if name in SETS:
        pair = f"{source}-{target}"
        return data / "wmt_newstest" / f"{name}.{pair}.{source}", data / "wmt_newstest" / f"{name}.{pair}.{target}"
    raise BilingualError(f"Unknown test set {name!r}; choose one of: {', '.join(SETS)}, or pass --src and --ref.")


def _read(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise BilingualError(f"Cannot read {path}: {exc.strerror}. Check --data, --src and --ref.") from exc


def score(hypotheses: list[str], references: list[str], target: str) -> tuple[float, float, float | None, str]:
    import sacrebleu

    bleu = sacrebleu.metrics.BLEU(tokenize="zh" if target == "zh" else "13a")
    chrf = sacrebleu.metrics.CHRF()
    b = bleu.corpus_score(hypotheses, [references])
    c = chrf.corpus_score(hypotheses, [references])
    try:
        sp = sacrebleu.metrics.BLEU(tokenize="flores200").corpus_score(hypotheses, [references]).score
    except Exception:  # noqa: BLE001 - sacrebleu raises plain errors when it cannot fetch its SPM model
        sp = None
    return b.score, c.score, sp, str(bleu.get_signature())


def evaluate(translator: Translator, source_path: Path, reference_path: Path, source: str, target: str,
             out: Path, limit: int | None = None) -> Scores:
    """Translate ``source_path`` line by line, score against ``reference_path``, write the results to ``out``."""
    sources, references = _read(source_path), _read(reference_path)
    if len(sources) != len(references):
        raise BilingualError(f"{source_path} has {len(sources)} lines but {reference_path} has {len(references)}.")
    if limit:
        sources, references = sources[:limit], references[:limit]
    start = time.perf_counter()
    hypotheses = translator.translate(sources, target, source=source)
    seconds = time.perf_counter() - start
    bleu, chrf, spbleu, signature = score(hypotheses, references, target)
    result = Scores(f"{source}-{target}", len(sources), round(bleu, 2), round(chrf, 2),
                    None if spbleu is None else round(spbleu, 2), signature, round(seconds, 2))
    out.mkdir(parents=True, exist_ok=True)
    (out / "hypothesis.txt").write_text("\n".join(hypotheses) + "\n", encoding="utf-8")
    (out / "scores.json").write_text(json.dumps(asdict(result), indent=2) + "\n", encoding="utf-8")
    return result
