"""Glossaries: names and terms translated the same way every time.

A glossary is a two-column TSV or CSV file (source term, target term), the format DeepL and
translation tools use. An entry's direction follows its source term's script: a Chinese term
applies to Chinese sources, an English term to English ones, so one file per direction (or one
file with both) works.

Enforcement: before translation each term found in a sentence (longest first; Chinese by
characters, English case-insensitively on word boundaries, plurals included) is replaced by a
placeholder ``ZQ1``, ``ZQ2`` … that the model copies through; after translation the target term
is put back. Opus-MT models copy Latin-letter codes they have never seen (product codes, model
numbers), and ``ZQ`` + a number is split by their SentencePiece vocabularies into rare pieces
that no language uses, so it is neither translated nor merged with the words around it. When a
placeholder does not come back, the sentence is translated again without the glossary and
flagged (``glossary``). The placeholder text is what the model and the translation cache see,
so a cached translation made without the glossary is never reused with it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BilingualError
from ..text.scripts import HAN_RE
from ..text.terms import Terms, matcher_for
from .inline import MID, OPEN

MAX_BYTES = 1024 * 1024
MAX_ENTRIES = 10_000
MAX_TERM = 200
PLACEHOLDER = "ZQ{}"
_PLACEHOLDER = re.compile(r"ZQ(\d{1,3})")
_HEADERS = {("source", "target"), ("term", "translation"), ("source term", "target term")}


class GlossaryError(BilingualError, ValueError):
    """A glossary file that cannot be used; the message says which line and why."""


@dataclass(frozen=True)
class Glossary:
    """Source term -> target term, in the order they were given."""

    entries: tuple[tuple[str, str], ...]
    _terms: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def for_source(self, language: str) -> Terms:
        """The entries that apply to sources in ``language`` (``"zh"`` or ``"en"``), with their matcher;
        built once per glossary and language."""
        terms = self._terms.get(language)
        if terms is None:
            terms = Terms(((s, t) for s, t in self.entries if (HAN_RE.search(s) is not None) == (language == "zh")),
                          language)
            self._terms[language] = terms
        return terms

    def __len__(self) -> int:
        return len(self.entries)


def load_glossary(value: Glossary | Mapping[str, str] | str | Path | None) -> Glossary | None:
    """A glossary from a :class:`Glossary`, a mapping, a file path, or the text of a TSV/CSV file."""
    if value is None or isinstance(value, Glossary):
        return value
    if isinstance(value, Mapping):
        return _checked([(str(k), str(v)) for k, v in value.items()], "the glossary")
    if isinstance(value, Path) or (isinstance(value, str) and "\n" not in value and "\t" not in value
                                   and "," not in value and Path(value).is_file()):
        path = Path(value)
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                raise GlossaryError(f"The glossary {path.name} is larger than {MAX_BYTES >> 20} MB.")
            data = path.read_bytes()
        except OSError as exc:
            raise GlossaryError(f"Cannot read the glossary {path.name}: {exc.strerror}.") from exc
        try:
            return parse_glossary(data.decode("utf-8-sig"), path.name)
        except UnicodeDecodeError:
            raise GlossaryError(f"The glossary {path.name} is not UTF-8 text.") from None
    if isinstance(value, str):
        return parse_glossary(value)
    raise TypeError("glossary must be a path, the text of a TSV/CSV file, or a mapping of terms")


def parse_glossary(text: str, name: str = "the glossary") -> Glossary:
    """Read TSV (tab-separated) or CSV text: one ``source<TAB>target`` pair a line.

    Blank lines and lines starting with ``#`` are skipped, and so is a header line.

    Raises:
        GlossaryError: too large, no entries, a line without two columns, too many entries or too
            long a term, or one source term with two different targets.
    """
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise GlossaryError(f"{name} is larger than {MAX_BYTES >> 20} MB.")
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    delimiter = "\t" if any("\t" in line for line in lines) else ","
    rows = []
    for number, row in enumerate(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter), 1):
        cells = [c.strip() for c in row]
        if number == 1 and tuple(c.lower() for c in cells[:2]) in _HEADERS:
            continue
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise GlossaryError(
                f"Line {number} of {name} has no second column; write one pair a line: source term, a tab (or a "
                "comma), target term."
            )
        rows.append((cells[0], cells[1]))
    return _checked(rows, name)


def _checked(rows: list[tuple[str, str]], name: str) -> Glossary:
    if not rows:
        raise GlossaryError(f"{name} has no entries; write one pair a line: source term, a tab, target term.")
    if len(rows) > MAX_ENTRIES:
        raise GlossaryError(f"{name} has {len(rows):,} entries; at most {MAX_ENTRIES:,} are accepted.")
    seen: dict[str, str] = {}
    for source, target in rows:
        if len(source) > MAX_TERM or len(target) > MAX_TERM:
            raise GlossaryError(f"A term of {name} is longer than {MAX_TERM} characters: {source[:40]!r}.")
        if _PLACEHOLDER.search(source):
            raise GlossaryError(f"{name} cannot contain terms like {source!r} (they look like its placeholders).")
        key = source.lower() if not HAN_RE.search(source) else source
        if key in seen and seen[key] != target:
            raise GlossaryError(f"{name} gives {source!r} two translations: {seen[key]!r} and {target!r}.")
        seen[key] = target
    unique = list(dict.fromkeys(rows))
    return Glossary(tuple(unique))


def protect(text: str, terms: Mapping[str, str], language: str,
            spans: Sequence[tuple[int, int, str]] = ()) -> tuple[str, dict[str, str]]:
    """``text`` with each glossary term replaced by a placeholder, and placeholder -> target term.

    Longest terms first, so "两江新区" wins over "新区"; English matches ignore case and take
    plurals (``bridge`` matches ``bridges``); a part already replaced is not matched again. One
    pass over the text with the glossary's trie (:mod:`bilingual.text.terms`), however many terms.
    ``spans``: (start, end, replacement) parts of ``text`` that become placeholders too (inline
    spans, see :mod:`bilingual.translation.inline`); no term is matched inside them.
    """
    if not terms and not spans:
        return text, {}
    found = [(s, e, r) for s, e, r in spans]
    if terms:
        found += [(start, end, terms[term]) for start, end, term in matcher_for(terms, language).finditer(text)
                  if not any(start < e and s < end for s, e, _ in spans)]
    parts: list[str] = []
    mapping: dict[str, str] = {}
    last = 0
    for start, end, replacement in sorted(found):
        placeholder = PLACEHOLDER.format(len(mapping) + 1)
        mapping[placeholder] = replacement
        parts += [text[last:start], placeholder]
        last = end
    return "".join(parts) + text[last:], mapping


def restore(output: str, mapping: Mapping[str, str], target_language: str) -> str | None:
    """The translation with the target terms in place of the placeholders; None when one was lost."""
    if any(output.count(placeholder) != 1 for placeholder in mapping):
        return None
    if any(f"ZQ{n}" not in mapping for n in _PLACEHOLDER.findall(output)):
        return None  # a placeholder the sentence did not have: the model made it up
    result = output
    for placeholder, term in sorted(mapping.items(), key=lambda kv: -len(kv[0])):
        at = result.find(placeholder)
        if target_language == "en" and at == 0:
            term = _capitalized(term)  # it starts the sentence
        result = result[:at] + term + result[at + len(placeholder) :]
    return result



def _capitalized(term: str) -> str:
    """A term that starts a sentence, capitalized (inside an inline span's mark, when it is one)."""
    head = term.index(MID) + 1 if term.startswith(OPEN) else 0
    if term[head : head + 1].islower():
        return term[:head] + term[head].upper() + term[head + 1 :]
    return term
