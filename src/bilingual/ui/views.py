"""Pure rendering for the web page: the side-by-side view, exports and the model panel.

No Gradio here; every function takes plain data and returns text, so it is tested directly.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from ..languages import Language
from ..text.pieces import separator
from ..translation.result import Segment

LANGUAGE_LABELS = {"zh": "中文 Chinese", "en": "English 英文"}
SCRIPT_LABELS = {
    "Hans": "简体中文 Simplified Chinese",
    "Hant": "繁體中文 Traditional Chinese",
    "Hant-TW": "繁體中文（台灣）Traditional Chinese (Taiwan)",
    "Hant-HK": "繁體中文（香港）Traditional Chinese (Hong Kong)",
}


def label(language: Language, script: str | None = None) -> str:
    """How the page names a language, with the Chinese script when it matters."""
    if language == "zh" and script and script != "Hans":
        return SCRIPT_LABELS[script]
    return LANGUAGE_LABELS[language]


def side_by_side(
    paragraphs: Sequence[Sequence[Segment]], source: Language, target: Language, *, pending: int = 0
) -> str:
    """An HTML table: one row per paragraph, source left, translation right, sentences aligned.

    Args:
        paragraphs: aligned paragraphs from ``translate_document``.
        source: the source language (column heading, ``lang`` attribute).
        target: the target language.
        pending: paragraphs still being translated (shown as a note under the table).
    """
    rows = []
    to_check = 0
    for number, paragraph in enumerate(paragraphs, 1):
        left = separator(source).join(_span(i, s.source) for i, s in enumerate(paragraph))
        right = separator(target).join(_span(i, s.target, s) for i, s in enumerate(paragraph))
        to_check += sum(1 for s in paragraph if getattr(s, "flags", ()))
        rows.append(f'<tr><td class="num">{number}</td><td lang="{source}">{left}</td><td lang="{target}">{right}</td></tr>')
    note = f'<p class="pending">… {pending} more paragraph(s) being translated / 翻译中</p>' if pending else ""
    check = (
        f'<p class="to-check">{to_check} 句需要检查 · {to_check} sentence{"s" if to_check != 1 else ""} to check '
        "(highlighted; hover for the reasons)</p>"
        if to_check
        else '<p class="to-check none">没有需要检查的句子 · No sentence flagged</p>'
    )
    return (
        f'{check}<table class="bilingual-view"><thead><tr><th>#</th>'
        f"<th>{LANGUAGE_LABELS[source]}</th><th>{LANGUAGE_LABELS[target]}</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>{note}"
    )


def _span(index: int, text: str, segment: Segment | None = None) -> str:
    flags = getattr(segment, "flags", ()) if segment is not None else ()
    if segment is not None and segment.origin == "memory":  # a person's translation: marked, never flagged
        return (f'<span class="seg memory" data-seg="{index}" title="来自翻译记忆 From the translation memory">'
                f'{html.escape(text)}<sup class="memory-mark">记忆 memory</sup></span>')
    hints = "".join(
        f'<span class="memory-hint" title="{html.escape(f"{h.similarity:.0%}: {h.source} → {h.target}", quote=True)}">'
        f"≈ {html.escape(h.target)}</span>"
        for h in (segment.hints if segment is not None else ())
    )
    if flags:
        reasons = html.escape(" ".join(f.message for f in flags), quote=True)
        score = f" ({segment.confidence:.0%})" if segment.confidence is not None else ""
        return (
            f'<span class="seg flagged" data-seg="{index}" title="{reasons}{score}" '
            f'data-flags="{" ".join(f.code for f in flags)}">{html.escape(text)}</span>{hints}'
        )
    return f'<span class="seg" data-seg="{index}">{html.escape(text)}</span>{hints}'


def to_markdown(paragraphs: Sequence[Sequence[Segment]], source: Language, target: Language) -> str:
    """The bilingual result as Markdown: each paragraph, then its translation as a quote."""
    parts = [f"# {LANGUAGE_LABELS[source]} → {LANGUAGE_LABELS[target]}\n"]
    for paragraph in paragraphs:
        parts.append(separator(source).join(s.source for s in paragraph) + "\n")
        parts.append("> " + separator(target).join(s.target for s in paragraph) + "\n")
    return "\n".join(parts)


def to_text(paragraphs: Sequence[Sequence[Segment]], source: Language, target: Language) -> str:
    """The bilingual result as plain text: each paragraph followed by its translation."""
    blocks = [separator(source).join(s.source for s in p) + "\n" + separator(target).join(s.target for s in p) for p in paragraphs]
    return "\n\n".join(blocks) + "\n"


def model_panel(rows: Sequence[tuple[str, str, bool]]) -> str:
    """Markdown for the model panel: (task, model id, present locally) per row; no local paths."""
    lines = ["| 任务 Task | 模型 Model | 状态 Status |", "| --- | --- | --- |"]
    missing = False
    for task, name, present in rows:
        status = "已就绪 available" if present else "**未下载 not downloaded**"
        missing = missing or not present
        lines.append(f"| {task} | `{name}` | {status} |")
    if missing:
        lines.append(
            "\nTo get missing models, run `bilingual models download --all` on a machine with network access, "
            "or set `BILINGUAL_MODEL_ZH_EN` / `BILINGUAL_MODEL_EN_ZH` / `BILINGUAL_MODEL_SUMMARY_EN` / "
            "`BILINGUAL_MODEL_SUMMARY_ZH` to local model directories. Extractive summaries work without any model. "
            "缺少模型时请运行 `bilingual models download --all`，或用环境变量指定本地模型目录。"
        )
    return "\n".join(lines)


def missing_models_notice(missing: Sequence[tuple[str, str, str]], *, offline: bool) -> str:
    """Markdown for the landing page when translation models are missing: (task, model, cache folder) each."""
    names = "; ".join(f"{task}: `{name}`" for task, name, _ in missing)
    lines = [f"⚠️ **翻译模型尚未下载 The translation models are not on this server yet** — {names}.",
             "没有它们也能使用：抽取式摘要、语言检测、简繁转换。Without them these still work: extractive summaries, "
             "language detection, and conversion between Simplified and Traditional Chinese."]
    if offline:
        folders = ", ".join(f"`{folder}`" for _, _, folder in missing)
        lines.append(
            "此服务器处于离线模式：请在能联网的机器上运行 `bilingual models download`，再把 Hugging Face 缓存中的文件夹复制到"
            f"本服务器。This server is offline: on a machine with network access run `bilingual models download`, "
            f"then copy the folder(s) {folders} from its Hugging Face cache (`~/.cache/huggingface/hub`) into this "
            "server's (`HF_HUB_CACHE`), and reload this page.")
    else:
        lines.append("点击下方按钮下载（约 300 MB 每个模型）。Press the button below to download them (about 300 MB each).")
    return "\n\n".join(lines)


# Hovering a sentence highlights it and its aligned partner in the other column (same row, same
# data-seg), with CSS :has() alone: one rule per sentence index a paragraph may have.
HIGHLIGHTED_SENTENCES = 120
_PARTNER_RULES = ",\n".join(
    f'.bilingual-view tr:has(.seg[data-seg="{i}"]:hover) .seg[data-seg="{i}"]' for i in range(HIGHLIGHTED_SENTENCES)
)

CSS = (
    """
.bilingual-view { width: 100%; border-collapse: collapse; font-size: 15px; line-height: 1.6; }
.bilingual-view th, .bilingual-view td { border-bottom: 1px solid var(--border-color-primary); padding: 8px; vertical-align: top; }
.bilingual-view td.num { color: var(--body-text-color-subdued); width: 2em; }
.bilingual-view td { width: 48%; }
.pending { color: var(--body-text-color-subdued); }
.bilingual-view .seg.flagged { text-decoration: underline wavy #d97706; text-underline-offset: 3px; cursor: help;
  background: rgba(217, 119, 6, 0.08); }
.to-check { color: #b45309; font-weight: 600; margin: 4px 0 8px; }
.to-check.none { color: var(--body-text-color-subdued); font-weight: normal; }
.bilingual-view .seg.memory { background: rgba(22, 163, 74, 0.08); }
.bilingual-view .memory-mark { color: #15803d; font-size: 10px; margin-left: 2px; }
.bilingual-view .memory-hint { color: var(--body-text-color-subdued); font-size: 12px; margin: 0 4px; cursor: help;
  border-bottom: 1px dotted currentColor; }
"""
    + _PARTNER_RULES
    + " { background: var(--color-accent-soft); }\n"
)


ENGINE_KINDS = {"latency_optimized": "快速 Fast", "quality_optimized": "高质量 Quality"}


def engine_label(kind: str, directions: dict[str, dict]) -> str:
    """How the engine selector names a choice: its kind, then each direction's engine, model and license
    (once when both directions use the same model)."""

    def one(d: dict) -> str:
        license_ = d.get("license") or ("the server's model" if d["engine"] == "llm" else "see its model card")
        engine = "" if d["engine"] == "auto" else f"{d['engine']} · "  # auto: the model is not downloaded yet
        return f"{engine}{d['model']} ({license_})"

    zh_en, en_zh = directions["zh-en"], directions["en-zh"]
    if zh_en == en_zh:
        return f"{ENGINE_KINDS[kind]}: {one(zh_en)}"
    return f"{ENGINE_KINDS[kind]}: 中→英 {one(zh_en)}; 英→中 {one(en_zh)}"
