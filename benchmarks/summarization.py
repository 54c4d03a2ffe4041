"""Score the extractive summarizer with ROUGE-1/2/L, side by side with LEAD-k and sumy.

Data is read from ``../shared/evaldata/summarization`` at run time:

* English: the 250 CNN/DailyMail test articles (FRANK subset), 3 sentences; the
  PTB-tokenized reference highlights are detokenized first; ROUGE with stemming.
* Chinese: the 725 LCSTS test texts (human_label >= 3), 1 sentence; character-level ROUGE.

Every system uses the same sentence splitter (bilingual's), so the table compares
the ranking alone. sumy gets the project's tokenizer object (no NLTK data needed).

Usage::

    python benchmarks/summarization.py                  # both sets
    python benchmarks/summarization.py --set cnndm --limit 100
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from rouge_score import rouge_scorer
from sacremoses import MosesDetokenizer
from sumy.nlp.stemmers import Stemmer
from sumy.parsers.plaintext import PlaintextParser
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer

from bilingual.summarization.extractive import select
from bilingual.summarization.words import Tokenizer, stop_words
from bilingual.text.segment import split_sentences

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "evaldata" / "summarization"
_PTB = {"-lrb-": "(", "-rrb-": ")", "-lsb-": "[", "-rsb-": "]", "-lcb-": "{", "-rcb-": "}", "``": '"', "''": '"'}


def detokenize_ptb(text: str) -> str:
    tokens = [_PTB.get(t, t) for t in text.split()]
    return MosesDetokenizer(lang="en").detokenize(tokens)


class CharTokenizer:
    """rouge_score tokenizer for Chinese: one token per non-space, non-punctuation character."""

    def tokenize(self, text: str) -> list[str]:
        return [ch for ch in text if ch.isalnum()]


def load(data: Path, name: str, limit: int | None) -> list[tuple[str, str]]:
    if name == "cnndm":
        rows = [json.loads(x) for x in (data / "cnndm" / "cnndm_test_frank250.jsonl").read_text().splitlines()]
        pairs = [(r["article"], detokenize_ptb(r["reference"])) for r in rows]
    else:
        rows = [json.loads(x) for x in (data / "lcsts" / "lcsts_test725.jsonl").read_text().splitlines()]
        pairs = [(r["text"], r["summary"]) for r in rows]
    return pairs[:limit] if limit else pairs


def _sumy(algorithm, language: str):
    tokenizer = Tokenizer(language)
    summarizer = algorithm(Stemmer("english") if language == "en" else (lambda w: w))
    summarizer.stop_words = stop_words(language)

    def run(text: str, k: int) -> str:
        doc = PlaintextParser.from_string(text, tokenizer).document
        picked = summarizer(doc, k)
        return _join([str(s) for s in picked], language)

    return run


def _join(sentences: list[str], language: str) -> str:
    return (" " if language == "en" else "").join(sentences)


def systems(language: str) -> dict:
    def lead(text: str, k: int) -> str:
        return _join(split_sentences(text)[:k], language)

    def ours(text: str, k: int) -> str:
        sents = split_sentences(text)
        return _join([sents[i] for i in select(sents, k, language)], language)

    return {
        "LEAD": lead,
        "sumy TextRank": _sumy(TextRankSummarizer, language),
        "sumy LexRank": _sumy(LexRankSummarizer, language),
        "bilingual": ours,
    }


def score(pairs, system, k: int, language: str) -> dict[str, float]:
    """Mean F1 of ROUGE-1/2/L. English uses summary-level ROUGE-Lsum (sentences on lines), the
    figure CNN/DailyMail results report; Chinese is scored on characters."""
    lsum = "rougeLsum" if language == "en" else "rougeL"
    scorer = rouge_scorer.RougeScorer(
        ["rouge1", "rouge2", lsum],
        use_stemmer=language == "en",
        tokenizer=CharTokenizer() if language == "zh" else None,
    )
    results = []
    for text, ref in pairs:
        summary = system(text, k)
        if language == "en":
            summary, ref = "\n".join(split_sentences(summary)), "\n".join(split_sentences(ref))
        results.append(scorer.score(ref, summary))
    return {m: 100 * statistics.fmean(r[key].fmeasure for r in results) for m, key in
            (("rouge1", "rouge1"), ("rouge2", "rouge2"), ("rougeL", lsum))}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--set", choices=["cnndm", "lcsts", "both"], default="both")
    parser.add_argument("--limit", type=int, help="only the first N articles")
    parser.add_argument("--skip", type=int, default=0, help="leave out the first N articles (the tuning part)")
    args = parser.parse_args(argv)
    todo = [("cnndm", "en", 3), ("lcsts", "zh", 1)]
    header = f"{'set':<8}{'system':<16}{'ROUGE-1':>9}{'ROUGE-2':>9}{'ROUGE-L':>9}"
    print(header)
    print("-" * len(header))
    for name, language, k in todo:
        if args.set not in (name, "both"):
            continue
        pairs = load(args.data, name, args.limit)[args.skip :]
        for label, system in systems(language).items():
            label = f"LEAD-{k}" if label == "LEAD" else label
            r = score(pairs, system, k, language)
            print(f"{name:<8}{label:<16}{r['rouge1']:>9.2f}{r['rouge2']:>9.2f}{r['rougeL']:>9.2f}")


if __name__ == "__main__":
    main()
