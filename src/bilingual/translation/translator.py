"""``Translator``: a configured, reusable article translator over a backend."""

from __future__ import annotations

import copy
import functools
import json
import logging
import math
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

from ..cache import TranslationCache
from ..config import ModelRef, Settings
from ..errors import BilingualError, InputTooLargeError
from ..languages import Language, Script, Target, normalize_language, other, parse_target
from ..text.checks import Flag, check_translation
from ..text.chinese import chinese_script, rewrite
from ..text.chinese import convert as to_script
from ..text.detect import detect_language
from ..text.normalize import normalize_text, paragraph_layout
from ..text.pieces import needs_translation, separator
from ..text.terms import Terms, found_terms
from .backends import Backend, backend_name, build_backend
from .glossary import Glossary, load_glossary, protect, restore
from .inline import OPEN, unmark, wrap
from .inline import carried as inline_carried
from .inline import convert as inline_convert
from .inline import place as inline_place
from .inline import tag as inline_tag
from .inline import untag as inline_untag
from .memory import HINT_SECONDS, TranslationMemory, default_memory_path
from .pipeline import Context, DocumentPlan, Piece, make_batches, paragraph_contexts, plan_document
from .result import LOW_SCORE, DocumentTranslation, Segment, TranslationStep, confidence
from .scheduler import Scheduler

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
GlossaryLike = Glossary | Mapping[str, str] | str | Path | None
TargetLike = str | Target | None
BackendFactory = Callable[[Language, Language, Settings], Backend]
CONTEXT_CHARS = 1200  # most characters of the paragraphs before one that a contextual engine is given


class Observer:
    """What a translator reports as it works (the server's metrics implement it); by default nothing."""

    def model_call(self, direction: str, sentences: int) -> None:
        """One model call of ``sentences`` sentences (pieces) in ``direction`` (``"zh-en"``)."""

    def cache_hits(self, direction: str, pieces: int) -> None:
        """Pieces found in the translation cache."""

    def sentences(self, direction: str, origin: str, count: int) -> None:
        """Sentences translated, by origin (``model``, ``memory``, ``copied``)."""


def model_ref(source: Language, target: Language, settings: Settings) -> ModelRef:
    """The configured model of a translation direction."""
    return settings.model_ref(f"{source}-{target}")


class Translator:
    """Translate Chinese and English articles, keeping their paragraphs.

    Models load on first use, once per direction, thread-safely, and are reused
    by every later call.

    Args:
        settings: a :class:`~bilingual.config.Settings`; by default read from the environment.
        backend_factory: builds a backend for a direction (tests pass a fake one).
        **overrides: any field of ``Settings``, e.g. ``backend``, ``beam_size``, ``batch_size``,
            ``device``, ``max_input_chars``, ``model_zh_en``, ``model_en_zh``.
        glossary: terms translated the same way every time (a TSV/CSV path or text, a mapping,
            or a :class:`~bilingual.translation.glossary.Glossary`); each call may pass its own.

    Example:
        >>> translator = Translator(beam_size=2)                      # doctest: +SKIP
        >>> translator.translate("两江新区签署了协议。")                 # doctest: +SKIP
        'The Liangjiang New Area signed the agreement.'
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        backend_factory: BackendFactory | None = None,
        glossary: Glossary | Mapping[str, str] | str | Path | None = None,
        **overrides: Any,
    ) -> None:
        self.glossary = load_glossary(glossary)
        base = settings if settings is not None else Settings.from_env()
        self.settings = replace(base, **overrides) if overrides else base
        if backend_factory is None:
            kind = backend_name(self.settings.backend)
            backend_factory = functools.partial(build_backend, kind)
        self._factory = backend_factory
        self._backends: dict[tuple[Language, Language], Backend] = {}
        self._schedulers: dict[tuple[Language, Language], Scheduler] = {}
        self._lock = threading.Lock()
        self.cache = (
            TranslationCache(Path(self.settings.home) / "translations.sqlite3", max_entries=self.settings.cache_max_entries)
            if self.settings.cache and self.settings.home
            else None
        )
        self.memory = (
            TranslationMemory(default_memory_path(self.settings.home), max_entries=self.settings.memory_max_entries)
            if self.settings.memory and self.settings.home
            else None
        )
        self.memory_namespace = ""
        self.observer = Observer()
        self._engines: dict[str, Translator] = {}

    def with_glossary(self, glossary) -> Translator:
        """This translator (its models, cache and settings shared) with another default glossary."""
        if glossary is None:
            return self
        twin = copy.copy(self)
        twin.glossary = load_glossary(glossary)
        return twin

    def with_memory(self, namespace: str) -> Translator:
        """This translator (models, cache, settings and memory shared) reading the translation memory's
        ``namespace`` (one per API key on the server; ``""`` is everyone else's)."""
        if namespace == self.memory_namespace:
            return self
        twin = copy.copy(self)
        twin.memory_namespace = namespace
        return twin

    def with_engine(self, engine: str | None) -> Translator:
        """This translator with both directions on ``engine`` (see :data:`~bilingual.config.ENGINES`): its own
        models, loaded once and kept; cache, memory and glossary shared. None: this translator."""
        if engine is None:
            return self
        with self._lock:
            twin = self._engines.get(engine)
            if twin is None:
                twin = copy.copy(self)
                twin.settings = replace(self.settings, engine=engine, engine_zh_en=None, engine_en_zh=None)
                twin._backends, twin._schedulers, twin._engines = {}, {}, {}
                twin._lock = threading.Lock()
                self._engines[engine] = twin
        return twin if twin.memory_namespace == self.memory_namespace else twin.with_memory(self.memory_namespace)

    def engine_choices(self) -> list[dict[str, Any]]:
        """The engines a caller may choose (REST's ``model_type``, the page): the default, and the quality
        engine when one is configured; each with its engine and model per direction, and the license when known."""
        choices = [("latency_optimized", self)]
        if self.settings.quality_engine:
            choices.append(("quality_optimized", self.with_engine(self.settings.quality_engine)))
        return [{"model_type": kind, "directions": {d: t._describe(d) for d in ("zh-en", "en-zh")}}
                for kind, t in choices]

    def _describe(self, direction: str) -> dict[str, Any]:
        """A direction's engine, model and license, without loading the model (``auto`` until it is present).
        A model in a folder is named by the folder's name alone: callers show this to users."""
        from ..models import locate
        from .backends.engines import architecture, model_license

        engine = self.settings.engine_for(direction)
        loaded = self._backends.get(tuple(direction.split("-")))  # type: ignore[arg-type]
        if loaded is not None:
            return {"engine": loaded.engine, "model": _public(loaded.model_name), "license": loaded.license}
        if engine == "llm":
            return {"engine": "llm", "model": _public(self.settings.llm_model or ""), "license": None}
        ref = self.settings.model_ref(direction)
        path = locate(ref)
        if engine == "auto" and path is not None:
            try:
                engine = architecture(path)
            except BilingualError:
                pass  # not a model: loading it will say so
        return {"engine": engine, "model": _public(ref.name), "license": model_license(path, ref.name)}

    # -- models -----------------------------------------------------------------------------

    def model_name(self, source: Language, target: Language) -> str:
        """The configured model for a direction (Hub id or path)."""
        return model_ref(source, target, self.settings).name

    def backend(self, source: Language, target: Language) -> Backend:
        """The backend for a direction, loading its model on first use."""
        key = (source, target)
        with self._lock:
            if key not in self._backends:
                logger.info("loading %s->%s model %s", source, target, self.model_name(source, target))
                self._backends[key] = self._factory(source, target, self.settings)
            return self._backends[key]

    def chat(self, source: Language, target: Language):
        """The chat model behind a direction whose engine is an LLM (``llm``, or a causal model present
        locally), for other tasks on the same model (summaries); None otherwise. A seq2seq direction's
        model is not loaded to find out."""
        from ..models import locate
        from .backends.engines import architecture

        engine = self.settings.engine_for(f"{source}-{target}")
        if engine not in ("llm", "causal", "auto"):
            return None
        if engine == "auto" and (source, target) not in self._backends:
            path = locate(self.settings.model_ref(f"{source}-{target}"))
            try:
                if path is None or architecture(path) != "causal":
                    return None
            except BilingualError:  # a folder that is no model: translation will say so
                return None
        return getattr(self.backend(source, target), "chat", None)

    def scheduler(self, source: Language, target: Language) -> Scheduler | None:
        """The direction's batching queue, shared by every request (None when ``batching`` is off)."""
        if not self.settings.batching:
            return None
        key = (source, target)
        backend = self.backend(source, target)
        with self._lock:
            if key not in self._schedulers:
                self._schedulers[key] = Scheduler(
                    self._observed(key, backend.translate_scored), max_size=self.settings.batch_size,
                    max_tokens=self.settings.max_batch_tokens, max_wait=self.settings.batch_wait_ms / 1000,
                    name=f"{source}-{target}", workers=backend.parallel,
                )
            return self._schedulers[key]

    def _observed(self, direction: tuple[Language, Language], score):
        """``score`` (a backend's translate_scored), reporting each model call to the observer."""
        name = "-".join(direction)

        def observed(texts):
            self.observer.model_call(name, len(texts))
            return score(texts)

        return observed

    def _report(self, documents: Sequence[DocumentTranslation]) -> None:
        """Tell the observer the sentences translated, by direction and origin."""
        counts: dict[tuple[str, str], int] = {}
        for doc in documents:
            if doc.model:
                for paragraph in doc.paragraphs:
                    for segment in paragraph:
                        key = (f"{doc.source_language}-{doc.target_language}", segment.origin)
                        counts[key] = counts.get(key, 0) + 1
        for (direction, origin), count in counts.items():
            self.observer.sentences(direction, origin, count)

    # -- public API ---------------------------------------------------------------------------

    def translate(
        self,
        text: str | Sequence[str],
        target: TargetLike = None,
        *,
        source: str | None = None,
        glossary: GlossaryLike = None,
        progress: Progress | None = None,
    ) -> str | list[str]:
        """Translate an article, or a list of articles, into the other language.

        Args:
            text: a string, or a list of strings (a list of translations comes back, in order).
            target: ``"zh"``, ``"en"``, an alias, or a parsed :class:`~bilingual.languages.Target`;
                None means the other language.
            source: the source language; None detects it (per item for a list).
            glossary: terms for this call (a :class:`Glossary`, a mapping, TSV/CSV text or a path);
                None: the translator's own.
            progress: a callable ``(done, total)`` told about translated pieces.

        Returns:
            The translation(s), with the input's paragraphs.

        Raises:
            TypeError: ``text`` is not a string or a list of strings.
            UnsupportedLanguageError: the text or a requested language is not Chinese or English.
            InputTooLargeError: the input is longer than ``max_input_chars``.
            ModelNotAvailableError: the model is neither local nor downloadable.
        """
        if isinstance(text, str):
            return self.translate_document(text, target, source=source, glossary=glossary, progress=progress).text
        if not isinstance(text, Sequence) or not all(isinstance(t, str) for t in text):
            raise TypeError("text must be a string or a list of strings")
        docs = self._translate_many(list(text), target, source, progress, glossary)
        return [d.text for d in docs]

    def translate_document(
        self, text: str, target: TargetLike = None, *, source: str | None = None, glossary: GlossaryLike = None,
        progress: Progress | None = None, document: bool = False,
    ) -> DocumentTranslation:
        """Translate one article and return it aligned, paragraph by paragraph and sentence by sentence.

        Takes the same arguments as :meth:`translate` (a single string only). ``document``: the text
        is a file's, held to ``max_document_chars`` rather than ``max_input_chars``.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a string, not {type(text).__name__}")
        for step in self.iter_translate_document(text, target, source=source, glossary=glossary, document=document):
            if progress:
                progress(step.done, step.total)
        assert step.document is not None
        return step.document

    def iter_translate_document(
        self, text: str, target: TargetLike = None, *, source: str | None = None, glossary: GlossaryLike = None,
        document: bool = False,
    ) -> Iterator[TranslationStep]:
        """Translate one article, yielding a :class:`TranslationStep` after every model batch.

        The article is translated in windows of consecutive paragraphs (each window's
        sentences sorted by length into full batches), so finished paragraphs come out in
        order as the work goes: ``step.paragraphs`` is the finished prefix. The first step
        comes before any model work (``done == 0``); the last one carries ``document``.
        Stopping the iteration stops the translation after the current batch.

        Raises:
            The errors of :meth:`translate`, before the first step.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a string, not {type(text).__name__}")
        self.check_size([text], document=document)
        route = self._directions([text], target, source)[0]
        if route is None or route.source == route.target:
            same = _unchanged(text, route)
            yield TranslationStep(same.source_language, same.target_language, same.paragraphs,
                                  len(same.paragraphs), 0, 0, same)
            return
        direction = (route.source, route.target)
        backend = self.backend(*direction)
        plan = self._plan(text, route, self._glossary(glossary), time.monotonic() + HINT_SECONDS)
        total_paragraphs = len(plan.sentences)
        remaining = [0] * total_paragraphs
        for piece in plan.pending:
            remaining[piece.paragraph] += 1
        finished: list[tuple[Segment, ...]] = []

        def advance() -> None:
            while len(finished) < total_paragraphs and remaining[len(finished)] == 0:
                finished.append(_paragraph(plan, len(finished)))

        windows = _windows(plan.pending, 4 * self.settings.batch_size)
        total = len(plan.pending)
        advance()
        yield TranslationStep(plan.source, plan.target, tuple(finished), total_paragraphs, 0, total)
        done = 0
        for window in windows:
            for translated in self._translate_pieces(direction, window):
                for piece in translated:
                    remaining[piece.paragraph] -= 1
                done += len(translated)
                advance()
                if done < total:
                    yield TranslationStep(plan.source, plan.target, tuple(finished), total_paragraphs, done, total)
        document = _result(plan, backend.model_name, tuple(finished))  # the paragraphs are built and checked once
        self._report([document])
        yield TranslationStep(plan.source, plan.target, document.paragraphs, total_paragraphs, total, total, document)

    def translate_documents(
        self, texts: Sequence[str], target: TargetLike = None, *, source: str | None = None,
        glossary: GlossaryLike = None, progress: Progress | None = None, document: bool = False,
        spans: Sequence[Sequence[tuple[int, int]]] | None = None,
    ) -> list[DocumentTranslation]:
        """Translate several texts at once, aligned like :meth:`translate_document`.

        All their sentences share the model's batches (sorted by length across the texts), so
        many short texts (a document's paragraphs and table cells) cost few model calls.
        ``document``: the texts are a file's, held to ``max_document_chars`` together.
        ``spans``: for each text, the (start, end) character spans that carry formatting of their own
        (a bold name, a link's words); each one the engine could carry comes back as a
        :class:`~bilingual.translation.inline.Mark` of its segment (``key``: its index in the text's
        list). See :mod:`bilingual.translation.inline`.
        """
        if not isinstance(texts, Sequence) or isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
            raise TypeError("texts must be a list of strings")
        if spans is not None and len(spans) != len(texts):
            raise TypeError("spans must give one list of spans for each text")
        return self._translate_many(list(texts), target, source, progress, glossary, document=document, spans=spans)

    def alternatives(self, text: str, n: int, target: TargetLike = None, *, source: str | None = None) -> list[str]:
        """Up to ``n`` alternative translations of ``text``, other than :meth:`translate`'s.

        Each sentence is decoded with ``n + 1`` hypotheses kept from the beam; the k-th
        alternative of the article takes every sentence's (k+1)-th best hypothesis (its best
        one where it has fewer). Alternatives equal to the best translation or to an earlier
        alternative are left out, so fewer than ``n`` may come back. An empty list when the
        backend cannot give hypotheses, or the text needs no model.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a string, not {type(text).__name__}")
        if n < 1:
            return []
        self.check_size([text])
        route = self._directions([text], target, source)[0]
        if route is None or route.source == route.target:
            return []
        backend = self.backend(route.source, route.target)
        if not backend.supports_hypotheses:
            return []
        plan = self._plan(text, route, None, 0.0)  # the model's own alternatives: no glossary, no hints
        pieces = plan.pending
        hyps: list[list[str]] = [[] for _ in pieces]
        lengths = backend.count_tokens([p.source_text for p in pieces])
        for batch in make_batches(lengths, max_size=self.settings.batch_size, max_tokens=self.settings.max_batch_tokens):
            for i, found in zip(batch, backend.hypotheses([pieces[i].source_text for i in batch], n + 1)):
                hyps[i] = found
        seen: list[str] = []
        for k in range(n + 1):
            for piece, found in zip(pieces, hyps):
                piece.result = found[k] if k < len(found) else found[0] if found else ""
            doc = _result(plan, backend.model_name).text
            if doc not in seen:
                seen.append(doc)
        best = self.translate_document(text, target, source=route.source).text
        return [doc for doc in seen if doc != best][:n]

    # -- pipeline -------------------------------------------------------------------------------

    def _glossary(self, value) -> Glossary | None:
        return load_glossary(value) if value is not None else self.glossary

    def _plan(self, text: str, route: Route, glossary: Glossary | None, hints_until: float,
              inline: Sequence[tuple[str, str, int] | None] = ()) -> DocumentPlan:
        """Plan a document for a route; the translation memory's sentences come from it (hints for the
        others are looked for until the monotonic time ``hints_until``); Traditional Chinese reaches the
        model as Simplified, and glossary terms as placeholders. ``inline``: each inline span's text, its
        translation and where it began in ``text`` (None: not carried), placed as placeholders too (:mod:`.inline`)."""
        backend = self.backend(route.source, route.target)
        convert_input = route.source_script == "Hant"

        def length(texts):
            return backend.count_tokens([to_script(t, "Hans") for t in texts] if convert_input else texts)

        plan = plan_document(text, route.source, route.target, max_tokens=self.settings.max_segment_tokens,
                             length=length)
        plan.source_script, plan.target_script = route.source_script, route.target_script
        if self.memory is not None:  # people's translations come first: before the glossary, cache and model
            self._from_memory(plan, hints_until)
        if convert_input:
            for piece in plan.pending:
                piece.model_text = to_script(piece.text, "Hans")
        terms = glossary.for_source(route.source) if glossary else {}
        plan.glossary = terms or None
        pending = plan.pending
        placed: list[list[tuple[int, int, int]]] = [[] for _ in pending]
        if inline:  # a document's inline spans (none for plain text: nothing to look for)
            spans = [i[0] if i else None for i in inline]
            where = inline_place([p.text for p in plan.pieces], spans, [i[2] if i else 0 for i in inline])
            placed = [found for piece, found in zip(plan.pieces, where) if piece.translate and piece.result is None]
        if backend.contextual:  # the engine sees each paragraph with the ones before it, the glossary in its prompt
            self._contexts(plan, terms)
            for piece, spans in zip(pending, placed):  # and the inline spans as tags in the sentence
                piece.whole = _whole(piece, spans)
                inner = [span for span in spans if span[2] not in piece.whole]
                if inner and len(piece.source_text) == len(piece.text):
                    piece.model_text, piece.tags = inline_tag(piece.source_text, inner)
            return plan
        for piece, spans in zip(pending, placed):
            whole = _whole(piece, spans)
            parts = [(start, end, wrap(key, inline[key][1])) for start, end, key in spans  # type: ignore[index]
                     if key not in whole and len(piece.source_text) == len(piece.text)]
            piece.whole = whole
            if terms or parts:
                protected, mapping = protect(piece.source_text, terms, route.source, parts)
                if mapping:
                    piece.plain_text, piece.model_text, piece.placeholders = piece.source_text, protected, mapping
        return plan

    @staticmethod
    def _contexts(plan: DocumentPlan, terms: Terms | dict) -> None:
        """Give each pending piece its paragraph's :class:`Context` (one object per paragraph)."""
        paragraphs = [" ".join(s) for s in plan.sentences]
        befores = paragraph_contexts(paragraphs, CONTEXT_CHARS)
        contexts: dict[int, Context] = {}
        for piece in plan.pending:
            context = contexts.get(piece.paragraph)
            if context is None:
                found = found_terms(paragraphs[piece.paragraph], terms, plan.source) if terms else []
                context = contexts[piece.paragraph] = Context(befores[piece.paragraph],
                                                              {t: terms[t] for t in found})
            piece.context = context

    def _from_memory(self, plan: DocumentPlan, hints_until: float) -> None:
        """Sentences the memory holds take its translation (their pieces become one, already done);
        for the others, similar stored sentences become hints, looked for until ``hints_until``."""
        assert self.memory is not None
        source, target, namespace = plan.source, plan.target, self.memory_namespace
        if self.memory.empty(source, target, namespace):
            return
        wanted = {(p.paragraph, p.sentence) for p in plan.pending}
        sentences = {key: plan.sentences[key[0]][key[1]] for key in wanted}
        found = self.memory.lookup(list(sentences.values()), source, target, namespace)
        pieces: list[Piece] = []
        for piece in plan.pieces:
            key = (piece.paragraph, piece.sentence)
            sentence = sentences.get(key)
            if sentence is None or sentence not in found:
                pieces.append(piece)
            elif key not in plan.remembered:
                plan.remembered[key] = found[sentence]
                pieces.append(Piece(sentence, *key, translate=True, result=found[sentence]))
        plan.pieces = pieces
        for key in sorted(sentences):  # hints are best effort: bounded time per call
            if sentences[key] not in found and time.monotonic() < hints_until:
                hints = self.memory.near(sentences[key], source, target, namespace)
                if hints:
                    plan.hints[key] = tuple(hints)

    def check_size(self, texts: list[str], *, document: bool = False) -> None:
        """Raise InputTooLargeError when ``texts`` together exceed ``max_input_chars`` (a file's text:
        ``max_document_chars``); the message names the limit that was hit."""
        total = sum(len(t) for t in texts)
        if document:
            limit = self.settings.max_document_chars
            if total > limit:
                raise InputTooLargeError(
                    f"The document holds {total:,} characters of text, more than the limit for documents of "
                    f"{limit:,}. Split the file, or raise max_document_chars (BILINGUAL_MAX_DOCUMENT_CHARS).")
            return
        limit = self.settings.max_input_chars
        if total > limit:
            raise InputTooLargeError(
                f"The input has {total:,} characters, more than the limit of {limit:,}. Split it into smaller "
                "parts, or raise max_input_chars (BILINGUAL_MAX_INPUT_CHARS)."
            )

    def _directions(self, texts: list[str], target: TargetLike, source: str | None) -> list[Route | None]:
        wanted = parse_target(target) if target is not None else None
        given_source = normalize_language(source) if source is not None else None
        out: list[Route | None] = []
        for text in texts:
            if not needs_translation(text):
                out.append(None)  # whitespace, numbers, URLs, emoji: returned unchanged
                continue
            src = given_source or detect_language(text)
            tgt = wanted or Target(other(src))
            out.append(Route(src, tgt.language, chinese_script(text) if src == "zh" else None, tgt.script))
        return out

    def _translate_many(
        self,
        texts: list[str],
        target: TargetLike,
        source: str | None,
        progress: Progress | None,
        glossary: GlossaryLike,
        document: bool = False,
        spans: Sequence[Sequence[tuple[int, int]]] | None = None,
    ) -> list[DocumentTranslation]:
        glossary = self._glossary(glossary)
        self.check_size(texts, document=document)
        directions = self._directions(texts, target, source)
        hints_until = time.monotonic() + HINT_SECONDS  # one budget for all the texts (a file's blocks)
        inline = self._inline(texts, directions, spans, target, glossary, document) if spans else {}
        results: list[DocumentTranslation | None] = [None] * len(texts)
        plans: dict[int, DocumentPlan] = {}
        for i, (text, route) in enumerate(zip(texts, directions)):
            if route is None or route.source == route.target:
                results[i] = _unchanged(text, route)
                continue
            plans[i] = self._plan(text, route, glossary, hints_until, inline.get(i, ()))
        self._run(plans, progress)
        for i, plan in plans.items():
            results[i] = _result(plan, self.backend(plan.source, plan.target).model_name)
        done = [r for r in results if r is not None]
        self._report(done)
        return done

    def _inline(self, texts: list[str], directions: list[Route | None], spans: Sequence[Sequence[tuple[int, int]]],
                target: TargetLike, glossary: Glossary | None,
                document: bool) -> dict[int, list[tuple[str, str, int] | None]]:
        """For each text, each inline span's text, its translation and its start (None: not carried). The spans of a
        sequence-to-sequence engine are translated on their own first, together (a contextual engine
        sees them as tags in their sentences: no translation of its own, "")."""
        wanted: dict[int, list[str | None]] = {}
        by_source: dict[Language, dict[str, str]] = {}
        for i, (text, route) in enumerate(zip(texts, directions)):
            if route is None or route.source == route.target or not spans[i]:
                continue
            contextual = self.backend(route.source, route.target).contextual
            pieces = []
            for start, end in spans[i]:
                piece = normalize_text(" ".join(text[max(0, start):max(0, end)].split())).strip()
                pieces.append(piece if inline_carried(piece) else None)
                if pieces[-1] and not contextual:
                    by_source.setdefault(route.source, {})[piece] = ""
            wanted[i] = pieces
        for language, found in by_source.items():
            todo = [s for s in found if needs_translation(s)]
            for s, doc in zip(todo, self._translate_many(todo, target, language, None, glossary, document)):
                found[s] = doc.text.strip()
            for s in found:
                found[s] = found[s] or s  # a number or a code passes through as it is
        out: dict[int, list[tuple[str, str, int] | None]] = {}
        for i, pieces in wanted.items():
            language = directions[i].source  # type: ignore[union-attr]
            out[i] = [(s, by_source.get(language, {}).get(s, ""), start) if s else None
                      for s, (start, _) in zip(pieces, spans[i])]
        return out

    def _run(self, plans: dict[int, DocumentPlan], progress: Progress | None) -> None:
        by_direction: dict[tuple[Language, Language], list[Piece]] = {}
        for plan in plans.values():
            by_direction.setdefault((plan.source, plan.target), []).extend(plan.pending)
        total = sum(len(p) for p in by_direction.values())
        done = 0
        if progress:
            progress(0, total)
        for direction, pieces in by_direction.items():
            for translated in self._translate_pieces(direction, pieces):
                done += len(translated)
                if progress:
                    progress(done, total)

    def _translate_pieces(self, direction: tuple[Language, Language], pieces: list[Piece]) -> Iterator[list[Piece]]:
        """Fill in ``piece.result`` for ``pieces``: from the cache, then in length-sorted model batches.

        Yields the pieces finished by each step (the cache's hits first, then each batch), so
        callers report progress per model batch. Each batch is written to the cache as it ends.
        """
        backend = self.backend(*direction)
        namespace = backend.fingerprint
        if self.cache is not None:
            hits = self.cache.get_many(namespace, [p.source_text for p in pieces])
            for piece in pieces:
                if piece.source_text in hits:
                    piece.result, piece.score, piece.guarded = _decode_cached(hits[piece.source_text])
            found = [p for p in pieces if p.result is not None]
            pieces = [p for p in pieces if p.result is None]
            if found:
                self.observer.cache_hits("-".join(direction), len(found))
                self._apply_glossary(direction, namespace, found)
                yield found
        if not pieces:
            return
        if backend.contextual:
            calls = self._context_calls(direction, pieces)
        else:
            calls = self._model_calls(direction, [p.source_text for p in pieces],
                                      backend.count_tokens([p.source_text for p in pieces]))
        for batch, scored in calls:
            for i, (out, score, guarded) in zip(batch, scored):
                pieces[i].result, pieces[i].score, pieces[i].guarded = out, score, guarded
            if self.cache is not None:
                self.cache.put_many(namespace, [(pieces[i].source_text, _encode_cached(*item))
                                                for i, item in zip(batch, scored)])
            done = [pieces[i] for i in batch]
            self._apply_glossary(direction, namespace, done)
            yield done

    def _model_calls(self, direction: tuple[Language, Language], sources: list[str],
                     lengths: list[int]) -> Iterator[tuple[list[int], list[tuple[str, float | None, bool]]]]:
        """(indices, their scored translations) per model call: through the direction's batching queue,
        shared with concurrent requests, or (batching off) this request's own length-sorted calls.

        Closing the iterator early drops the sentences no model call has taken yet.
        """
        scheduler = self.scheduler(*direction)
        if scheduler is None:
            score = self._observed(direction, self.backend(*direction).translate_scored)
            for batch in make_batches(lengths, max_size=self.settings.batch_size,
                                      max_tokens=self.settings.max_batch_tokens):
                yield batch, score([sources[i] for i in batch])
            return
        ticket = scheduler.submit(sources, lengths)
        try:
            for batch in ticket:
                yield batch, [ticket.results[i] for i in batch]
        finally:
            ticket.cancel()

    def _context_calls(self, direction: tuple[Language, Language],
                       pieces: list[Piece]) -> Iterator[tuple[list[int], list[tuple[str, float | None, bool]]]]:
        """(indices, their scored translations) per paragraph, for a contextual engine: each paragraph's
        consecutive pieces with its context, up to ``backend.parallel`` paragraphs at once (the server
        batches them), finished ones first. Closing the iterator early cancels the ones not started."""
        backend = self.backend(*direction)
        groups: list[list[int]] = []
        for i, piece in enumerate(pieces):
            if groups and pieces[groups[-1][-1]].context is piece.context and piece.context is not None:
                groups[-1].append(i)
            else:
                groups.append([i])

        def run(group: list[int]) -> list[tuple[str, float | None, bool]]:
            context = pieces[group[0]].context or Context()
            self.observer.model_call("-".join(direction), len(group))
            return backend.translate_context([pieces[i].source_text for i in group], context.before, context.terms)

        if backend.parallel <= 1 or len(groups) == 1:
            for group in groups:
                yield group, run(group)
            return
        pool = ThreadPoolExecutor(max_workers=min(backend.parallel, len(groups)), thread_name_prefix="llm")
        try:
            futures = {pool.submit(run, group): group for group in groups}
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _apply_glossary(self, direction: tuple[Language, Language], namespace: str, pieces: list[Piece]) -> None:
        """Put the target terms (and inline spans' translations) in place of the placeholders; a sentence
        that lost one is translated again without them, and remembered as such (its ``glossary`` flag,
        when a glossary term was lost). A piece that is an inline span whole is marked with it."""
        lost = []
        for piece in pieces:
            if piece.placeholders:
                restored = restore(piece.result or "", piece.placeholders, direction[1])
                if restored is None:
                    lost.append(piece)
                else:
                    piece.result = restored
        if lost:
            self._again(direction, namespace, lost)
        for piece in pieces:
            if piece.tags:
                piece.result = inline_untag(piece.result or "", piece.tags)
            for key in piece.whole:
                piece.result = wrap(key, piece.result or "")

    def _again(self, direction: tuple[Language, Language], namespace: str, lost: list[Piece]) -> None:
        """Translate pieces that lost a placeholder again, without any."""
        sources = [p.plain_text for p in lost]
        lengths = self.backend(*direction).count_tokens(sources)
        for batch, scored in self._model_calls(direction, sources, lengths):
            for i, (out, score, guarded) in zip(batch, scored):
                piece = lost[i]
                piece.result, piece.score, piece.guarded = out, score, guarded
                piece.glossary_lost = any(not term.startswith(OPEN) for term in (piece.placeholders or {}).values())
            if self.cache is not None:
                self.cache.put_many(namespace, [(sources[i], _encode_cached(*item)) for i, item in zip(batch, scored)])


_SCORED = "\x00"  # cache values that carry a score and the guard's verdict begin with this


def _whole(piece: Piece, spans: list[tuple[int, int, int]]) -> tuple[int, ...]:
    """The keys of the inline spans that are the whole piece."""
    return tuple(key for start, end, key in spans if end - start == len(piece.text.strip()))


def _encode_cached(text: str, score: float | None, guarded: bool) -> str:
    return _SCORED + json.dumps({"t": text, "s": score, "g": guarded}, ensure_ascii=False)


def _decode_cached(value: str) -> tuple[str, float | None, bool]:
    if value.startswith(_SCORED):
        try:
            item = json.loads(value[1:])
            return item["t"], item.get("s"), bool(item.get("g"))
        except (ValueError, KeyError, TypeError):
            pass
    return value, None, False  # written before scores were kept


def _windows(pieces: list[Piece], size: int) -> list[list[Piece]]:
    """Consecutive groups of whole paragraphs' pieces, each with at least ``size`` pieces (but the last)."""
    windows: list[list[Piece]] = []
    current: list[Piece] = []
    for i, piece in enumerate(pieces):
        current.append(piece)
        next_paragraph = pieces[i + 1].paragraph if i + 1 < len(pieces) else None
        if len(current) >= size and next_paragraph != piece.paragraph:
            windows.append(current)
            current = []
    if current:
        windows.append(current)
    return windows


def _paragraph(plan: DocumentPlan, index: int) -> tuple[Segment, ...]:
    """One translated paragraph's segments, each with its confidence and flags."""
    script = plan.target_script
    out = []
    for (source, target), pieces in zip(plan.assemble_paragraph(index), plan.sentence_pieces(index)):
        key = (index, len(out))
        if key in plan.remembered:  # a person's translation, in the script asked for
            written = to_script(target, script or "Hans") if plan.target == "zh" else target
            out.append(Segment(source, written, 1.0, (), "memory"))
            continue
        shown, marks = unmark(inline_convert(target, lambda t: to_script(t, script)) if script else target)
        target = unmark(target)[0]
        modelled = [p for p in pieces if p.translate]
        if not modelled:
            out.append(Segment(source, shown, origin="copied"))  # numbers, URLs, list markers: passed through
            continue
        flags = check_translation(source, target, source_language=plan.source, glossary=plan.glossary)
        if any(p.guarded for p in modelled):
            flags.append(Flag("repetition", "The model repeated itself; its output was decoded again or cut."))
        if any(p.glossary_lost for p in modelled) and not any(f.code == "glossary" for f in flags):
            flags.append(Flag("glossary", "The glossary's terms could not be kept in this sentence; it was "
                                          "translated without them."))
        scores = [p.score for p in modelled if p.score is not None]
        score = min(scores) if scores else None  # a long sentence is as sure as its weakest piece
        if score is not None and math.exp(score) < LOW_SCORE:
            flags.append(Flag("score", f"The model was unsure of this sentence ({math.exp(score):.2f})."))
        out.append(Segment(source, shown, confidence(score, flags), tuple(flags), hints=plan.hints.get(key, ()),
                           marks=marks))
    return tuple(out)


def _result(
    plan: DocumentPlan, model: str, paragraphs: tuple[tuple[Segment, ...], ...] | None = None
) -> DocumentTranslation:
    script = plan.target_script
    if paragraphs is None or len(paragraphs) != len(plan.sentences):
        paragraphs = tuple(_paragraph(plan, i) for i in range(len(plan.sentences)))
    glue = separator(plan.target)
    text = plan.layout.render([glue.join(seg.target for seg in para) for para in paragraphs])
    return DocumentTranslation(plan.source, plan.target, model, paragraphs, text, plan.source_script, script)


def _unchanged(text: str, route: Route | None) -> DocumentTranslation:
    """A document that needs no model: returned as given, or converted to the Chinese script asked for."""
    src, tgt = (route.source, route.target) if route else ("en", "zh")
    layout = paragraph_layout(normalize_text(text))
    script = route.target_script if route and src == tgt == "zh" and route.target_script else None
    if script and script != route.source_script:  # Simplified <-> Traditional: converted, no model
        converted = [rewrite(p, script) for p in layout.paragraphs]
        paragraphs = tuple((Segment(p, c, origin="copied"),) for p, c in zip(layout.paragraphs, converted))
        return DocumentTranslation(src, tgt, "", paragraphs, layout.render(converted), route.source_script, script)
    paragraphs = tuple((Segment(p, p, origin="copied"),) for p in layout.paragraphs)
    return DocumentTranslation(src, tgt, "", paragraphs, text, route.source_script if route else None)


class Route(NamedTuple):
    """How one text is handled: from and to which language, and the Chinese scripts involved."""

    source: Language
    target: Language
    source_script: Script | None
    target_script: Script | None


def _public(name: str) -> str:
    """A model's name as users may see it: a Hub id as it is, a folder (here or on the LLM server) by its name."""
    path = Path(name).expanduser()
    return path.name if path.is_absolute() or path.is_dir() else name
