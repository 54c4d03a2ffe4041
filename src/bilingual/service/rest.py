"""The REST API: LibreTranslate's routes, fields, status codes and error texts, for Chinese and English.

Every route is a thin caller of the library: it reads the request (JSON or form),
checks the key, the rate and the size limits before any model work, takes a slot of
the process-wide :class:`~bilingual.service.work.WorkLimit`, and calls the shared
:class:`~bilingual.translation.translator.Translator` or
:class:`~bilingual.summarization.summarizer.Summarizer` in a worker thread. Errors
come back as ``{"error": message}``; messages never hold a stack trace or a server path.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import parse_qs

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import documents
from ..config import ServiceSettings
from ..errors import (
    BackendNotAvailableError,
    BilingualError,
    ModelNotAvailableError,
    QuotaExceededError,
    ServerBusyError,
    UnsupportedLanguageError,
    redact,
)
from ..languages import NAMES, SCRIPT_TAGS, TAGS, Language, Target, parse_target
from ..summarization.summarizer import Summarizer
from ..text.chinese import chinese_script
from ..text.detect import detect_language
from ..translation.glossary import Glossary, GlossaryError, load_glossary, parse_glossary
from ..translation.memory import MAX_CHARS as MEMORY_MAX_CHARS
from ..translation.translator import Translator
from .admission import ADMITTED, Admission, RateLimits, RefusedError, header_or_query_key, may_suggest
from .filestore import FileStore, download_name
from .glossaries import GlossaryStore
from .guard import NOT_FOUND_MESSAGE
from .jobs import DocumentJobs, JobNotFound, JobNotReady, file_job
from .keys import KeyStore
from .work import WorkLimit

logger = logging.getLogger(__name__)
T = TypeVar("T")

SUMMARY_METHODS = ("auto", "extractive", "abstractive")
# GET /languages: LibreTranslate's codes and names (its "zh" and "zt" models shown as zh-Hans and zh-Hant)
LIBRETRANSLATE_LANGUAGES = (("en", "English"), ("zh-Hans", "Chinese"), ("zh-Hant", "Chinese (traditional)"))
LIBRETRANSLATE_CODES = tuple(code for code, _ in LIBRETRANSLATE_LANGUAGES)
REGIONAL_TARGETS = ("zh-TW", "zh-HK")  # Traditional with Taiwan and Hong Kong usage (OpenCC)
CONTRADICTION_CONFIDENCE = 0.8  # a given source is corrected only when detection is at least this sure


class ApiError(Exception):
    """An answer other than 200: ``{"error": message}`` with ``status``."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


def _missing(name: str) -> ApiError:
    return ApiError(400, f"Invalid request: missing {name} parameter")


def _language(code: Any, *, allow_auto: bool = False) -> Language | None:
    """A request's source language as ``"zh"``/``"en"`` (None for ``auto``), or a 400 "xx is not supported"."""
    target = _target(code, allow_auto=allow_auto)
    return target.language if target else None


def _target(code: Any, *, allow_auto: bool = False) -> Target | None:
    """A request's language code parsed once, here at the edge (``zh-TW`` keeps its script), None for
    ``auto``; else a 400. The parsed :class:`~bilingual.languages.Target` is what goes down."""
    if not isinstance(code, str):
        raise ApiError(400, "Invalid request: language codes must be strings such as 'en' or 'zh'")
    if allow_auto and code.strip().lower() == "auto":
        return None
    if code.strip().lower() == "zh":
        return Target("zh", "Hans")  # LibreTranslate's alias of zh-Hans: Traditional text comes out Simplified
    try:
        return parse_target(code)
    except UnsupportedLanguageError:
        raise ApiError(400, f"{code[:40]} is not supported") from None


def _flag(value: Any) -> bool:
    return value is True or str(value or "").strip().lower() in ("1", "true", "yes", "on")


def _layout(value: Any) -> str:
    """REST's ``layout`` (``side``, ``below``; empty: the format's own bilingual layout), checked here so a bad
    one is a 400 before the file is read."""
    layout = str(value or "").strip().lower()
    if layout not in documents.LAYOUTS:
        raise ApiError(400, "Invalid request: layout must be side or below (or left out).")
    return layout


def _base(tag: str) -> Language:
    """``zh-Hans``/``zh-Hant``/``en`` -> ``zh``/``en``."""
    return parse_target(tag).language


def _contradiction(text: str, source: Language) -> dict[str, Any] | None:
    """LibreTranslate's ``{confidence, language}`` when ``text`` is plainly in the other language than
    ``source`` says (detected with confidence 0.8 or more); None when it agrees or cannot be told."""
    if not text.strip():
        return None
    try:
        language, confidence = detect_language(text[:20_000], with_confidence=True)
    except UnsupportedLanguageError:
        return None  # another language altogether: the model's own error will say so
    if language == source or confidence < CONTRADICTION_CONFIDENCE:
        return None
    tag = SCRIPT_TAGS[chinese_script(text)] if language == "zh" else TAGS[language]
    return {"confidence": round(confidence * 100, 1), "language": tag}


def _by_source(items: list[str], sources: list, translate: Callable) -> list:
    """Translate ``items`` grouped by their source language, in one call per language, in order."""
    out: list = [None] * len(items)
    for source in dict.fromkeys(sources):
        indices = [i for i, s in enumerate(sources) if s == source]
        for i, doc in zip(indices, translate([items[i] for i in indices], source)):
            out[i] = doc
    return out


def _fields(raw: bytes, what: str) -> dict[str, Any]:
    """Urlencoded fields (a query string or a form body), decoded as UTF-8; ``q`` given more than once
    is a list (a batch), any other field its first value."""
    try:
        fields = parse_qs(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=50, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, f"Invalid request: {what} could not be read (send at most 50 fields, in UTF-8)") from None
    return {k: (v if (k == "q" and len(v) > 1) else v[0]) for k, v in fields.items()}


def _whole_number(value: Any, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ApiError(400, f"Invalid request: {name} must be a whole number")
    try:
        number = int(value)
    except ValueError:
        raise ApiError(400, f"Invalid request: {name} must be a whole number") from None
    if number < 0:
        raise ApiError(400, f"Invalid request: {name} must not be negative")
    return number


def _segments(doc) -> list[list[dict[str, Any]]]:
    """``detail=true``: per paragraph, each sentence with its translation, confidence, flags, origin
    (model, memory or copied) and the translation memory's hints."""
    return [[seg.as_dict() for seg in paragraph] for paragraph in doc.paragraphs]


def _key_record(request: Request):
    return (request.scope.get("state") or {}).get("bilingual.key")


def _namespace(request: Request) -> str:
    """The translation memory a request reads and writes: its API key's own, or the shared one."""
    record = _key_record(request)
    return f"key:{record.id}" if record is not None else ""


def _owner(request: Request) -> str:
    """Whose quota a request counts against: its API key's, or its client address's."""
    return _namespace(request) or f"ip:{request.client.host if request.client else '?'}"


def _error_for(exc: BaseException) -> ApiError:
    """The HTTP answer for an exception raised by the library."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, ServerBusyError):
        return ApiError(503, str(exc), {"Retry-After": "30"})
    if isinstance(exc, QuotaExceededError):
        return ApiError(429, str(exc))
    if isinstance(exc, (ModelNotAvailableError, BackendNotAvailableError)):
        return ApiError(503, redact(str(exc)))
    if isinstance(exc, BilingualError):
        return ApiError(400, redact(str(exc)))
    logger.error("unexpected error in a REST request", exc_info=exc)
    return ApiError(500, "Cannot translate text: the server hit an unexpected error; it is recorded in the server's log")


class RestApi:
    """The REST routes over one shared translator, summarizer and work limit.

    Args:
        translator: the process's translator (its models load once).
        summarizer: the process's summarizer.
        service: limits, keys and CORS settings.
        work: the process-wide work limit, shared with the web page.
        keys: the API key store.
        files: where translated files wait to be downloaded (quotas per key or client address).
        glossaries: stored glossaries (default: ``<home>/glossaries``, with the service's quotas).
        admission: keys and rate limits, shared with the guard in front (default: a new one).
    """

    def __init__(
        self,
        translator: Translator,
        summarizer: Summarizer,
        service: ServiceSettings,
        *,
        work: WorkLimit,
        keys: KeyStore,
        files: FileStore,
        glossaries: GlossaryStore | None = None,
        admission: Admission | None = None,
        jobs: DocumentJobs | None = None,
    ) -> None:
        self.translator = translator
        self.summarizer = summarizer
        self.service = service
        self.work = work
        self.keys = keys
        self.files = files
        self.jobs = jobs  # background document jobs (set by the server: they call back into this API)
        self.glossaries = glossaries or GlossaryStore(files.folder.parent / "glossaries",
                                                      per_owner=service.glossary_quota, total=50 * service.glossary_quota)
        self.admission = admission or Admission(service, keys, RateLimits(service.rate_window_s))

    # -- plumbing -----------------------------------------------------------------------------

    async def _params(self, request: Request) -> dict[str, Any]:
        """The request's fields, read as LibreTranslate reads them.

        A JSON body (``application/json`` or ``application/*+json``) is read alone, as Flask's
        ``get_json()``; the query string only fills in fields the body lacks. Any other POST
        is read as Flask's ``request.values``: the query string first, then the form
        (urlencoded or multipart). A GET has its query string. ``q`` given more than once is a batch.
        """
        query = _fields(request.scope.get("query_string", b""), "the query string")
        if request.method == "GET":
            return query
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "application/json" or (content_type.startswith("application/")
                                                  and content_type.endswith("+json")):
            try:
                data = json.loads(await request.body() or b"null")
            except (ValueError, UnicodeDecodeError):
                raise ApiError(400, "Invalid request: the body is not valid JSON") from None
            except RecursionError:
                raise ApiError(400, "Invalid request: the JSON body is nested too deeply") from None
            if data is None:
                data = {}
            if not isinstance(data, dict):
                raise ApiError(400, "Invalid request: the JSON body must be an object such as {\"q\": \"...\"}")
            return {**query, **data}
        if content_type in ("application/x-www-form-urlencoded", ""):
            # parsed here rather than by Starlette, which decodes unescaped bytes as Latin-1
            form = _fields(await request.body(), "the form data")
        else:
            try:
                parsed = await request.form(max_files=1, max_fields=50)
            except Exception:  # noqa: BLE001 - python-multipart raises several types for broken bodies
                raise ApiError(400, "Invalid request: the form data could not be read") from None
            form = {}
            for key in parsed:
                values = parsed.getlist(key)
                form[key] = values if (key == "q" and len(values) > 1) else values[0]
        return {**form, **query}

    def _admit(self, request: Request, params: dict[str, Any]) -> int:
        """Check the API key and the request rate (unless the guard did, before the body); returns the
        request's character limit."""
        address = request.client.host if request.client else "?"
        state = request.scope.get("state") or {}
        try:
            if ADMITTED in state:
                record = state[ADMITTED]
            else:
                key = params.get("api_key")
                auth = request.headers.get("authorization", "")
                if not key and auth.lower().startswith("bearer "):
                    key = auth[7:].strip()
                record = self.admission.check_key(key, address)
                self.admission.count_request(record, address)
        except RefusedError as exc:
            raise ApiError(exc.refusal.status, exc.refusal.message, exc.refusal.headers or None) from None
        request.scope.setdefault("state", {})["bilingual.key"] = record
        if record is not None and record.char_limit:
            return min(record.char_limit, self.service.char_limit)
        return self.service.char_limit

    async def _run(self, func: Callable[[], T]) -> T:
        """Run ``func`` in a worker thread, inside a slot of the process-wide work limit."""

        def job() -> T:
            with self.work.slot():
                return func()

        try:
            return await run_in_threadpool(job)
        except ApiError:
            raise
        except Exception as exc:  # noqa: BLE001 - every library error becomes a JSON answer
            raise _error_for(exc) from None

    # -- routes -------------------------------------------------------------------------------

    async def translate(self, request: Request) -> dict[str, Any]:
        params = await self._params(request)
        char_limit = self._admit(request, params)
        q, source, target = params.get("q"), params.get("source"), params.get("target")
        if q is None or q == [] or (isinstance(q, str) and not q.strip()):
            raise _missing("q")
        if not source:
            raise _missing("source")
        if not target:
            raise _missing("target")
        batch = isinstance(q, list)
        items = q if batch else [q]
        if not isinstance(q, (str, list)):
            raise ApiError(400, "Invalid request: q must be a string or a list of strings")
        if batch and len(items) > self.service.batch_limit:
            raise ApiError(400, f"Invalid request: request ({len(items)}) exceeds text limit ({self.service.batch_limit})")
        if not all(isinstance(t, str) for t in items):
            raise ApiError(400, "Invalid request: q must be a string or a list of strings")
        chars = sum(len(t) for t in items)
        if chars > char_limit:
            raise ApiError(400, f"Invalid request: request ({chars}) exceeds text limit ({char_limit})")
        text_format = params.get("format") or "text"
        if text_format not in ("text", "html"):
            raise ApiError(400, f"{str(text_format)[:40]} format is not supported")
        wanted = _whole_number(params.get("alternatives"), "alternatives", 0)
        if wanted > self.service.alternatives_limit:
            raise ApiError(
                400, f"Invalid request: alternatives ({wanted}) exceeds the limit ({self.service.alternatives_limit})"
            )
        src = _language(source, allow_auto=True)
        tgt = _target(target)
        strict = _flag(params.get("strict_source"))
        detected: list[dict[str, Any]] = []
        if src is None:
            detected = await run_in_threadpool(lambda: [self._detected(t) for t in items])
            sources: list[Language | None] = [None] * len(items)
        else:
            # a source that the text plainly contradicts (source=en on Chinese text) is corrected and said so
            # in detectedLanguage; with strict_source it is refused instead
            found = await run_in_threadpool(lambda: [_contradiction(t, src) for t in items])
            if any(found):
                if strict:
                    language = next(f for f in found if f)["language"]
                    raise ApiError(400, f"Invalid request: the text is {NAMES[_base(language)]}, not "
                                        f"{NAMES[src]} as source says; send source=auto, or the right language")
                detected = [f or {"confidence": 100.0, "language": TAGS[src]} for f in found]
            sources = [_base(f["language"]) if f else src for f in found]

        detail = _flag(params.get("detail"))
        glossary = self._glossary(params.get("glossary"))
        segments: list[list[list[dict[str, Any]]]] = []
        model_type, engine = self._model_type(params.get("model_type"))
        translator = self.translator.with_engine(engine).with_memory(_namespace(request))

        def work() -> tuple[list[str], list[list[str]]]:
            if text_format == "html":
                with_terms = translator.with_glossary(glossary)
                out = [documents.html(with_terms, t, tgt, source=s) for t, s in zip(items, sources)]
            else:
                docs = _by_source(items, sources, lambda texts, s: translator.translate_documents(
                    texts, tgt, source=s, glossary=glossary))
                out = [doc.text for doc in docs]
                if detail:
                    segments.extend(_segments(doc) for doc in docs)
            alts = ([translator.alternatives(t, wanted, tgt, source=s) for t, s in zip(items, sources)]
                    if wanted and text_format == "text" else [])
            return out, alts

        out, alts = await self._run(work)
        answer: dict[str, Any] = {"translatedText": out if batch else out[0]}
        if detected:
            answer["detectedLanguage"] = detected if batch else detected[0]
        if wanted:
            answer["alternatives"] = (alts if batch else alts[0]) if alts else ([[] for _ in items] if batch else [])
        if segments:
            answer["segments"] = segments if batch else segments[0]
        if params.get("model_type"):
            answer["model_type_used"] = model_type  # as DeepL answers
        return answer

    def _model_type(self, value: Any) -> tuple[str, str | None]:
        """DeepL's ``model_type``: (the type used, the engine it asks for; None: the default one).

        ``latency_optimized`` (or none) is the default engine; ``quality_optimized`` the configured
        quality engine (400 when there is none); ``prefer_quality_optimized`` that one when configured.
        """
        quality = self.translator.settings.quality_engine
        if value in (None, "", "latency_optimized"):
            return "latency_optimized", None
        if value == "prefer_quality_optimized":
            return ("quality_optimized", quality) if quality else ("latency_optimized", None)
        if value == "quality_optimized":
            if not quality:
                raise ApiError(400, "Invalid request: this server has no quality engine (BILINGUAL_QUALITY_ENGINE); "
                                    "send model_type=latency_optimized or leave it out")
            return "quality_optimized", quality
        raise ApiError(400, "Invalid request: model_type must be latency_optimized, quality_optimized or "
                            "prefer_quality_optimized")

    def _detected(self, text: str) -> dict[str, Any]:
        """LibreTranslate's ``{confidence (0-100), language}`` for one text; 400 if it is not zh or en."""
        if not text.strip():
            return {"confidence": 0.0, "language": TAGS["en"]}
        try:
            language, confidence = detect_language(text[:20_000], with_confidence=True)
        except UnsupportedLanguageError as exc:
            raise ApiError(400, str(exc)) from None
        tag = SCRIPT_TAGS[chinese_script(text)] if language == "zh" else TAGS[language]
        return {"confidence": round(confidence * 100, 1), "language": tag}

    async def _single_text(self, request: Request) -> tuple[dict[str, Any], str]:
        """The fields of a request that carries one text ``q``, admitted and size-checked."""
        params = await self._params(request)
        char_limit = self._admit(request, params)
        q = params.get("q")
        if q is None or q == "":
            raise _missing("q")
        if not isinstance(q, str):
            raise ApiError(400, "Invalid request: q must be a string")
        if not q.strip():
            raise ApiError(400, "Invalid request: q holds no text (only white space)")
        if len(q) > char_limit:
            raise ApiError(400, f"Invalid request: request ({len(q)}) exceeds text limit ({char_limit})")
        return params, q

    async def detect(self, request: Request) -> list[dict[str, Any]]:
        _, q = await self._single_text(request)
        return [await run_in_threadpool(self._detected, q)]

    def _glossary(self, value: Any) -> Glossary | None:
        """A request's ``glossary``: entries ({term: target}, [[term, target]], TSV/CSV text) or a stored id."""
        if value is None or value == "":
            return None
        try:
            if isinstance(value, str) and self.glossaries.exists(value):
                return self.glossaries.get(value)
            if isinstance(value, list) and all(isinstance(p, list) and len(p) == 2 for p in value):
                value = {str(a): str(b) for a, b in value}
            if isinstance(value, (dict, str)):
                return load_glossary(value if isinstance(value, dict) else parse_glossary(value, "the glossary"))
        except GlossaryError as exc:
            raise ApiError(400, f"Invalid request: {exc}") from None
        raise ApiError(400, "Invalid request: glossary must be an object of terms, a list of [term, translation] "
                            "pairs, TSV/CSV text, or the id of a stored glossary")

    async def create_glossary(self, request: Request) -> dict[str, Any]:
        """Store a glossary on the server; its id can then be passed as ``glossary``."""
        params = await self._params(request)
        self._admit(request, params)
        entries = params.get("entries", params.get("glossary"))
        if isinstance(entries, UploadFile):
            entries = (await entries.read()).decode("utf-8", "replace")
        if isinstance(entries, str) and self.glossaries.exists(entries):
            raise _missing("entries")  # an id names a stored glossary; it holds no new entries
        glossary = self._glossary(entries)
        if glossary is None:
            raise _missing("entries")
        try:
            stored = await run_in_threadpool(self.glossaries.put, glossary, _owner(request))
        except BilingualError as exc:
            raise _error_for(exc) from None
        return {"id": stored, "entries": len(glossary)}

    def languages(self) -> list[dict[str, Any]]:
        """What LibreTranslate 1.9 lists for English and Chinese (every language a target of every
        other, itself included), with our regional Chinese targets added where clients can use them."""
        return [{"code": code, "name": name, "targets": [*LIBRETRANSLATE_CODES, *REGIONAL_TARGETS]}
                for code, name in LIBRETRANSLATE_LANGUAGES]

    async def _file_job(self, request: Request) -> tuple[dict[str, Any], bytes]:
        """A file request's fields (as ``/translate_file`` and ``/document`` take them), checked before any work:
        (the job's parameters, the file's bytes)."""
        params = await self._params(request)
        self._admit(request, params)
        record = request.scope["state"].get("bilingual.key")
        # a file has its own limits (size, pages, BILINGUAL_MAX_DOCUMENT_CHARS), not the request's text limit;
        # a key with a character limit of its own holds its files to it too
        char_limit = record.char_limit if record is not None and record.char_limit else None
        upload = params.get("file")
        source, target = params.get("source"), params.get("target")
        if not isinstance(upload, UploadFile):
            raise _missing("file")
        if not source:
            raise _missing("source")
        if not target:
            raise _missing("target")
        if not upload.filename:
            raise ApiError(400, "Invalid request: empty file")
        try:
            suffix = documents.suffix_of(upload.filename)
        except BilingualError as exc:
            raise ApiError(400, f"Invalid request: file format not supported. {exc}") from None
        src = _language(source, allow_auto=True)
        tgt = _target(target)
        data = await upload.read()
        if not data:
            raise ApiError(400, "Invalid request: empty file")
        try:
            documents.FORMATS[suffix].check(data, char_limit)  # what can be refused before any work
        except BilingualError as exc:
            raise ApiError(400, f"Invalid request: {exc}") from None
        output = params.get("output") if isinstance(params.get("output"), str) else None
        job = file_job(upload.filename, source=src, target=tgt.tag, bilingual=_flag(params.get("bilingual")),
                       out_suffix=documents.output_suffix(suffix, output), char_limit=char_limit,
                       engine=self._model_type(params.get("model_type"))[1], namespace=_namespace(request),
                       retranslate=_flag(params.get("retranslate")), sheet_names=_flag(params.get("sheet_names")),
                       layout=_layout(params.get("layout")))
        return job, data

    def translate_job(self, job: dict[str, Any], data: bytes, progress: Callable[[int, int], None] | None = None,
                      report: dict | None = None) -> tuple[bytes, str]:
        """Translate a file request (:func:`file_job`): (the translated file, its download name)."""
        translator = self.translator.with_engine(job["engine"]).with_memory(job["namespace"])
        if job.get("glossary"):
            translator = translator.with_glossary(parse_glossary(job["glossary"], "the glossary"))
        target = parse_target(job["target"]) if job["target"] else None
        report = {} if report is None else report
        translated = documents.translate_content(
            translator, data, job["filename"], target, source=job["source"], bilingual=job["bilingual"],
            out_suffix=job["out_suffix"], max_chars=job["char_limit"], memory=self.work.memory,
            retranslate=job["retranslate"], progress=progress, report=report, sheet_names=job.get("sheet_names", False),
            layout=job.get("layout", ""))
        docs = report.get("documents") or []
        tag = target.tag if target else (TAGS[docs[0].target_language] if docs else "translated")
        suffix = documents.suffix_of(job["filename"])
        bilingual = job["bilingual"] or bool(job.get("layout"))
        name = download_name(job["filename"], tag + (".bilingual" if bilingual else ""))
        return translated, (name[: -len(suffix)] + job["out_suffix"] if suffix != job["out_suffix"] else name)

    def run_job(self, job: dict[str, Any], data: bytes, progress: Callable[[int, int], None]) -> tuple:
        """A background job's translation (:mod:`.jobs`), inside a slot of the process-wide work limit; with
        ``view`` in the job (the page's), also its text side by side, as JSON."""
        report: dict = {}
        with self.work.slot():
            translated, name = self.translate_job(job, data, progress, report)
        if not job.get("view"):
            return translated, name
        docs = report.get("documents") or []
        view = {"source": docs[0].source_language if docs else "en", "target": docs[0].target_language if docs else "zh",
                "paragraphs": [[seg.as_dict() for seg in p] for doc in docs for p in doc.paragraphs],
                "warnings": report.get("warnings", [])}
        return translated, name, json.dumps(view, ensure_ascii=False).encode()

    async def translate_file(self, request: Request) -> dict[str, Any]:
        job, data = await self._file_job(request)
        report: dict = {}
        translated, name = await self._run(lambda: self.translate_job(job, data, report=report))
        try:
            stored = self.files.put(translated, name, _owner(request))
        except BilingualError as exc:
            raise _error_for(exc) from None
        answer: dict[str, Any] = {"translatedFileUrl": str(request.url_for("download_file", filename=stored))}
        if report.get("warnings"):  # what was done otherwise than asked (a sheet kept the in-cell layout)
            answer["warnings"] = report["warnings"]
        return answer

    async def create_document(self, request: Request) -> dict[str, str]:
        """DeepL's ``POST /document``: the file is checked and queued; the answer comes at once."""
        if self.jobs is None:
            raise ApiError(404, NOT_FOUND_MESSAGE)
        job, data = await self._file_job(request)
        try:
            job_id, key = self.jobs.submit(data, job["filename"], job, _owner(request))
        except BilingualError as exc:
            raise _error_for(exc) from None
        return {"document_id": job_id, "document_key": key}

    async def document_status(self, request: Request, document_id: str) -> dict[str, Any]:
        """DeepL's document status: ``status`` (queued, translating, done, error), ``progress``,
        ``seconds_remaining`` and ``error_message``; ``document_key`` in the query or the body."""
        key, owner = await self._document_key(request)
        try:
            return self.jobs.status(document_id, key, owner).as_dict()
        except JobNotFound as exc:
            raise ApiError(404, str(exc)) from None

    async def document_result(self, request: Request, document_id: str) -> FileResponse:
        key, owner = await self._document_key(request)
        try:
            path, name = self.jobs.result(document_id, key, owner)
        except JobNotFound as exc:
            raise ApiError(404, str(exc)) from None
        except JobNotReady as exc:
            raise ApiError(503, str(exc), {"Retry-After": "2"}) from None
        return FileResponse(path, filename=name, content_disposition_type="attachment")

    async def _document_key(self, request: Request) -> tuple[str, str]:
        if self.jobs is None:
            raise ApiError(404, NOT_FOUND_MESSAGE)
        params = await self._params(request)
        self._admit(request, params)
        key = params.get("document_key")
        if not isinstance(key, str) or not key:
            raise _missing("document_key")
        return key, _owner(request)

    def download_file(self, filename: str) -> FileResponse:
        path = self.files.get(filename)
        if path is None:
            minutes = max(1, round(self.service.file_retention_s / 60))
            raise ApiError(404, f"File not found: translated files can be downloaded for {minutes} minute(s).")
        return FileResponse(path, filename=FileStore.original_name(filename), content_disposition_type="attachment")

    async def summarize(self, request: Request) -> dict[str, str]:
        params, q = await self._single_text(request)
        language = _target(params.get("language") or "auto", allow_auto=True)
        method = params.get("method") or "auto"
        if method not in SUMMARY_METHODS:
            raise ApiError(400, f"Invalid request: method must be one of {', '.join(SUMMARY_METHODS)}")
        sentences = _whole_number(params.get("sentences"), "sentences", 0) or None
        if sentences is not None and sentences > 50:
            raise ApiError(400, "Invalid request: sentences must be between 1 and 50")

        translator = self.translator.with_engine(self._model_type(params.get("model_type"))[1])

        def work() -> dict[str, str]:
            report: dict[str, Any] = {}
            summary = self.summarizer.summarize(q, language=language, method=None if method == "auto" else method,
                                                num_sentences=sentences, report=report, translator=translator)
            return {"summary": summary, "method": report.get("method", "extractive")}

        return await self._run(work)

    def _may_suggest(self, request: Request, record=None) -> bool:
        if self.translator.memory is None:
            return False
        return may_suggest(self.service.suggestions, key_holder=record is not None, logged_in=False,
                           address=request.client.host if request.client else "?", header_names=request.headers.keys())

    async def suggest(self, request: Request) -> dict[str, bool]:
        """LibreTranslate's ``/suggest``: a person's translation of ``q``, kept in the translation memory
        (the caller's key's own, or the shared one) and used for that sentence from then on."""
        params = await self._params(request)
        self._admit(request, params)
        if not self._may_suggest(request, _key_record(request)):
            raise ApiError(403, "Suggestions are disabled on this server." + (
                "" if self.translator.memory is not None else " (The translation memory is off: BILINGUAL_MEMORY=0.)"))
        for name in ("q", "s", "source", "target"):
            value = params.get(name)
            if value is None or value == "":
                raise _missing(name)
            if not isinstance(value, str):
                raise ApiError(400, f"Invalid request: {name} must be a string")
        q, suggestion = params["q"], params["s"]
        for name, value in (("q", q), ("s", suggestion)):
            if len(value) > MEMORY_MAX_CHARS:
                raise ApiError(400, f"Invalid request: {name} ({len(value)}) exceeds the memory's limit "
                                    f"({MEMORY_MAX_CHARS}); suggest a sentence or a paragraph at a time")
        target = _target(params["target"])
        source = _language(params["source"], allow_auto=True)
        if source is None:
            source = self._detected_language(q)
        namespace = _namespace(request)
        memory = self.translator.memory
        assert memory is not None

        def store() -> None:
            memory.add(q, suggestion, source, target.language, namespace=namespace)

        try:
            await run_in_threadpool(store)
        except BilingualError as exc:
            raise _error_for(exc) from None
        return {"success": True}

    def _detected_language(self, text: str) -> Language:
        try:
            return detect_language(text[:20_000])
        except UnsupportedLanguageError as exc:
            raise ApiError(400, str(exc)) from None

    def frontend_settings(self, request: Request) -> dict[str, Any]:
        key = header_or_query_key(request.scope)
        record = self.keys.lookup(key) if key else None
        return {
            "charLimit": self.service.char_limit,
            "batchLimit": self.service.batch_limit,
            "frontendTimeout": 500,
            "apiKeys": self.keys.count() > 0 or self.service.require_api_key,
            "keyRequired": self.service.require_api_key,
            "suggestions": self._may_suggest(request, record),  # for this caller
            "filesTranslation": True,
            "supportedFilesFormat": list(documents.FORMATS),
            "fileSizeLimitMb": self.service.file_limit_mb,
            "alternativesLimit": self.service.alternatives_limit,
            "engines": self.translator.engine_choices(),
            "language": {
                "source": {"code": "auto", "name": "Auto Detect"},
                "target": dict(zip(("code", "name"), LIBRETRANSLATE_LANGUAGES[1])),
            },
        }

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "running": self.work.running, "waiting": self.work.waiting,
                "engines": self.translator.engine_choices()}

    # -- wiring -------------------------------------------------------------------------------

    def router(self) -> APIRouter:
        """The REST routes (the 405 answers for their other methods are made from these)."""
        router = APIRouter()
        text_body = {"requestBody": {"content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/TranslateRequest"}},
            "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/TranslateRequest"}},
        }}}
        router.post("/translate", tags=["translate"], summary="Translate text", openapi_extra=text_body)(self.translate)
        router.get("/translate", tags=["translate"], summary="Translate text given in the query string "
                   "(bilingual extension, for CAT-tool plugins): ?q=…&source=…&target=…")(self.translate)
        router.post("/detect", tags=["translate"], summary="Detect the language of a text",
                    openapi_extra=_form_body({"q": "string", "api_key": "string"}, ["q"]))(self.detect)
        router.get("/languages", tags=["translate"], summary="Supported languages")(self.languages)
        formats = ", ".join(documents.FORMATS)
        router.post("/translate_file", tags=["translate"], summary=f"Translate a file ({formats})",
                    openapi_extra=_form_body({"file": "binary", "source": "string", "target": "string",
                                              "api_key": "string"}, ["file", "source", "target"], multipart=True))(
            self.translate_file)
        router.post("/document", tags=["documents"], summary="Translate a file in the background (DeepL's "
                    "document API): answers {document_id, document_key} at once",
                    openapi_extra=_form_body({"file": "binary", "source": "string", "target": "string",
                                              "bilingual": "boolean", "api_key": "string"},
                                             ["file", "source", "target"], multipart=True))(self.create_document)
        for method in (router.get, router.post):
            method("/document/{document_id}", tags=["documents"],
                   summary="A background translation's status, progress and time left (document_key)")(
                self.document_status)
            method("/document/{document_id}/result", tags=["documents"], response_class=FileResponse,
                   summary="The translated file of a finished background translation (document_key)")(
                self.document_result)
        router.get("/download_file/{filename}", name="download_file", tags=["translate"],
                   summary="Download a translated file", response_class=FileResponse)(self.download_file)
        router.post("/summarize", tags=["summarize"], summary="Summarize an article (bilingual extension)",
                    openapi_extra=_form_body({"q": "string", "language": "string", "method": "string",
                                              "sentences": "integer", "api_key": "string"}, ["q"]))(self.summarize)
        router.get("/frontend/settings", tags=["frontend"], summary="Settings for front ends")(self.frontend_settings)
        router.post("/suggest", tags=["misc"], summary="Submit a person's translation to the translation memory",
                    openapi_extra=_form_body({"q": "string", "s": "string", "source": "string", "target": "string",
                                              "api_key": "string"}, ["q", "s", "source", "target"]))(self.suggest)
        router.post("/glossaries", tags=["translate"], summary="Store a glossary (bilingual extension)",
                    openapi_extra=_form_body({"entries": "string", "api_key": "string"}, ["entries"]))(
            self.create_glossary)
        router.get("/health", tags=["frontend"], summary="Liveness")(self.health)
        return router

    def install(self, app: FastAPI) -> None:
        """Add the routes, the 405 answers for every other method of their paths, and the JSON error handlers."""

        @app.exception_handler(ApiError)
        async def api_error(_: Request, exc: ApiError) -> JSONResponse:
            return JSONResponse({"error": exc.message}, status_code=exc.status, headers=exc.headers)

        @app.exception_handler(Exception)
        async def unexpected(_: Request, exc: Exception) -> JSONResponse:  # Starlette logs it too
            return JSONResponse({"error": "The server hit an unexpected error; it is recorded in the server's log."},
                                status_code=500)

        @app.exception_handler(StarletteHTTPException)
        async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
            message = NOT_FOUND_MESSAGE if (exc.status_code, exc.detail) == (404, "Not Found") else str(exc.detail)
            return JSONResponse({"error": message}, status_code=exc.status_code, headers=exc.headers)

        router = self.router()
        app.include_router(router)
        for path, allowed in allowed_methods([*router.routes, *app.routes]).items():
            others = sorted({"GET", "POST", "PUT", "DELETE", "PATCH"} - allowed)

            async def not_allowed(_: Request, allowed=allowed) -> JSONResponse:
                return JSONResponse({"error": "Method Not Allowed"}, status_code=405,
                                    headers={"Allow": ", ".join(sorted(allowed))})

            app.add_api_route(path, not_allowed, methods=others, include_in_schema=False)

        schemas = {
            "TranslateRequest": {
                "type": "object",
                "required": ["q", "source", "target"],
                "properties": {
                    "q": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
                          "description": "Text(s) to translate"},
                    "source": {"type": "string", "example": "auto", "description": "auto, zh, zh-Hans, en ..."},
                    "target": {"type": "string", "example": "en"},
                    "format": {"type": "string", "enum": ["text", "html"], "default": "text"},
                    "alternatives": {"type": "integer", "default": 0},
                    "glossary": {"description": "bilingual extension: {term: target}, [[term, target]], TSV/CSV "
                                                "text, or the id from POST /glossaries"},
                    "detail": {"type": "boolean", "default": False,
                               "description": "bilingual extension: add segments with confidence and flags"},
                    "strict_source": {"type": "boolean", "default": False,
                                      "description": "bilingual extension: refuse (400) a text that is plainly in "
                                                     "another language than source, rather than translating it "
                                                     "from the detected one (said in detectedLanguage)"},
                    "api_key": {"type": "string"},
                },
            }
        }
        original = app.openapi

        def openapi() -> dict[str, Any]:
            spec = original()
            spec.setdefault("components", {}).setdefault("schemas", {}).update(schemas)
            return spec

        app.openapi = openapi  # type: ignore[method-assign]


def allowed_methods(routes) -> dict[str, set[str]]:
    """Path -> the methods its routes answer, for every fixed path of the API (``/spec`` too); any
    other method of those paths gets 405 in LibreTranslate's shape."""
    allowed: dict[str, set[str]] = {}
    for route in routes:
        path, methods = getattr(route, "path", ""), getattr(route, "methods", None) or set()
        if "{" not in path and path not in ("/docs", "/docs/oauth2-redirect", "/redoc"):
            allowed.setdefault(path, set()).update(methods - {"HEAD"})
    return {path: methods for path, methods in allowed.items() if methods}


def _form_body(fields: dict[str, str], required: list[str], *, multipart: bool = False) -> dict[str, Any]:
    props = {
        name: ({"type": "string", "format": "binary"} if kind == "binary" else {"type": kind})
        for name, kind in fields.items()
    }
    schema = {"type": "object", "required": required, "properties": props}
    kinds = ["multipart/form-data"] if multipart else ["application/json", "application/x-www-form-urlencoded"]
    return {"requestBody": {"content": {kind: {"schema": schema} for kind in kinds}}}
