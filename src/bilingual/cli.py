"""The command line: ``bilingual translate``, ``summarize``, ``eval``, ``batch``, ``models list|download``, ``keys``,
``memory``.

Every ``BilingualError`` ends the program with a one-line message and exit code 1;
wrong usage exits with code 2.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from .config import ENGINES, Settings, evaldata_folder
from .errors import BilingualError, ConfigError
from .models import download, locate


def _read(path: str | None, stdin: TextIO) -> str:
    if path in (None, "-"):
        return stdin.read()
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError as exc:
        raise SystemExit(f"bilingual: cannot read {path}: {exc.strerror}") from exc


def _progress_bar(stream: TextIO, unit: str = "sentence"):
    """A tqdm progress callback on ``stream`` when it is a terminal, else None."""
    if not stream.isatty():
        return None
    from tqdm import tqdm

    bar = tqdm(total=0, unit=unit, file=stream, leave=False)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()

    return update


def _translate(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO, stdin: TextIO) -> int:
    from pathlib import Path

    from .documents import FORMATS, translate_file
    from .translation.translator import Translator

    path = Path(args.file) if args.file not in (None, "-") else None
    glossary = args.glossary
    if path is not None and path.is_dir():
        return _translate_folder(args, Translator(settings, glossary=glossary), path, out, err)
    document = path is not None and path.suffix.lower() in FORMATS and (
        path.suffix.lower() != ".txt" or args.output or args.bilingual
    )
    if document:
        translator = Translator(settings, glossary=glossary)
        report: dict = {}
        written = translate_file(translator, path, args.to, out=args.output, bilingual=args.bilingual,
                                 layout=args.layout or "",
                                 source=getattr(args, "from"), report=report, overwrite=args.force,
                                 retranslate=args.retranslate)
        out.write(f"{written}\n")
        if args.flags:
            _print_flags(report.get("documents") or [], err)
        return 0
    if args.output or args.bilingual:
        raise BilingualError("-o and --bilingual need a document file (or a folder) as the input.")
    text = _read(args.file, stdin)
    translator = Translator(settings, glossary=glossary)
    doc = translator.translate_document(text, args.to, source=getattr(args, "from"), progress=_progress_bar(err))
    result = doc.text
    out.write(result if result.endswith("\n") or not result else result + "\n")
    if args.flags:
        _print_flags([doc], err)
    return 0


def _print_flags(docs, err: TextIO) -> None:
    """The sentences to check, with their reasons, on standard error."""
    count = 0
    for block, doc in enumerate(docs, 1):
        for paragraph, segment in doc.flagged:
            count += 1
            where = f"paragraph {paragraph}" if len(docs) == 1 else f"block {block}"
            reasons = " ".join(f"[{f.code}] {f.message}" for f in segment.flags)
            err.write(f"check {where} ({segment.confidence:.0%}): {segment.source}\n    -> {segment.target}\n"
                      f"    {reasons}\n")
    err.write(f"bilingual: {count} sentence{'s' if count != 1 else ''} to check\n")


def _translate_folder(args: argparse.Namespace, translator, folder, out: TextIO, err: TextIO) -> int:
    """Every supported file below ``folder``, mirrored into the output folder, one progress bar for all."""
    from pathlib import Path

    from .documents import FORMATS, output_suffix, translate_file
    from .languages import parse_target

    tag = parse_target(args.to).tag if args.to else "translated"
    target_dir = Path(args.output) if args.output else folder.with_name(f"{folder.name}.{tag}")
    files = sorted(
        p for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in FORMATS and not any(part.startswith(".") for part in p.parts)
        and target_dir not in p.parents
    )
    if not files:
        raise BilingualError(f"No files to translate in that folder (supported: {', '.join(FORMATS)}).")
    bar = _progress_bar(err, unit="file")
    failed = []
    for done, source_file in enumerate(files):
        if bar:
            bar(done, len(files))
        relative = source_file.relative_to(folder)
        destination = (target_dir / relative).with_suffix(output_suffix(source_file.suffix.lower()))
        try:
            translate_file(translator, source_file, args.to, out=destination, bilingual=args.bilingual,
                           layout=args.layout or "",
                           source=getattr(args, "from"), overwrite=args.force, retranslate=args.retranslate)
        except BilingualError as exc:
            failed.append(f"{relative}: {exc}")
    if bar:
        bar(len(files), len(files))
    out.write(f"{len(files) - len(failed)} of {len(files)} files translated into {target_dir}\n")
    for line in failed:
        err.write(f"bilingual: {line}\n")
    return 1 if failed else 0


def _summarize(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO, stdin: TextIO) -> int:
    from .summarization.summarizer import Summarizer

    text = _read(args.file, stdin)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        summary = Summarizer(settings).summarize(
            text, language=args.language, method=args.method, num_sentences=args.sentences, max_length=args.max_length
        )
    for warning in caught:
        err.write(f"bilingual: note: {warning.message}\n")
    out.write(summary + "\n" if summary else "")
    return 0


def _eval(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from pathlib import Path

    from .evaluation import evaluate, set_files
    from .translation.translator import Translator

    if args.engine or len(args.set or []) > 1 or args.direction == "both":
        return _compare(args, settings, out)
    if not args.direction:
        raise BilingualError("Give --direction zh-en, en-zh or both.")
    test_set = args.set[0] if args.set else None
    source, target = args.direction.split("-")
    if test_set:
        src, ref = set_files(Path(args.data), test_set, source, target)
    elif args.src and args.ref:
        src, ref = Path(args.src), Path(args.ref)
    else:
        raise BilingualError("Give a test set (--set NAME) or a pair of files (--src FILE --ref FILE).")
    folder = Path(args.out or f"eval-{test_set or 'files'}-{args.direction}-{settings.backend}")
    scores = evaluate(Translator(settings), src, ref, source, target, folder, limit=args.limit)
    spbleu = "n/a (sacrebleu's flores200 model is not available offline)" if scores.spbleu is None else scores.spbleu
    out.write(
        f"{args.direction}  {scores.sentences} sentences  BLEU {scores.bleu}  chrF {scores.chrf}  spBLEU {spbleu}  "
        f"({scores.seconds} s)\n{scores.bleu_signature}\noutput and scores: {folder}\n"
    )
    return 0


def _compare(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from dataclasses import replace
    from pathlib import Path

    from .evaluation import COMPARISON_SETS, compare, table
    from .translation.translator import Translator

    base = Translator(settings)
    translators = {}
    for value in args.engine or [settings.engine]:
        engine, _, model = value.partition("=")
        if engine not in ENGINES:
            raise ConfigError(f"--engine {engine!r} is not an engine; choose one of {', '.join(ENGINES)}, "
                              "optionally with =MODEL (a Hub id or folder for both directions).")
        translators[value] = (Translator(replace(settings, engine=engine, engine_zh_en=None, engine_en_zh=None,
                                                 model_zh_en=model, model_en_zh=model, revision_zh_en=None,
                                                 revision_en_zh=None))
                              if model else base.with_engine(engine))
    directions = ["zh-en", "en-zh"] if args.direction in (None, "both") else [args.direction]
    folder = Path(args.out or "eval-engines")
    rows = compare(translators, args.set or COMPARISON_SETS, directions, Path(args.data), folder, limit=args.limit)
    out.write(table(rows) + f"output and scores: {folder}\n")
    return 0


def _models(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    refs = settings.model_refs()
    if args.action == "list":
        width = max(len(ref.name) for ref in refs) + 2
        for ref in refs:
            path = locate(ref)
            state = "present" if path else "missing  (run `bilingual models download --all`)"
            out.write(f"{ref.label:<18} {ref.name:<{width}} {state}\n")
        return 0
    if settings.offline:
        raise BilingualError("Offline mode is on (HF_HUB_OFFLINE or BILINGUAL_OFFLINE); unset it to download models.")
    for ref in refs if args.all else [r for r in refs if r.task == "translation"]:
        err.write(f"downloading {ref.name} ({ref.label}) ...\n")
        download(ref)
        out.write(f"{ref.label:<18} {ref.name}  ready\n")
    return 0


def _batch(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    from .corpus import translate_corpus
    from .translation.translator import Translator

    if args.engine == "ray":
        from .corpus_ray import translate_corpus_ray

        report = translate_corpus_ray(settings, args.input, args.output, target=args.to, field=args.field,
                                      id_field=args.id_field, glossary=args.glossary, workers=args.workers,
                                      cpus_per_worker=args.cpus_per_worker, gpus_per_worker=args.gpus_per_worker,
                                      address=args.address)
        out.write(f"{args.output}: {report}\n")
        return 0
    if args.address or args.workers != 1 or args.gpus_per_worker or args.cpus_per_worker != 1:
        raise BilingualError("--address, --workers, --cpus-per-worker and --gpus-per-worker go with --engine ray.")

    bar = _progress_bar(err, unit="record")
    report = translate_corpus(Translator(settings, glossary=args.glossary), args.input, args.output, target=args.to,
                              field=args.field, id_field=args.id_field, progress=bar)
    out.write(f"{args.output}: {report}\n")
    return 0


def _keys(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    import time
    from pathlib import Path

    from .service.keys import KeyStore

    if not settings.home:
        raise BilingualError("Set BILINGUAL_HOME to the server's home folder; API keys are kept there.")
    store = KeyStore(Path(settings.home) / "api_keys.sqlite3")
    if args.action == "add":
        secret, record = store.add(name=args.name or "", req_limit=args.req_limit, char_limit=args.char_limit)
        out.write(f"{secret}\n")
        err.write(f"key {record.id} added; this is the only time the key is shown.\n")
        return 0
    if args.action == "remove":
        if not args.id:
            raise BilingualError("Say which key to remove: bilingual keys remove ID (see bilingual keys list).")
        if not store.remove(args.id):
            raise BilingualError(f"No key with id {args.id!r}; see bilingual keys list.")
        out.write(f"key {args.id} removed\n")
        return 0
    rows = store.list()
    if not rows:
        out.write("no API keys (add one with: bilingual keys add)\n")
        return 0
    out.write(f"{'id':<12} {'req/min':>8} {'chars':>9}  {'created':<16}  name\n")
    for key in rows:
        created = time.strftime("%Y-%m-%d %H:%M", time.localtime(key.created))
        req = "default" if key.req_limit is None else ("none" if key.req_limit == 0 else str(key.req_limit))
        chars = "default" if not key.char_limit else str(key.char_limit)
        out.write(f"{key.id:<12} {req:>8} {chars:>9}  {created:<16}  {key.name}\n")
    return 0


def _memory(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    from .translation.memory import TranslationMemory, default_memory_path
    from .translation.tmx import read_tmx, write_tmx

    if not settings.home:
        raise BilingualError("Set BILINGUAL_HOME to the server's home folder; the translation memory is kept there.")
    memory = TranslationMemory(default_memory_path(settings.home), max_entries=settings.memory_max_entries)
    namespace = f"key:{args.key}" if args.key else ""
    if args.action == "import":
        if not args.file:
            raise BilingualError("Say which TMX file to import: bilingual memory import FILE.tmx")
        if not Path(args.file).is_file():
            raise BilingualError(f"{args.file} is not a file.")
        count = memory.import_entries(read_tmx(args.file), namespace=namespace)
        out.write(f"{count} entries imported from {Path(args.file).name}\n")
        return 0
    if args.action == "export":
        if not args.file:
            raise BilingualError("Say where to write the TMX file: bilingual memory export FILE.tmx")
        target = Path(args.file)
        if target.exists() and not args.force:
            raise BilingualError(f"{target} exists; give --force to overwrite it.")
        from . import __version__

        count = write_tmx(memory.entries(None if args.all else namespace), target, tool_version=__version__)
        out.write(f"{count} entries written to {target}\n")
        return 0
    if args.action == "remove":
        if args.file is None or not args.file.isdigit():
            raise BilingualError("Say which entry to remove: bilingual memory remove ID (see bilingual memory list).")
        if not memory.remove(int(args.file)):
            raise BilingualError(f"No entry with id {args.file}; see bilingual memory list.")
        out.write(f"entry {args.file} removed\n")
        return 0
    entries = memory.entries(None if args.all else namespace, limit=args.limit)
    if not entries:
        out.write("the translation memory is empty (add with POST /suggest, the page, or bilingual memory import)\n")
        return 0
    for entry in entries:
        where = f" [{entry.namespace}]" if args.all and entry.namespace else ""
        line = f"{entry.id}\t{entry.source_language}->{entry.target_language}{where}\t{entry.source}\t{entry.target}"
        out.write(" ".join(line.splitlines()) + "\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bilingual", description="Translate and summarize Chinese and English articles.")
    sub = parser.add_subparsers(dest="command", required=True)
    tr = sub.add_parser("translate", help="translate text, a document, or every document in a folder")
    tr.add_argument("file", nargs="?", help="a UTF-8 text file (default: standard input), a document (.docx, "
                    ".pptx, .md, .html, .srt, .xlf, .pdf) or a folder of them")
    tr.add_argument("-o", "--output", help="where to write a translated document (a folder, for a folder); default: "
                    "<name>.<target>.<ext> beside it")
    tr.add_argument("--bilingual", action="store_true", help="keep each block and add its translation after it")
    tr.add_argument("--layout", choices=["side", "below"], help="bilingual, with each translation beside (a PDF: "
                    "each page and its translation on one wide page; a workbook: a column of translations after each "
                    "column) or below (a workbook: a row of translations after each row) its original")
    tr.add_argument("-f", "--force", action="store_true", help="overwrite an output file that exists (default: refuse)")
    tr.add_argument("--retranslate", action="store_true", help="XLIFF: translate units that already have a target "
                    "too (default: keep them)")
    tr.add_argument("--glossary", type=Path, help="a TSV or CSV file of source term, target term: those terms are "
                    "translated that way every time")
    tr.add_argument("--flags", action="store_true", help="print the sentences to check, with the reasons, on "
                    "standard error")
    tr.add_argument("--to", choices=["en", "zh", "zh-Hans", "zh-Hant", "zh-TW", "zh-HK"],
                    help="target language (default: the other one); zh-Hant, zh-TW, zh-HK: Traditional characters")
    tr.add_argument("--from", choices=["en", "zh"], help="source language (default: detected)")
    tr.add_argument("--beam-size", type=int, help="beams in decoding (default 4)")
    tr.add_argument("--engine", choices=list(ENGINES), help="the translation engine (default: BILINGUAL_ENGINE, "
                    "else the model's own architecture); llm: the server at BILINGUAL_LLM_URL")
    sm = sub.add_parser("summarize", help="summarize a file or standard input")
    sm.add_argument("file", nargs="?", help="a UTF-8 text file (default: standard input)")
    sm.add_argument("--language", choices=["en", "zh", "zh-Hans", "zh-Hant", "zh-TW", "zh-HK"],
                    help="language of the summary (default: the article's)")
    sm.add_argument("--method", choices=["extractive", "abstractive"], help="default: abstractive if present locally")
    sm.add_argument("--sentences", type=int, help="sentences in an extractive summary")
    sm.add_argument("--max-length", type=int, help="most tokens of an abstractive summary")
    ev = sub.add_parser("eval", help="score translation quality (BLEU, chrF) on a parallel test set")
    ev.add_argument("--direction", choices=["zh-en", "en-zh", "both"],
                    help="required for one engine on one set; with --engine: default both")
    ev.add_argument("--set", action="append", help="flores200-dev, flores200-devtest, ntrex128 (en-zh), newstest2017 "
                    "... newstest2021; repeat it for several (with --engine: default flores200-devtest, ntrex128, "
                    "newstest2020)")
    ev.add_argument("--engine", action="append", metavar="ENGINE[=MODEL]",
                    help=f"one of {', '.join(ENGINES)}, optionally with the model both directions use (a Hub id or "
                    "folder: m2m_100=facebook/m2m100_418M); repeat it to compare engines side by side on the same "
                    "sentences (one table: BLEU, chrF, COMET when installed, sentences per second, peak memory)")
    ev.add_argument("--src", help="source file, one sentence a line")
    ev.add_argument("--ref", help="reference file, one sentence a line")
    ev.add_argument("--data", default=evaldata_folder(),
                    help="folder of the test sets (default: $BILINGUAL_EVALDATA or ../shared/evaldata)")
    ev.add_argument("--backend", choices=["auto", "transformers", "ctranslate2"])
    ev.add_argument("--limit", type=int, help="only the first N lines")
    ev.add_argument("--out", help="folder for hypothesis.txt and scores.json")
    models = sub.add_parser("models", help="list or download the models")
    models.add_argument("action", choices=["list", "download"])
    models.add_argument("--all", action="store_true", help="download the summarization models too")
    batch = sub.add_parser("batch", help="translate a corpus: a JSONL, CSV or Parquet file, or a folder of .txt/.md "
                           "files; resumable")
    batch.add_argument("input", help="a .jsonl, .csv or .parquet file, or a folder (with --engine ray: a path or URI "
                       "of a .jsonl, .csv or .parquet file)")
    batch.add_argument("output", help="the same kind of file (or a folder); started again with the same arguments, "
                       "the job goes on where it stopped (with --engine ray: a folder for the part files)")
    batch.add_argument("--to", choices=["en", "zh", "zh-Hans", "zh-Hant", "zh-TW", "zh-HK"],
                       help="target language (default: the other one, per record)")
    batch.add_argument("--field", default="text", help="the field holding the text (default: text)")
    batch.add_argument("--id-field", help="a field every record must have (its id)")
    batch.add_argument("--glossary", type=Path, help="a TSV or CSV glossary")
    batch.add_argument("--engine", choices=["local", "ray"], default="local",
                       help="local: this process, resumable (default); ray: Ray Data, on this machine or a cluster "
                       "(pip install 'bilingual[ray]')")
    batch.add_argument("--address", help="with --engine ray: the cluster (auto, ray://host:10001); default: local")
    batch.add_argument("--workers", type=int, default=1, help="with --engine ray: translator actors (default 1)")
    batch.add_argument("--cpus-per-worker", type=float, default=1.0, help="with --engine ray: CPUs per actor")
    batch.add_argument("--gpus-per-worker", type=float, default=0.0, help="with --engine ray: GPUs per actor")
    keys = sub.add_parser("keys", help="manage the REST API's keys (kept, hashed, in BILINGUAL_HOME)")
    keys.add_argument("action", choices=["add", "list", "remove"])
    keys.add_argument("id", nargs="?", help="with remove: the key's id, as `keys list` shows it")
    keys.add_argument("--req-limit", type=int, help="requests per minute for this key (0: unlimited; "
                      "default: BILINGUAL_REQ_LIMIT)")
    keys.add_argument("--char-limit", type=int, help="characters per request for this key (default: BILINGUAL_CHAR_LIMIT)")
    keys.add_argument("--name", help="a note saying whose key it is")
    memory = sub.add_parser("memory", help="the translation memory: people's translations, used before the model "
                            "(kept in BILINGUAL_HOME; TMX 1.4 in and out)")
    memory.add_argument("action", choices=["list", "import", "export", "remove"])
    memory.add_argument("file", nargs="?", help="import/export: a .tmx file; remove: the entry's id (see list)")
    memory.add_argument("--key", help="the memory of this API key (its id, as `keys list` shows it); default: the "
                        "shared one, used by callers without a key and the page")
    memory.add_argument("--all", action="store_true", help="list or export every key's entries too")
    memory.add_argument("--limit", type=int, help="list: at most this many entries")
    memory.add_argument("-f", "--force", action="store_true", help="export: overwrite the file if it exists")
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the command line; returns the exit code."""
    stdin, stdout, stderr = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    args = build_parser().parse_args(argv)
    overrides = {"beam_size": args.beam_size} if getattr(args, "beam_size", None) else {}
    if getattr(args, "backend", None):
        overrides["backend"] = args.backend
    if args.command == "translate" and args.engine:
        overrides.update(engine=args.engine, engine_zh_en=None, engine_en_zh=None)
    try:
        settings = Settings.from_env(**overrides)
        if args.command == "translate":
            return _translate(args, settings, stdout, stderr, stdin)
        if args.command == "summarize":
            return _summarize(args, settings, stdout, stderr, stdin)
        if args.command == "eval":
            return _eval(args, settings, stdout)
        if args.command == "keys":
            return _keys(args, settings, stdout, stderr)
        if args.command == "memory":
            return _memory(args, settings, stdout, stderr)
        if args.command == "batch":
            return _batch(args, settings, stdout, stderr)
        return _models(args, settings, stdout, stderr)
    except ConfigError as exc:  # a setting from the environment
        stderr.write(f"bilingual: invalid setting: {exc}\n")
        return 2
    except BilingualError as exc:
        stderr.write(f"bilingual: {exc}\n")
        return 1
    except ValueError as exc:  # a value given on the command line
        stderr.write(f"bilingual: {exc}\n")
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


def main_entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
