"""The Gradio page: paste an article, translate it, read it side by side, summarize it.

Handlers only map widgets to library calls and turn typed errors into readable
messages; models are loaded once by the shared Translator and Summarizer.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import gradio as gr

from .. import documents
from ..config import ModelRef, Settings
from ..errors import (
    BilingualError,
    InputTooLargeError,
    ModelNotAvailableError,
    QuotaExceededError,
    UnsupportedFormatError,
    UnsupportedLanguageError,
    UploadError,
    redact,
)
from ..languages import TAGS, Language, Target, parse_target
from ..models import download, is_local, locate
from ..service.admission import may_suggest
from ..service.filestore import FileStore, download_name
from ..service.jobs import DocumentJobs, file_job
from ..service.work import WorkLimit
from ..summarization.summarizer import Summarizer
from ..text.chinese import chinese_script
from ..text.detect import detect_language
from ..text.pieces import needs_translation, separator
from ..translation.glossary import MAX_BYTES as MAX_GLOSSARY_BYTES
from ..translation.glossary import parse_glossary
from ..translation.result import Segment
from ..translation.translator import Translator
from . import views

logger = logging.getLogger(__name__)

DIRECTIONS = {  # the page's choices, parsed once here
    "自动 Auto": None,
    "中文 → English": parse_target("en"),
    "English → 中文": parse_target("zh"),
    "English → 繁體中文 (台灣)": parse_target("zh-TW"),
    "English → 繁體中文 (香港)": parse_target("zh-HK"),
}
# A chosen direction whose target the article is already written in: said, with the other direction offered.
ALREADY = {
    "zh": "此文本已是中文。This text is already Chinese: choose **中文 → English** (or 自动 Auto) to translate it into "
          "English.",
    "en": "This text is already English. 此文本已是英文：请选择 **English → 中文**（或 自动 Auto）将其译成中文。",
}
LENGTHS = {"短 Short": 1, "中 Medium": 3, "长 Long": 5}
METHODS = {"自动 Auto": None, "抽取 Extractive": "extractive", "生成 Abstractive": "abstractive"}
METHOD_LABELS = {"extractive": "抽取 Extractive (sentences of the article)",
                 "abstractive": "生成 Abstractive (written by the summarization model)",
                 "llm": "生成 Abstractive (written by the LLM engine)"}
FAST = "latency_optimized"  # the engine choices' values: REST's model_type
SUMMARY_LABELS = {"zh": "中文摘要 The Chinese summary", "en": "英文摘要 The English summary"}
STREAM_GROWTH = 1.5  # the streamed view is sent again when the finished part has grown by half
JOB_POLL_S = 0.5  # how often the Document tab asks a background job how far it is
DETECT_CHARS = 5_000  # the language shown while typing is judged on the article's beginning

EXAMPLES_DIR = Path(__file__).with_name("examples")
MODEL_LABELS = {
    "translate zh->en": "翻译 Translate 中→英",
    "translate en->zh": "翻译 Translate 英→中",
    "summarize en": "摘要 Summarize English",
    "summarize zh": "摘要 Summarize 中文",
}


def _shown_name(ref: ModelRef) -> str:
    """A Hub id as it is; a local folder by its name only (the page never shows server paths)."""
    return Path(ref.name).name + " (local folder)" if is_local(ref) else ref.name


# What each kind of error is, in Chinese, before its (English) message: the page speaks both languages.
ERROR_LEADS = (
    (ModelNotAvailableError, "模型不在本服务器上。"),
    (InputTooLargeError, "文本太长。"),
    (UnsupportedLanguageError, "只支持中文和英文。"),
    (UnsupportedFormatError, "无法读取该文件。"),
    (QuotaExceededError, "存储空间已满。"),
)


def _refusal(message: str) -> gr.Error:
    """The page API's answer to a refused request: the message; the log gets one line, not a traceback
    (Gradio prints the traceback of every ``gr.Error`` unless told not to)."""
    return gr.Error(message, print_exception=False)


def _lead(exc: BilingualError) -> str:
    return next((lead + " " for kind, lead in ERROR_LEADS if isinstance(exc, kind)), "")


def _done(name: str, warnings: list[str]) -> str:
    """The Document tab's last status: done, and what was done otherwise than asked (a workbook's sheet that
    kept the in-cell layout, and why)."""
    if not warnings:
        return f"完成 Done: {name}"
    return f"完成 Done: {name}\n\n" + "\n".join(f"- 注意 Note: {w}" for w in warnings)

def _message(exc: Exception) -> str:
    """What the page says about an error: the typed message without paths, never a stack trace."""
    if isinstance(exc, BilingualError):
        return f"**错误 Error:** {_lead(exc)}{redact(str(exc))}"
    logger.exception("unexpected error in a request")
    return "**错误 Error:** Something went wrong on the server; the details are in its log. 服务器出错，详情见服务器日志。"


def _examples() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES_DIR.glob("*.txt"))]


class Handlers:
    """The page's actions over one shared translator and summarizer."""

    def __init__(
        self,
        translator: Translator,
        summarizer: Summarizer,
        work: WorkLimit | None = None,
        exports: FileStore | None = None,
    ) -> None:
        self.translator = translator
        self.summarizer = summarizer
        self.work = work or WorkLimit(2, 64)
        self.exports = exports or FileStore(Path(tempfile.mkdtemp(prefix="bilingual-exports-")))
        self.demo: gr.Blocks | None = None  # set by create_app: its record of the files uploaded to it
        self.jobs: DocumentJobs | None = None  # the server's background document jobs (set by create_app)
        self.suggestions: bool | None = None  # who may correct translations (ServiceSettings.suggestions)

    def received(self, path: str) -> Path:
        """The file at ``path``, only if this server received it as an upload (see :func:`received_upload`)."""
        return received_upload(self.demo, path)

    # -- widgets ----------------------------------------------------------------------------

    def detect(self, text: str) -> str:
        text = (text or "")[:DETECT_CHARS]  # bounded work whatever a client sends
        if not text or not needs_translation(text):
            return "检测语言 Detected language: —"
        try:
            language = detect_language(text)
            script = chinese_script(text) if language == "zh" else None
            return f"检测语言 Detected language: **{views.label(language, script)}**"
        except BilingualError as exc:
            return f"检测语言 Detected language: {exc}"

    def models(self) -> str:
        refs = self.translator.settings.model_refs()
        return views.model_panel([(MODEL_LABELS[ref.label], _shown_name(ref), locate(ref) is not None) for ref in refs])

    def _missing_translation_models(self) -> list[ModelRef]:
        return [ref for ref in self.translator.settings.model_refs()
                if ref.task == "translation" and locate(ref) is None]

    def model_notice(self) -> tuple[str, dict]:
        """The landing page's notice when a translation model is missing: what works without it, and how to
        get it (a download button when downloads are allowed; otherwise where to copy the folder from)."""
        missing = self._missing_translation_models()
        if not missing:
            return "", gr.update(visible=False)
        offline = self.translator.settings.offline
        return views.missing_models_notice([(MODEL_LABELS[r.label], _shown_name(r), r.cache_folder) for r in missing],
                                           offline=offline), gr.update(visible=not offline)

    def download_models(self, progress=gr.Progress()) -> tuple[str, dict, str]:
        """Download the missing translation models, one after another, with progress: (notice, button, panel)."""
        missing = self._missing_translation_models()
        try:
            for number, ref in enumerate(missing):
                progress(number / max(1, len(missing)), desc=f"下载中 Downloading {ref.name}")
                download(ref)
        except BilingualError as exc:
            notice, button = self.model_notice()
            return _message(exc) + "\n\n" + notice, button, self.models()
        notice, button = self.model_notice()
        return notice or "完成 Done: 模型已下载 the models are ready.", button, self.models()

    def engine(self, choice: str | None) -> Translator:
        """The translator of the engine picked on the page (a value of :meth:`engine_choices`)."""
        quality = self.translator.settings.quality_engine
        return self.translator.with_engine(quality if choice == "quality_optimized" and quality else None)

    def engine_choices(self) -> list[tuple[str, str]]:
        """The engine selector's (label, value) pairs: each configured engine with its models and licenses."""
        return [(views.engine_label(c["model_type"], c["directions"]), c["model_type"])
                for c in self.translator.engine_choices()]

    def translate_stream(self, text: str, direction: str, glossary: str = "", engine: str = FAST,
                         progress=gr.Progress()) -> Iterator[tuple]:
        """Translate paragraph group by paragraph group, yielding (status, text, html, files, the sentences
        that may be corrected) as it goes."""
        try:
            translator = self.engine(engine)
            if text and needs_translation(text):
                translator.check_size([text])
            terms = _glossary(glossary)
            with self.work.slot():
                for update in self._translate_stream(translator, text, direction, progress, terms):
                    yield update if len(update) == 5 else (*update, gr.skip())
        except Exception as exc:  # noqa: BLE001 - shown as a message, logged when unexpected
            yield _message(exc), "", "", None, gr.skip()

    def _translate_stream(self, translator: Translator, text: str, direction: str, progress,
                          glossary=None) -> Iterator[tuple]:
        if not text or not needs_translation(text):
            yield "请先粘贴文章 Paste an article first.", text or "", "", None
            return
        target = DIRECTIONS.get(direction)
        if target is not None and detect_language(text[:DETECT_CHARS]) == target.language:
            yield ALREADY[target.language], "", "", None
            return
        shown = 0
        for step in translator.iter_translate_document(text, target, glossary=glossary):
            source, target_language = step.source_language, step.target_language
            fraction = step.done / step.total if step.total else 1.0
            progress(fraction, desc=f"翻译中 Translating {len(step.paragraphs)}/{step.total_paragraphs}")
            if step.document is not None:
                doc = step.document
                yield (
                    f"完成 Done: {views.label(source, doc.source_script)} → "
                    f"{views.label(target_language, doc.target_script)}",
                    doc.text,
                    views.side_by_side(doc.paragraphs, source, target_language),
                    _exports(self.exports, doc.paragraphs, source, target_language),
                    gr.update(choices=_correctable(doc), value=None),
                )
                return
            finished = len(step.paragraphs)
            # Each update resends the view so far; showing it only when it has grown by half keeps
            # the bytes sent linear in the article's length (a geometric series), however long it is.
            if finished > shown and finished >= STREAM_GROWTH * shown:
                shown = finished
                partial = "\n\n".join(separator(target_language).join(s.target for s in p) for p in step.paragraphs)
                view = views.side_by_side(step.paragraphs, source, target_language,
                                          pending=step.total_paragraphs - finished)
                yield f"翻译中 Translating… {finished}/{step.total_paragraphs}", partial, view, None

    def pick_correction(self, choice: str | None) -> str:
        """The translation of the sentence picked for correcting (what the box starts from)."""
        picked = _picked(choice)
        return picked[1] if picked else ""

    def save_correction(self, choice: str | None, text: str, request: gr.Request) -> str:
        """Keep a person's translation of the picked sentence in the translation memory (the shared one):
        from then on that sentence is translated so, marked "from memory"."""
        picked = _picked(choice)
        if picked is None:
            return "请先选择句子 Pick a sentence first."
        text = (text or "").strip()
        if not text:
            return "请输入译文 Write the translation first."
        memory = self.translator.memory
        headers = request.headers.keys() if request is not None and request.headers else ()
        address = request.client.host if request is not None and request.client else "?"
        if memory is None or not may_suggest(self.suggestions, key_holder=False, address=address, header_names=headers,
                                             logged_in=bool(request is not None and request.username)):
            return ("此服务器不接受修改 This server does not take corrections here (log in, or ask its operator to set "
                    "BILINGUAL_SUGGESTIONS=1).")
        source, _, source_language, target_language = picked
        try:
            memory.add(source, text, source_language, target_language)
        except BilingualError as exc:
            return _message(exc)
        return "已保存到翻译记忆 Saved to the translation memory: 这句话以后都这样翻译 this sentence is translated so from now on."

    def translate_upload(self, path: str | None, direction: str, bilingual: bool, glossary: str = "",
                         engine: str = FAST, layout: str = "", request: gr.Request = None,
                         progress=gr.Progress()) -> Iterator[tuple]:
        """Translate an uploaded document, yielding (status, the translated file, the side-by-side view of its
        text): as a background job when the server has them (:mod:`~bilingual.service.jobs`: the status shows
        its progress and time left, however long the file), else here. ``layout``: where a bilingual file puts
        each translation (:data:`~bilingual.documents.LAYOUTS`; one set implies bilingual)."""
        if not path:
            yield "请先上传文件 Upload a document first.", None, ""
            return
        name = Path(path).name
        try:
            suffix = documents.suffix_of(name)
            data = self.received(path).read_bytes()
            documents.FORMATS[suffix].check(data)
            target = DIRECTIONS.get(direction)
            layout = layout if layout in documents.LAYOUTS else ""
            if self.jobs is None:
                yield self._translate_here(data, name, suffix, target, bool(bilingual), glossary, engine, progress,
                                           layout)
                return
            quality = self.translator.settings.quality_engine
            job = file_job(name, source=None, target=target.tag if target else None, bilingual=bool(bilingual),
                           layout=layout,
                           out_suffix=documents.output_suffix(suffix), view=True,
                           glossary=glossary if glossary and glossary.strip() else None,
                           engine=quality if engine == "quality_optimized" and quality else None)
            owner = f"ip:{request.client.host}" if request is not None and request.client else "ip:page"
            yield from self._follow(self.jobs.submit(data, name, job, owner), owner, name, progress)
        except Exception as exc:  # noqa: BLE001 - shown as a message, logged when unexpected
            yield _message(exc), None, ""

    def _follow(self, ids: tuple[str, str], owner: str, name: str, progress) -> Iterator[tuple]:
        """A job's status as it changes, then its file and view."""
        job_id, key = ids
        shown = ""
        while True:
            status = self.jobs.status(job_id, key, owner)
            if status.status in ("done", "error"):
                break
            text = f"已排队 Queued: {name}" if status.status == "queued" else (
                f"翻译中 Translating {name}: {status.progress:.0%}"
                + (f" · 约 about {status.seconds_remaining} s" if status.seconds_remaining is not None else ""))
            progress(status.progress, desc=f"翻译中 Translating {status.progress:.0%}")
            if text != shown:
                shown = text
                yield text, None, ""
            time.sleep(JOB_POLL_S)
        if status.status == "error":
            yield f"**错误 Error:** {status.error_message}", None, ""
            return
        result, download = self.jobs.result(job_id, key, owner)
        view = json.loads(self.jobs.view(job_id, key, owner) or b"{}")
        stored = self.exports.put_named(result.read_bytes(), download)
        paragraphs = [[Segment.from_dict(seg) for seg in p] for p in view.get("paragraphs", [])]
        html = views.side_by_side(paragraphs, view["source"], view["target"]) if paragraphs else ""
        yield _done(name, view.get("warnings", [])), str(stored), html

    def _translate_here(self, data: bytes, name: str, suffix: str, target, bilingual: bool, glossary: str,
                        engine: str, progress, layout: str = "") -> tuple:
        """A document translated in this request (a page without the server's background jobs)."""
        report: dict = {}
        progress(0, desc="翻译中 Translating")

        def moved(done: int, total: int) -> None:
            progress(done / total if total else 1.0, desc=f"翻译中 Translating {done}/{total}")

        translator = self.engine(engine).with_glossary(_glossary(glossary))
        with self.work.slot():
            result = documents.translate_content(translator, data, name, target, bilingual=bilingual,
                                                 report=report, progress=moved, memory=self.work.memory,
                                                 layout=layout)
        docs = report.get("documents") or []
        out_suffix = documents.output_suffix(suffix)
        tag = TAGS[docs[0].target_language] if docs else "translated"
        download = download_name(name, tag + (".bilingual" if bilingual or layout else ""))
        stored = self.exports.put_named(result, download[: -len(suffix)] + out_suffix)
        paragraphs = [p for doc in docs for p in doc.paragraphs]
        view = views.side_by_side(paragraphs, docs[0].source_language, docs[0].target_language) if docs else ""
        return _done(name, report.get("warnings", [])), str(stored), view

    def summarize_both(self, text: str, length: str, method: str, engine: str = FAST) -> tuple:
        """Summaries in Chinese and in English: (status, 中文, English, the tabs with Summaries selected).

        Each is computed on its own: when one needs a model that is missing (the other
        language's summary is translated), the other is still shown, and the status says which
        one is missing and why. The status names the method that made them. On an LLM engine
        (the one picked), the LLM writes both, each straight in its language.
        """
        shown = gr.Tabs(selected="summaries")
        if not isinstance(text, str) or not text or not needs_translation(text):
            return "请先粘贴文章 Paste an article first.", "", "", shown
        count = LENGTHS.get(length, 3)
        max_length = {1: 60, 3: 120, 5: 200}[count]
        out = {"zh": "", "en": ""}
        notes = []
        used: set[str] = set()
        try:
            translator = self.engine(engine)
            translator.check_size([text])
            source = detect_language(text[:20_000])
            with self.work.slot():
                for language in ("zh", "en"):
                    report: dict = {}
                    try:
                        out[language] = self.summarizer.summarize(
                            text, language=language, method=METHODS.get(method), num_sentences=count,
                            max_length=max_length, source=source, translator=translator, report=report)
                        used.add(report.get("method", "extractive"))
                    except ModelNotAvailableError as exc:
                        logger.info("summary in %s not available: %s", language, exc)
                        notes.append(f"{SUMMARY_LABELS[language]} 未完成 not made: {_lead(exc)}{redact(str(exc))}")
        except Exception as exc:  # noqa: BLE001 - shown as a message, logged when unexpected
            return _message(exc), "", "", shown
        named = "方法 method: " + "; ".join(METHOD_LABELS[m] for m in sorted(used))
        if notes and not any(out.values()):
            return "**错误 Error:** " + " ".join(notes), "", "", shown
        if notes:
            return f"部分完成 Partly done ({named}). " + " ".join(notes), out["zh"], out["en"], shown
        return f"完成 Done: 摘要 summaries ready ({named})", out["zh"], out["en"], shown

    def read_glossary_file(self, path: str | None, current: str) -> str:
        """An uploaded glossary file fills the glossary box (it stays there for this page's session)."""
        if not path:
            return current
        try:
            with self.received(path).open("rb") as handle:
                data = handle.read(MAX_GLOSSARY_BYTES + 1)
            text = data.decode("utf-8-sig")
            parse_glossary(text, Path(path).name)
        except (UnicodeDecodeError, BilingualError) as exc:
            raise _refusal(f"The glossary file cannot be used: {redact(str(exc))}") from None
        return text

    # -- API endpoints (gradio_client) ---------------------------------------------------------

    def api_translate(self, text: str = "", target: str = "auto") -> str:
        """Translate an article. target: "auto" (the other language), "en" or "zh"."""
        try:
            text = _required_text(text)
            wanted = None if target in ("auto", "", None) else _language_arg(target, "target")
            with self.work.slot():
                return self.translator.translate(text, wanted)
        except BilingualError as exc:
            logger.info("translate request refused: %s", exc)
            raise _refusal(_lead(exc) + redact(str(exc))) from None
        except Exception as exc:  # noqa: BLE001
            raise _refusal(_message(exc)) from None

    def api_summarize(self, text: str = "", language: str = "auto", method: str = "auto") -> str:
        """Summarize an article. language: "auto", "en" or "zh"; method: "auto", "extractive" or "abstractive"."""
        try:
            text = _required_text(text)
            wanted = None if language in ("auto", "", None) else _language_arg(language, "language")
            if method not in ("auto", "", None, "extractive", "abstractive"):
                raise BilingualError(f"Unknown method {str(method)[:40]!r}: use auto, extractive or abstractive.")
            with self.work.slot():
                return self.summarizer.summarize(
                    text, language=wanted, method=None if method in ("auto", "", None) else method
                )
        except BilingualError as exc:
            logger.info("summarize request refused: %s", exc)
            raise _refusal(_lead(exc) + redact(str(exc))) from None
        except Exception as exc:  # noqa: BLE001
            raise _refusal(_message(exc)) from None


MAX_CORRECTABLE = 500  # sentences of one translation offered for correcting


def _correctable(doc) -> list[tuple[str, str]]:
    """The choices of sentences a person may correct (those a model or the memory translated; at most
    500): a label, and the value ``[source, translation, source language, target language]`` as JSON
    (what the page sends back, checked again when saved; no state is kept per visitor)."""
    out = []
    for number, paragraph in enumerate(doc.paragraphs, 1):
        for index, segment in enumerate(paragraph, 1):
            if segment.origin in ("model", "memory") and len(out) < MAX_CORRECTABLE:
                label = f"{number}.{index} {segment.source[:60]}{'…' if len(segment.source) > 60 else ''}"
                value = [segment.source, segment.target, doc.source_language, doc.target_language]
                out.append((label, json.dumps(value, ensure_ascii=False)))
    return out


def _picked(choice: str | None) -> tuple[str, str, Language, Language] | None:
    """A correction choice's (source, translation, source language, target language), or None."""
    try:
        source, target, source_language, target_language = json.loads(choice or "null")
    except (ValueError, TypeError, RecursionError):
        return None
    if not (isinstance(source, str) and isinstance(target, str)) or {source_language, target_language} != {"zh", "en"}:
        return None
    return source, target, source_language, target_language


def _glossary(text: str | None):
    """The page's glossary box: TSV/CSV text, or nothing."""
    if not text or not text.strip():
        return None
    return parse_glossary(text, "the glossary")


def received_upload(demo: gr.Blocks | None, path: object) -> Path:
    """``path`` as a file this server received as an upload in this session, or an error.

    A page event names its files by server path, and a client can send any path it likes.
    Gradio checks paths only for apps it launched itself (not for one mounted on ours), so
    every event that reads a file asks here: the path must be one that Gradio's upload route
    wrote (its record of this session's uploads), it must lie inside the upload folder once
    symlinks are resolved, and it must be a regular file.

    Raises:
        UploadError: anything else; the message names no path.
    """
    from gradio.utils import get_upload_folder

    refused = UploadError("That file was not uploaded to this page; upload it again. 请重新上传文件。")
    if demo is None or not isinstance(path, str) or path not in getattr(demo, "upload_file_set", ()):
        raise refused
    folder = Path(get_upload_folder()).resolve()
    candidate = Path(path)
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        raise refused from None
    if candidate.is_symlink() or not resolved.is_relative_to(folder) or not resolved.is_file():
        raise refused
    return resolved


def _required_text(text: object) -> str:
    if not isinstance(text, str) or not text.strip():
        raise BilingualError("Give the article to work on: a non-empty text (the first argument, text).")
    return text


def _language_arg(value: object, name: str) -> Target:
    """An API argument's language, parsed once here (``zh-TW``, ``zh-Hant`` … keep their script)."""
    if not isinstance(value, str):
        raise BilingualError(f"{name} must be auto, en, zh, zh-Hant, zh-TW or zh-HK.")
    try:
        return parse_target(value)
    except UnsupportedLanguageError:
        raise BilingualError(f"Unknown {name} {value[:40]!r}: use auto, en, zh, zh-Hant, zh-TW or zh-HK.") from None


def _exports(store: FileStore, paragraphs, source: Language, target: Language) -> list[str]:
    """The bilingual Markdown and text downloads, in the private store (deleted after its retention time)."""
    md = store.put_named(views.to_markdown(paragraphs, source, target).encode("utf-8"), "bilingual.md")
    txt = store.put_named(views.to_text(paragraphs, source, target).encode("utf-8"), "bilingual.txt")
    return [str(md), str(txt)]


def create_app(
    settings: Settings | None = None,
    *,
    translator: Translator | None = None,
    summarizer: Summarizer | None = None,
    work: WorkLimit | None = None,
    exports: FileStore | None = None,
    retention: int = 3600,
    suggestions: bool | None = None,
    jobs: DocumentJobs | None = None,
) -> gr.Blocks:
    """Build the page. Models load on first use and are shared by every request.

    ``work`` is the process-wide work limit (shared with the REST API); every button and API
    endpoint that runs a model holds one of its slots while it works. Uploads and downloads are
    deleted after ``retention`` seconds. ``suggestions`` says who may save corrections to the
    translation memory (``ServiceSettings.suggestions``: None, the default, is visitors on this
    machine and logged-in users).
    """
    settings = settings or Settings.from_env()
    translator = translator or Translator(settings)
    summarizer = summarizer or Summarizer(settings, translator=translator)
    h = Handlers(translator, summarizer, work, exports)
    h.suggestions = suggestions
    h.jobs = jobs
    # Gradio's uploads and its copies of downloads are deleted once they are ``retention`` seconds old
    # (looked for every half of that, at least every minute), like the REST API's files.
    sweep = max(1, min(retention // 2, 60))
    with gr.Blocks(title="bilingual 中英文章翻译", analytics_enabled=False, delete_cache=(sweep, retention)) as demo:
        gr.Markdown("# bilingual · 中英文章翻译与摘要\nPaste a Chinese or English article. 粘贴中文或英文文章。")
        notice = gr.Markdown("", elem_id="model-notice")
        download_btn = gr.Button("下载模型 Download the models", visible=False, elem_id="download-models")
        with gr.Row():
            with gr.Column(scale=3):
                article = gr.Textbox(
                    label="文章 Article",
                    lines=14,
                    max_lines=40,
                    placeholder="在此粘贴文章… Paste an article here…",
                    elem_id="article",  # no max_length: a longer article is refused with its length, never cut
                )
                detected = gr.Markdown("检测语言 Detected language: —", elem_id="detected")
            with gr.Column(scale=1):
                direction = gr.Radio(list(DIRECTIONS), value="自动 Auto", label="方向 Direction")
                length = gr.Radio(list(LENGTHS), value="中 Medium", label="摘要长度 Summary length")
                method = gr.Radio(list(METHODS), value="自动 Auto", label="摘要方法 Summary method")
                engine = gr.Radio(h.engine_choices(), value=FAST, label="引擎 Engine", elem_id="engine",
                                  info="翻译与摘要所用的模型及其许可 The models (and licenses) that translate and summarize")
                translate_btn = gr.Button("翻译 Translate", variant="primary", elem_id="translate-btn")
                summarize_btn = gr.Button("摘要 Summarize", elem_id="summarize-btn")
                both_btn = gr.Button("翻译并摘要 Both", elem_id="both-btn")
        status = gr.Markdown("", elem_id="status")
        with gr.Tabs(elem_id="result-tabs") as tabs:
            with gr.Tab("对照 Side by side", id="side-by-side"):
                view = gr.HTML(elem_id="side-by-side")
            with gr.Tab("译文 Translation", id="translation"):
                translation = gr.Textbox(label="译文 Translation", lines=14, buttons=["copy"], elem_id="translation")
                downloads = gr.File(label="下载 Download (Markdown, text)", file_count="multiple")
            with gr.Tab("文件 Document", id="document", elem_id="document-tab"):
                gr.Markdown("上传文件，下载同样格式的译文。Upload a document; download it translated, in the same format. "
                            f"Formats: {', '.join(documents.FORMATS)} (a PDF comes back as a PDF, its layout kept).")
                with gr.Row():
                    upload = gr.File(label="文件 Document", file_types=list(documents.FORMATS), elem_id="document-upload")
                    with gr.Column():
                        bilingual = gr.Checkbox(label="双语对照 Bilingual (each paragraph followed by its translation)",
                                                elem_id="bilingual")
                        layout = gr.Radio(label="双语排版 Bilingual layout", value="", elem_id="layout",
                                          choices=[("之后 After", ""),
                                                   ("并排 Side by side (PDF: one wide page; Excel: a column)", "side"),
                                                   ("下方 Below (Excel: a row)", "below")])
                        document_btn = gr.Button("翻译文件 Translate document", variant="primary", elem_id="document-btn")
                document_status = gr.Markdown("", elem_id="document-status")
                translated_file = gr.File(label="译文文件 Translated document", elem_id="translated-file")
                document_view = gr.HTML(elem_id="document-view")
            with gr.Tab("摘要 Summaries", id="summaries", elem_id="summaries-tab"):
                summary_zh = gr.Textbox(label="中文摘要 Chinese summary", lines=5, buttons=["copy"], elem_id="summary-zh")
                summary_en = gr.Textbox(label="English summary 英文摘要", lines=5, buttons=["copy"], elem_id="summary-en")
        with gr.Accordion("修改译文 Correct a sentence (translation memory)", open=False, elem_id="corrections"):
            gr.Markdown("选一句译文，写下你的译法并保存：以后这句话都这样翻译，并标为“记忆”。Pick a sentence, write your "
                        "translation and save it: from then on that sentence is translated so, marked \"memory\".")
            with gr.Row():
                correction_pick = gr.Dropdown(label="句子 Sentence", choices=[], elem_id="correction-sentence",
                                              allow_custom_value=True)  # checked by the handlers
                correction_text = gr.Textbox(label="你的译文 Your translation", lines=2, elem_id="correction-text")
            save_btn = gr.Button("保存到翻译记忆 Save to the translation memory", elem_id="save-correction")
            correction_status = gr.Markdown("", elem_id="correction-status")
        with gr.Accordion("术语表 Glossary", open=False):
            gr.Markdown("每行一对：原文术语、制表符（或逗号）、译文术语。One pair a line: source term, a tab (or a comma), "
                        "target term — names and terms are then translated that way every time.")
            with gr.Row():
                glossary = gr.Textbox(label="术语表 Glossary (TSV/CSV)", lines=4, elem_id="glossary",
                                      placeholder="两江新区\tLiangjiang New Area\nChongqing\t重庆市")
                glossary_file = gr.File(label="上传术语表 Upload a glossary (.tsv, .csv, .txt)",
                                        file_types=[".tsv", ".csv", ".txt"], elem_id="glossary-file")
        with gr.Accordion("模型 Models", open=False):
            panel = gr.Markdown(elem_id="models")
        gr.Examples(examples=[[e] for e in _examples()], inputs=[article], label="示例 Examples")

        private = {"api_visibility": "private"}
        article.change(h.detect, article, detected, show_progress="hidden", **private)
        demo.load(h.models, None, panel, **private)
        demo.load(h.model_notice, None, [notice, download_btn], **private)
        download_btn.click(h.download_models, None, [notice, download_btn, panel], **private)
        translate_outputs = [status, translation, view, downloads, correction_pick]
        summary_outputs = [status, summary_zh, summary_en, tabs]
        # one progress bar, on the side-by-side view (on every output it was drawn twice, over the flags)
        progress_on = {"show_progress_on": [view]}
        translate_btn.click(h.translate_stream, [article, direction, glossary, engine], translate_outputs, **private,
                            **progress_on)
        document_btn.click(h.translate_upload, [upload, direction, bilingual, glossary, engine, layout],
                           [document_status, translated_file, document_view], **private)
        glossary_file.change(h.read_glossary_file, [glossary_file, glossary], glossary, **private)
        correction_pick.change(h.pick_correction, correction_pick, correction_text, **private)
        save_btn.click(h.save_correction, [correction_pick, correction_text], correction_status, **private)
        summarize_btn.click(h.summarize_both, [article, length, method, engine], summary_outputs, **private,
                            show_progress_on=[summary_zh])
        both_btn.click(h.translate_stream, [article, direction, glossary, engine], translate_outputs, **private,
                       **progress_on).then(
            h.summarize_both, [article, length, method, engine], summary_outputs, **private,
            show_progress_on=[summary_zh]
        )
        gr.api(h.api_translate, api_name="translate")
        gr.api(h.api_summarize, api_name="summarize")
    h.demo = demo
    return demo
