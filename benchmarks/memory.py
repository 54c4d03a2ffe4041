"""The translation memory's cost: exact lookups, near-match hints, and a translation with and without it.

Fills a memory with ``--entries`` generated Chinese sentences made of 20 common words (near
duplicates of each other: the worst case for the near-match index), then measures, side by
side in one run:

* exact lookup of 1,000 sentences;
* the near-match search per sentence (hints);
* translating a ``--sentences``-sentence article with an instant fake backend (so only the work
  around the model is timed) with the memory empty and full: what the memory adds, bounded by the
  hints' budget of ``HINT_SECONDS`` a document, and its share of a real translation at ``--speed``.

Usage::

    python benchmarks/memory.py                      # 100,000 entries, a 400-sentence article
    python benchmarks/memory.py --entries 10000
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = "合作 协议 代表团 访问 重庆 贸易 发展 企业 市场 经济 项目 投资 政府 城市 港口 增长 技术 创新 服务 建设".split()


def sentence(rng: random.Random) -> str:
    return "".join(rng.choice(WORDS) for _ in range(8)) + "。"


def main() -> int:
    from bilingual.translation.memory import HINT_SECONDS, TranslationMemory
    from tests.fakes import fake_translator

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--sentences", type=int, default=400)
    parser.add_argument("--speed", type=float, default=2.59, help="a real model's sentences per second (what "
                        "benchmarks/speed.py measured for CTranslate2 en->zh on two cores)")
    args = parser.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as folder:
        empty_home, full_home = Path(folder) / "empty", Path(folder) / "full"
        memory = TranslationMemory(full_home / "memory.sqlite3", max_entries=args.entries)
        started = time.perf_counter()
        memory.import_entries((sentence(rng), f"Sentence {i}.", "zh", "en") for i in range(args.entries))
        print(f"import {args.entries:,} entries: {time.perf_counter() - started:.1f} s")
        queries = [sentence(rng) for _ in range(1000)]
        started = time.perf_counter()
        memory.lookup(queries, "zh", "en")
        print(f"exact lookup, 1,000 sentences: {(time.perf_counter() - started) * 1000:.1f} ms")
        started = time.perf_counter()
        found = sum(bool(memory.near(q, "zh", "en")) for q in queries[:100])
        print(f"near-match search: {(time.perf_counter() - started) * 10:.1f} ms a sentence ({found} of 100 with hints)")
        article = "\n\n".join(sentence(rng) * 2 for _ in range(args.sentences // 2))
        times = {}
        for name, home in (("empty", empty_home), ("full", full_home)):
            translator = fake_translator(home, max_input_chars=10_000_000)
            translator.translate(article, "en")  # warm: detection and OpenCC load once
            started = time.perf_counter()
            translator.translate(article, "en")
            times[name] = time.perf_counter() - started
        print(f"a {args.sentences}-sentence article: {times['empty']:.2f} s with the memory empty, "
              f"{times['full']:.2f} s full ({times['full'] / times['empty']:.1f}x; hints at most "
              f"{HINT_SECONDS:g} s a document)")
        real = args.sentences / args.speed
        print(f"what the full memory adds: {(times['full'] - times['empty']) / real:.1%} of a real translation "
              f"({real:.0f} s at {args.speed} sentences/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
