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
SETS = ["flores200-dev", "flores200-devtest", "ntrex128", "newstest2017", "newstest2018", "newstest2019",
        "newstest2020", "newstest2021"]
COMPARISON_SETS = ["flores200-devtest", "ntrex128", "newstest2020"]  # what `eval --engine A --engine B` runs


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
    if name == "ntrex128":  # English news sources with their Chinese references: en->zh only
        if (source, target) != ("en", "zh"):
            raise BilingualError("NTREX-128 is an English-to-Chinese test set; use it with --direction en-zh.")
        return data / "ntrex128" / "newstest2019-src.eng.txt", data / "ntrex128" / "newstest2019-ref.zho_Hans.txt"
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


@dataclass(frozen=True)
class Row:
    """One engine on one test set and direction, in the side-by-side table."""

    test_set: str
    direction: str
    engine: str
    sentences: int
    bleu: float
    chrf: float
    comet: float | None
    sentences_per_second: float
    peak_rss_mb: float


def compare(translators: dict[str, Translator], sets: list[str], directions: list[str], data: Path, out: Path,
            limit: int | None = None) -> list[Row]:
    """Every engine on the same sentences of every set and direction (those a set has), scored alike.

    Peak memory is the process's peak resident size after the engine's run (engines run in the
    order given, so a later engine's figure includes the earlier ones' models when they stay loaded).
    """
    import resource

    rows = []
    for name in sets:
        for direction in directions:
            source, target = direction.split("-")
            try:
                src, ref = set_files(data, name, source, target)
            except BilingualError:
                continue  # a set without this direction (NTREX-128 is en->zh)
            if not src.is_file():
                raise BilingualError(f"The test set {name} is not in {data}: {src.name} is missing. Check --data.")
            for engine, translator in translators.items():
                folder = out / name / direction / engine
                scores = evaluate(translator, src, ref, source, target, folder, limit=limit)
                comet = comet_score(src, folder / "hypothesis.txt", ref, scores.sentences)
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                rows.append(Row(name, direction, engine, scores.sentences, scores.bleu, scores.chrf, comet,
                                round(scores.sentences / max(scores.seconds, 1e-9), 2), round(peak, 1)))
    (out / "comparison.json").write_text(json.dumps([asdict(r) for r in rows], indent=2) + "\n", encoding="utf-8")
    return rows


def comet_score(sources: Path, hypotheses: Path, references: Path, count: int) -> float | None:
    """COMET (wmt22-comet-da) of the first ``count`` lines, when the optional ``unbabel-comet`` package and
    its weights are on this machine (the files are read only then)."""
    try:
        from comet import download_model, load_from_checkpoint
    except ImportError:
        return None
    try:
        model = load_from_checkpoint(download_model("Unbabel/wmt22-comet-da"))
    except Exception:  # noqa: BLE001 - no weights offline: the column says n/a
        return None
    data = [{"src": s, "mt": h, "ref": r}
            for s, h, r in zip(_read(sources)[:count], _read(hypotheses), _read(references)[:count])]
    return round(100 * model.predict(data, batch_size=16, gpus=0, progress_bar=False).system_score, 2)


def table(rows: list[Row]) -> str:
    """The comparison as a Markdown table."""
    lines = ["| test set | direction | engine | sentences | BLEU | chrF | COMET | sentences/s | peak RSS MB |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        comet = "n/a" if r.comet is None else f"{r.comet:.2f}"
        lines.append(f"| {r.test_set} | {r.direction} | {r.engine} | {r.sentences} | {r.bleu:.2f} | {r.chrf:.2f} | "
                     f"{comet} | {r.sentences_per_second:.2f} | {r.peak_rss_mb:.0f} |")
    return "\n".join(lines) + "\n"
