"""The model-free checks of ``bilingual.check_translation``, measured on human references.

For FLORES-200 devtest and WMT general test 2022 (both directions, read from
``../shared/evaldata`` at run time), each reference translation is checked against its source:
a flag there is a false alarm. Then each reference is corrupted the ways machine translation
fails — a digit of a number changed, a scale changed (万 -> 亿, million -> billion), a Latin
name or code deleted — and the share of corruptions the matching check catches is reported.
``--calibrate`` prints the length-ratio percentiles of FLORES dev (where ``LENGTH_BOUNDS`` come from).

Targets (exit code 1 when missed): false alarms under 2% of sentences per check and direction;
over 95% of the corruptions caught.

Usage::

    python benchmarks/flags.py
    python benchmarks/flags.py --calibrate
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

from bilingual.text.checks import _DIGITS, _names, check_translation, source_numbers

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "evaldata"
CHECKS = ("numbers", "names", "untranslated", "length")


def sets(data: Path) -> list[tuple[str, str, list[str], list[str]]]:
    """(name, direction, sources, references). FLORES devtest, WMT22 and WMT23 were looked at while
    the checks were written (the acronym renderings, the numeral rules, words in capitals); NTREX-128 was not."""
    out = []
    flores = data / "flores200"
    zh = (flores / "flores200.devtest.zho_Hans").read_text(encoding="utf-8").splitlines()
    en = (flores / "flores200.devtest.eng_Latn").read_text(encoding="utf-8").splitlines()
    out += [("FLORES devtest", "zh-en", zh, en), ("FLORES devtest", "en-zh", en, zh)]
    wmt = data / "wmt_general"
    for direction, src, ref in (("zh-en", "generaltest2022.zh-en.zh", "generaltest2022.zh-en.refB.en"),
                                ("en-zh", "generaltest2022.en-zh.en", "generaltest2022.en-zh.refB.zh")):
        if (wmt / src).is_file() and (wmt / ref).is_file():
            sources = (wmt / src).read_text(encoding="utf-8").splitlines()
            refs = (wmt / ref).read_text(encoding="utf-8").splitlines()
            out.append(("WMT22 general", direction, sources, refs))
    held_out = [("WMT23 general", "zh-en", wmt / "generaltest2023.zh-en.zh", wmt / "generaltest2023.zh-en.en"),
                ("WMT23 general", "en-zh", wmt / "generaltest2023.en-zh.en", wmt / "generaltest2023.en-zh.zh"),
                ("NTREX-128*", "en-zh", data / "ntrex128" / "newstest2019-src.eng.txt",
                 data / "ntrex128" / "newstest2019-ref.zho_Hans.txt")]
    for name, direction, src, ref in held_out:
        if src.is_file() and ref.is_file():
            out.append((name, direction, src.read_text(encoding="utf-8").splitlines(),
                        ref.read_text(encoding="utf-8").splitlines()))
    return out


def corruptions(source: str, reference: str, language: str, rng: random.Random) -> list[tuple[str, str]]:
    """(check that should fire, corrupted reference): a number's digit changed, its scale changed, a name deleted."""
    out = []
    values = [v for _, v in source_numbers(source)]
    ref_values = [float(m.group(1).replace(",", "") + (m.group(2) or "")) for m in _DIGITS.finditer(reference)]
    for m in _DIGITS.finditer(reference):
        number = float(m.group(1).replace(",", "") + (m.group(2) or ""))
        if values.count(number) == 1 and ref_values.count(number) == 1:
            digits = [i for i, ch in enumerate(m.group()) if ch.isdigit()]
            i = rng.choice(digits)
            changed = m.group()[:i] + str((int(m.group()[i]) + rng.randint(1, 9)) % 10) + m.group()[i + 1 :]
            if changed.lstrip("0") and changed != m.group():
                out.append(("numbers", reference[: m.start()] + changed + reference[m.end() :]))
            break
    swaps = [("亿", "万"), ("万", "亿")] if language == "en" else [("billion", "million"), ("million", "billion")]
    scaled = {v for w, v in source_numbers(reference)}
    for old, new in swaps:
        unit = re.search(rf"(\d[\d,.]*)\s*{old}", reference)
        if unit and reference.count(old) == 1 and any(v in values for v in scaled):
            out.append(("numbers", reference[: unit.end() - len(old)] + new + reference[unit.end() :]))
            break
    names = [n for n in _names(source, "zh" if language == "zh" else "en", None) if n.lower() in reference.lower()]
    if names:
        name = rng.choice(names)
        out.append(("names", re.sub(re.escape(name), "", reference, flags=re.I)))  # the name is gone everywhere
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--show", type=int, default=0, help="print this many false alarms per check")
    parser.add_argument("--show-missed", type=int, default=0, help="print this many corruptions not caught")
    args = parser.parse_args(argv)
    if args.calibrate:
        flores = args.data / "flores200"
        zh = (flores / "flores200.dev.zho_Hans").read_text(encoding="utf-8").splitlines()
        en = (flores / "flores200.dev.eng_Latn").read_text(encoding="utf-8").splitlines()
        for name, src, ref in (("zh-en", zh, en), ("en-zh", en, zh)):
            ratios = sorted(len("".join(r.split())) / len("".join(s.split())) for s, r in zip(src, ref))
            pick = [ratios[int(q * (len(ratios) - 1))] for q in (0.005, 0.5, 0.995)]
            print(f"{name}: 0.5% {pick[0]:.3f}  median {pick[1]:.3f}  99.5% {pick[2]:.3f}")
        return 0
    rng = random.Random(0)
    ok = True
    print(f"{'set':<15}{'dir':<7}{'n':>6}  " + "".join(f"{c:>13}" for c in CHECKS) + f"{'corruptions caught':>22}")
    for name, direction, sources, refs in sets(args.data):
        language = direction.split("-")[0]
        alarms = dict.fromkeys(CHECKS, 0)
        shown = dict.fromkeys(CHECKS, 0)
        caught = tried = 0
        for source, reference in zip(sources, refs):
            codes = {f.code for f in check_translation(source, reference, source_language=language)}
            for code in codes & set(CHECKS):
                alarms[code] += 1
                if shown[code] < args.show:
                    shown[code] += 1
                    print(f"  [{code}] {source[:100]}\n      -> {reference[:100]}")
            for check, corrupted in corruptions(source, reference, language, rng):
                tried += 1
                hit = check in {f.code for f in check_translation(source, corrupted, source_language=language)}
                caught += hit
                if not hit and args.show_missed > 0:
                    args.show_missed -= 1
                    print(f"  missed [{check}] {source[:90]}\n      -> {corrupted[:110]}")
        n = len(sources)
        cells = "".join(f"{100 * alarms[c] / n:>12.2f}%" for c in CHECKS)
        rate = 100 * caught / tried if tried else float("nan")
        print(f"{name:<15}{direction:<7}{n:>6}  {cells}{rate:>14.1f}% of {tried:<5}")
        ok = ok and all(alarms[c] / n < 0.02 for c in CHECKS) and (not tried or caught / tried > 0.95)
    print("* not looked at while the checks were written")
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
