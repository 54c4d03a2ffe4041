"""Language detection, measured on a labelled set written for this project.

Reads ``benchmarks/data/detection.tsv`` (300+ texts: Simplified and Traditional Chinese,
Cantonese, Chinese full of Latin names and URLs, English news, short English, English with
Chinese words, Japanese with kana / mostly kanji / all-kanji headlines, Korean with and
without Hanja, 13 Latin-script languages, other scripts, code and markup, texts without
letters) and reports accuracy per category for

* ``bilingual``: :func:`bilingual.detect_language` (script rules + fastText);
* ``old``: the detector before this change (script rules + function-word lists), loaded
  from the git history (commit b2acf88) when it is available;
* ``fastText``: the bundled ``lid.176.ftz`` model alone (its best label: zh, en, or other).

A text labelled ``refuse:X`` counts as right when the detector refuses it; the "named"
column counts the refusals that also name X. Rows alternate between a development half
(used to choose ``FOREIGN_CONFIDENCE``) and a test half, reported separately. Then the
speed per text after loading, the loading time and the memory the model adds.

Usage::

    python benchmarks/detection.py
"""

from __future__ import annotations

import importlib.util
import resource
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data" / "detection.tsv"
OLD_COMMIT = "b2acf88"


def load_set(path: Path = DATA) -> list[tuple[str, str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            category, expected, text = line.split("\t")
            rows.append((category, expected, text.replace("\\n", "\n")))
    return rows


def old_detector():
    """The detector as it was before fastText, from git, or None."""
    try:
        source = subprocess.run(["git", "show", f"{OLD_COMMIT}:src/bilingual/text/detect.py"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    spec = importlib.util.spec_from_loader("bilingual.text._old_detect", loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "bilingual.text"
    exec(compile(source, "old_detect.py", "exec"), module.__dict__)  # noqa: S102 - our own past source
    return module.detect_language


def judge(detect, text: str) -> tuple[str, str]:
    """(zh | en | refuse | error, message)."""
    from bilingual import UnsupportedLanguageError

    try:
        return detect(text), ""
    except UnsupportedLanguageError as exc:
        return "refuse", str(exc)


def fasttext_alone(text: str) -> str:
    from bilingual.text.detect import LANGUAGE_NAMES, latin_languages

    code = latin_languages(text, k=1)[0][0]
    if code in ("zh", "en"):
        return code
    from bilingual import UnsupportedLanguageError

    raise UnsupportedLanguageError(f"looks like {LANGUAGE_NAMES.get(code, code)}")


def correct(expected: str, answer: str, message: str) -> tuple[bool, bool]:
    """(right, named): right decision; for refusals, also the right language named."""
    if expected == "none":
        ok = answer == "refuse" and "no letters" in message
        return ok, ok
    if expected.startswith("refuse:"):
        return answer == "refuse", answer == "refuse" and expected.split(":", 1)[1] in message
    return answer == expected, answer == expected


def evaluate(rows, detect) -> dict[str, dict[str, list[int]]]:
    """{half: {category: [right, named, total]}}."""
    scores: dict[str, dict[str, list[int]]] = {"dev": defaultdict(lambda: [0, 0, 0]),
                                               "test": defaultdict(lambda: [0, 0, 0])}
    for i, (category, expected, text) in enumerate(rows):
        answer, message = judge(detect, text)
        right, named = correct(expected, answer, message)
        cell = scores["dev" if i % 2 == 0 else "test"][category]
        cell[0] += right
        cell[1] += named
        cell[2] += 1
    return scores


def main() -> int:
    rows = load_set()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    from bilingual.text import detect as detect_module

    detect_module._fasttext()
    load_seconds = time.perf_counter() - start
    added_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    from bilingual import detect_language

    detectors = {"bilingual": detect_language, "fastText": fasttext_alone}
    old = old_detector()
    if old is not None:
        detectors["old"] = old
    results = {name: evaluate(rows, fn) for name, fn in detectors.items()}
    categories = list(dict.fromkeys(r[0] for r in rows))
    names = list(detectors)
    print(f"{len(rows)} texts in {len(categories)} categories ({DATA.name}); accuracy, test half / dev half")
    header = f"{'category':<14}{'n':>4}  " + "  ".join(f"{n:>17}" for n in names) + f"  {'bilingual named':>16}"
    print(header)
    print("-" * len(header))
    totals = {n: {"dev": [0, 0, 0], "test": [0, 0, 0]} for n in names}
    for category in categories:
        cells = []
        for n in names:
            t, d = results[n]["test"][category], results[n]["dev"][category]
            for half, cell in (("test", t), ("dev", d)):
                totals[n][half] = [a + b for a, b in zip(totals[n][half], cell)]
            cells.append(f"{_pct(t[0], t[2]):>8} / {_pct(d[0], d[2]):<6}")
        t, d = results["bilingual"]["test"][category], results["bilingual"]["dev"][category]
        size = t[2] + d[2]
        print(f"{category:<14}{size:>4}  " + "  ".join(cells) + f"  {_pct(t[1] + d[1], size):>16}")
    print("-" * len(header))
    cells = [f"{_pct(totals[n]['test'][0], totals[n]['test'][2]):>8} / {_pct(totals[n]['dev'][0], totals[n]['dev'][2]):<6}"
             for n in names]
    print(f"{'all':<14}{len(rows):>4}  " + "  ".join(cells))
    texts = [r[2] for r in rows]
    start = time.perf_counter()
    for _ in range(5):
        for text in texts:
            judge(detect_language, text)
    per_text_ms = (time.perf_counter() - start) / (5 * len(texts)) * 1000
    print(f"\nspeed {per_text_ms:.3f} ms per text after loading; model loaded in {load_seconds:.2f} s, "
          f"adding {added_mb:.0f} MB")
    return 0


def _pct(right: int, total: int) -> str:
    return f"{100 * right / total:.0f}%" if total else "-"


if __name__ == "__main__":
    sys.exit(main())
