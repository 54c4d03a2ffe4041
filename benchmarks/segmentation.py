"""Measure the sentence splitter against reference segments, side by side with pysbd.

Articles are rebuilt from public test sets read from ``../shared/evaldata`` at run
time (nothing is copied into the repository):

* FLORES-200 (dev or devtest): consecutive lines with the same URL in
  ``metadata_*.tsv`` form one article; its sentences are joined with a space
  (English) or nothing (Chinese) into one paragraph.
* WMT24 en-zh, news documents: consecutive paragraphs with the same document
  id, joined the same way into one paragraph.

For each splitter it reports, on whitespace-free character offsets:

* boundary recall: the share of reference segment boundaries the splitter finds,
  over all boundaries and over the "reachable" ones (the reference segment ends
  with sentence-final punctuation; a headline without a full stop cannot be found
  by any punctuation-based splitter once it is run together with the next line);
* splits inside: predicted boundaries that fall strictly inside a reference segment.

Usage::

    python benchmarks/segmentation.py --split dev          # tune here
    python benchmarks/segmentation.py --split devtest      # report here (+ WMT24)
    python benchmarks/segmentation.py --split dev --show 20  # print splits inside segments
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pysbd

from bilingual import split_sentences

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "evaldata"
_TERMINAL = re.compile(r"[.!?。！？…;；][\"'”’」』）)\]】》]*\s*$")


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def flores_articles(data: Path, split: str, lang: str) -> list[list[str]]:
    code = {"en": "eng_Latn", "zh": "zho_Hans"}[lang]
    lines = (data / "flores200" / f"flores200.{split}.{code}").read_text(encoding="utf-8").splitlines()
    urls = [row.split("\t")[0] for row in (data / "flores200" / f"metadata_{split}.tsv").read_text().splitlines()[1:]]
    return _group(lines, urls)


def wmt24_articles(data: Path, lang: str) -> list[list[str]]:
    base = data / "wmt_general"
    lines = (base / f"wmttest2024.en-zh.{lang}").read_text(encoding="utf-8").splitlines()
    meta = [json.loads(row) for row in (base / "wmttest2024.en-zh.metadata.jsonl").read_text().splitlines()]
    keep = [(line, m["docid"]) for line, m in zip(lines, meta) if m["domain"] == "news"]
    return _group([line for line, _ in keep], [doc for _, doc in keep])


def _group(lines: list[str], keys: list[str]) -> list[list[str]]:
    articles: list[list[str]] = []
    last = None
    for line, key in zip(lines, keys):
        if key != last:
            articles.append([])
            last = key
        articles[-1].append(line.strip())
    return articles


def _boundaries(pieces: list[str]) -> list[int]:
    out, pos = [], 0
    for piece in pieces[:-1]:
        pos += len(_squeeze(piece))
        out.append(pos)
    return out


def evaluate(articles: list[list[str]], lang: str, splitter: Callable[[str], list[str]], show: int = 0) -> dict:
    joiner = " " if lang == "en" else ""
    found = total = reach_found = reach_total = inside = 0
    shown = 0
    for segments in articles:
        text = joiner.join(segments)
        pieces = splitter(text)
        if _squeeze("".join(pieces)) != _squeeze(text):
            raise SystemExit(f"splitter lost or changed characters in: {text[:80]!r}")
        predicted = set(_boundaries(pieces))
        reference = _boundaries(segments)
        for seg, b in zip(segments, reference):
            hit = b in predicted
            found += hit
            total += 1
            if _TERMINAL.search(seg):
                reach_found += hit
                reach_total += 1
        ends = [0, *reference, len(_squeeze(text))]
        for lo, hi, seg in zip(ends, ends[1:], segments):
            cuts = [p for p in predicted if lo < p < hi]
            inside += len(cuts)
            if cuts and shown < show:
                shown += 1
                flat = _squeeze(seg)
                marks = "".join(("|" if lo + i in cuts else "") + ch for i, ch in enumerate(flat))
                print(f"  inside: {marks}", file=sys.stderr)
    return {
        "recall": found / total if total else 1.0,
        "reachable_recall": reach_found / reach_total if reach_total else 1.0,
        "boundaries": total,
        "splits_inside": inside,
    }


def _pysbd(lang: str) -> Callable[[str], list[str]]:
    seg = pysbd.Segmenter(language=lang, clean=False)
    return seg.segment


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the evaldata folder")
    parser.add_argument("--split", choices=["dev", "devtest"], default="dev")
    parser.add_argument("--show", type=int, default=0, help="print this many splits inside reference segments")
    args = parser.parse_args(argv)
    sets = [(f"FLORES {args.split}", lang, flores_articles(args.data, args.split, lang)) for lang in ("en", "zh")]
    if args.split == "devtest":
        sets += [("WMT24 news", lang, wmt24_articles(args.data, lang)) for lang in ("en", "zh")]
    header = f"{'set':<16}{'lang':<6}{'splitter':<11}{'recall':>8}{'reachable':>11}{'boundaries':>12}{'inside':>8}"
    print(header)
    print("-" * len(header))
    for name, lang, articles in sets:
        for label, fn in (("bilingual", lambda t, lang=lang: split_sentences(t, lang)), ("pysbd", _pysbd(lang))):
            r = evaluate(articles, lang, fn, show=args.show if label == "bilingual" else 0)
            print(
                f"{name:<16}{lang:<6}{label:<11}{r['recall']:>8.4f}{r['reachable_recall']:>11.4f}"
                f"{r['boundaries']:>12}{r['splits_inside']:>8}"
            )


if __name__ == "__main__":
    main()
