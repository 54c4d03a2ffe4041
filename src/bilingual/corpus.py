"""Corpora: translate a JSONL, CSV or Parquet file, or a folder of .txt/.md files, resumably.

``translate_corpus(translator, INPUT, OUTPUT, ...)`` (the CLI's ``bilingual batch``) adds to each
record its ``translation`` and ``source_language`` (or an ``error``, and goes on); a folder's
files are mirrored into the output folder. Records are translated in chunks, all of a chunk's
sentences sharing the model's length-sorted batches, and each chunk is written in order and
flushed before the small state file beside the output says it is done. Killed at any point and
started again with the same arguments, the job checks that the input and options are the same,
cuts off a record that was half written, and goes on after the last complete one.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import BilingualError, InputTooLargeError, UnsupportedFormatError, UnsupportedLanguageError
from .languages import normalize_language
from .text.detect import detect_language
from .text.pieces import needs_translation
from .translation.translator import Translator

FILE_KINDS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}
FOLDER_SUFFIXES = (".txt", ".md")
CHUNK_RECORDS = 64


@dataclass
class CorpusReport:
    """What a run did: records translated now, skipped as done before, failed (written with an error)."""

    done: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0

    def __str__(self) -> str:
        return f"done {self.done}, skipped {self.skipped}, failed {self.failed} ({self.seconds:.1f} s)"


Progress = Callable[[int, int], None]


def translate_corpus(
    translator: Translator,
    source: str | Path,
    output: str | Path,
    *,
    target: str | None = None,
    field: str = "text",
    id_field: str | None = None,
    progress: Progress | None = None,
    chunk: int = CHUNK_RECORDS,
) -> CorpusReport:
    """Translate a corpus into ``output`` (the same kind as ``source``); see the module docstring.

    Raises:
        UnsupportedFormatError: an input kind not supported, an output of another kind, a CSV without
            ``field``, or an output left by a run with other arguments.
    """
    source, output = Path(source), Path(output)
    start = time.monotonic()
    if source.is_dir():
        report = _folder(translator, source, output, target, progress)
    else:
        kind = FILE_KINDS.get(source.suffix.lower())
        if kind is None:
            raise UnsupportedFormatError(
                f"Cannot read {source.name}: give a .jsonl, .csv or .parquet file, or a folder of .txt/.md files."
            )
        if FILE_KINDS.get(output.suffix.lower()) != kind:
            raise UnsupportedFormatError(f"Write the output as the same kind of file as the input ({source.suffix}).")
        report = _records(translator, source, output, kind, target, field, id_field, progress, chunk)
    report.seconds = time.monotonic() - start
    return report


# -- records ---------------------------------------------------------------------------------------


class BadRecord(dict):
    """A record that could not be read (a malformed or too long line): written out as its error."""


def _line_limit(max_chars: int) -> int:
    """Bytes one JSONL line may take: the character limit at up to 6 bytes a character (JSON's \\u escapes)."""
    return 6 * max_chars + 64 * 1024


def _jsonl_lines(path: Path, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """``(line number, line)`` for each line, or ``(number, None)`` for a line over ``limit`` bytes,
    which is skipped while it is read (never held whole)."""
    with path.open("rb") as handle:
        number = 0
        while True:
            line = handle.readline(limit + 1)
            if not line:
                return
            number += 1
            if len(line) > limit and not line.endswith(b"\n"):
                while line and not line.endswith(b"\n"):  # the rest of the long line, a piece at a time
                    line = handle.readline(1024 * 1024)
                yield number, None
            else:
                yield number, line


def _iter_records(path: Path, kind: str, max_chars: int = 200_000) -> Iterator[dict[str, Any]]:
    """The records of a file, one at a time (a corpus never has to fit in memory).

    A JSONL line that is not a JSON object, or longer than the character limit allows, becomes a
    :class:`BadRecord` holding its line number and error, and the file is read on. A CSV field may
    be as long as the character limit; a row that cannot be read stops the job with its line number.
    """
    try:
        if kind == "jsonl":
            for number, line in _jsonl_lines(path, _line_limit(max_chars)):
                if line is None:
                    yield BadRecord(line=number, error=f"Line {number} is longer than {max_chars:,} characters allow.")
                    continue
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except (ValueError, RecursionError) as exc:
                    reason = _json_reason(exc)
                    yield BadRecord(line=number, error=f"Line {number} is not valid JSON ({reason}).")
                    continue
                if not isinstance(record, dict):
                    yield BadRecord(line=number, error=f"Line {number} is not a JSON object.")
                    continue
                yield record
        elif kind == "csv":
            with path.open(encoding="utf-8-sig", newline="") as handle:
                yield from _csv_rows(csv.DictReader(handle), path, max_chars)
        else:
            for batch in _parquet().ParquetFile(path).iter_batches(batch_size=1024):
                yield from batch.to_pylist()
    except (ValueError, UnicodeDecodeError, OSError) as exc:
        if isinstance(exc, BilingualError):
            raise
        raise UnsupportedFormatError(f"Cannot read {path.name}: {exc}") from exc


def _json_reason(exc: Exception) -> str:
    """``Expecting value at column 12``: json's message with the column, without the position in the file."""
    if not isinstance(exc, json.JSONDecodeError):
        return "it is nested too deeply"
    return f"{exc.msg}{'' if exc.msg.endswith(' at') else ' at'} column {exc.colno}"


def _csv_rows(reader: csv.DictReader, path: Path, max_chars: int) -> Iterator[dict[str, Any]]:
    # a field may be as long as a record may be (the csv module's default is 131,072 characters)
    csv.field_size_limit(max(csv.field_size_limit(), max_chars + 1))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise UnsupportedFormatError(
                f"Line {reader.reader.line_num} of {path.name} cannot be read as CSV ({exc}); fix it and run the job "
                "again: the records before it are kept.") from None
        yield row


def _count(path: Path, kind: str, max_chars: int) -> int:
    """How many records a file holds, read as a stream (for the progress bar)."""
    if kind == "parquet":
        return _parquet().ParquetFile(path).metadata.num_rows
    return sum(1 for _ in _iter_records(path, kind, max_chars))


def _parquet():
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise UnsupportedFormatError(
            "Parquet needs pyarrow, an optional extra: pip install 'bilingual[parquet]' (or pip install pyarrow)."
        ) from None
    return pq


def _fingerprint(source: Path, options: dict[str, Any]) -> str:
    stat = source.stat()
    key = json.dumps([str(source.resolve()), stat.st_size, stat.st_mtime_ns, options], sort_keys=True)
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def _state_path(output: Path) -> Path:
    return output.with_name(f".{output.name}.state.json")


def _records(translator, source, output, kind, target, field, id_field, progress, chunk) -> CorpusReport:
    options = {"target": target, "field": field, "id_field": id_field, "model": translator.settings.model_zh_en,
               "model_en_zh": translator.settings.model_en_zh}
    fingerprint = _fingerprint(source, options)
    state_path = _state_path(output)
    max_chars = translator.settings.max_input_chars
    done, offset = _resume(output, kind, state_path, fingerprint)
    report = CorpusReport(skipped=done)
    total = _count(source, kind, max_chars)
    if progress:
        progress(done, total)
    parts_dir = output.with_name(f".{output.name}.parts") if kind == "parquet" else None
    records = _iter_records(source, kind, max_chars)
    for _ in range(done):  # written by an earlier run
        next(records, None)
    lo = done
    if lo == 0:  # before the first write: a run killed from here on can be resumed
        _write_state(state_path, {"fingerprint": fingerprint, "done": 0, "offset": 0})
    while True:
        batch = [r for _, r in zip(range(chunk), records)]
        if not batch:
            break
        out = translate_records(translator, batch, target, field, id_field, report)
        if kind == "jsonl":
            offset = _append(output, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out))
        elif kind == "csv":
            offset = _append_csv(output, out, header=lo == 0)
        else:
            parts_dir.mkdir(parents=True, exist_ok=True)
            _atomic_parquet(parts_dir / f"part-{lo:09d}.parquet", out)
        lo += len(batch)
        _write_state(state_path, {"fingerprint": fingerprint, "done": lo, "offset": offset})
        if progress:
            progress(lo, total)
    if kind == "parquet" and not output.exists():
        _combine_parquet(parts_dir, output, total)
    _write_state(state_path, {"fingerprint": fingerprint, "done": total, "offset": offset, "complete": True})
    return report


def _read_state(state_path: Path) -> dict[str, Any]:
    damaged = UnsupportedFormatError(
        f"The job's state file {state_path.name} is damaged; remove it and the output to start again.")
    try:
        state = json.loads(state_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError, OSError):
        raise damaged from None
    if not isinstance(state, dict):
        raise damaged
    for name in ("done", "offset"):
        value = state.get(name, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise damaged
    return state


def _resume(output: Path, kind: str, state_path: Path, fingerprint: str) -> tuple[int, int]:
    """(records, bytes) already written by an earlier run with the same arguments; what was written
    after the state's last word (a half-written record, or a chunk whose state update was lost) is cut off.

    The state file keeps the output's length after each chunk, so the output is never read to find it;
    a state without one (an earlier version's) is found by reading the output as a stream.
    """
    if not state_path.exists():
        if output.exists():
            raise UnsupportedFormatError(
                f"{output.name} exists and was not written by an unfinished run; remove it or choose another output."
            )
        return 0, 0
    state = _read_state(state_path)
    if state.get("fingerprint") != fingerprint:
        raise UnsupportedFormatError(
            f"{output.name} was started with another input or other options; remove it (and "
            f"{state_path.name}) to start again, or give the same arguments to go on."
        )
    done = state.get("done", 0)
    if kind == "parquet" or state.get("complete"):
        return done, state.get("offset", 0)
    if not output.exists():
        if done:
            raise UnsupportedFormatError(f"{output.name} is gone; remove {state_path.name} to start again.")
        return 0, 0
    keep = state["offset"] if "offset" in state else _rows_end(output, kind, done)
    size = output.stat().st_size
    if keep > size:
        raise UnsupportedFormatError(f"{output.name} is shorter than its state file says; remove both to start again.")
    if keep < size:
        with output.open("rb+") as handle:
            handle.truncate(keep)
    return done, keep


def _rows_end(output: Path, kind: str, rows: int) -> int:
    """Where the ``rows``-th record of a JSONL or CSV output ends (after its header), read as a stream."""
    consumed = 0
    with output.open("rb") as handle:
        if kind == "jsonl":
            for _ in range(rows):
                line = handle.readline()
                if not line.endswith(b"\n"):
                    raise UnsupportedFormatError(f"{output.name} holds fewer records than its state file says.")
                consumed += len(line)
            return consumed

        def lines() -> Iterator[str]:
            nonlocal consumed
            for raw in handle:
                consumed += len(raw)
                yield raw.decode("utf-8")

        reader = csv.reader(lines())
        try:
            for _ in range(rows + 1):  # + the header
                next(reader)
        except (StopIteration, csv.Error):
            raise UnsupportedFormatError(f"{output.name} holds fewer records than its state file says.") from None
        return consumed


def translate_records(translator, records, target, field, id_field, report: CorpusReport) -> list[dict[str, Any]]:
    """The records with ``translation`` and ``source_language``, or ``error``; the good ones translated together."""
    out = [dict(r) for r in records]
    todo: list[tuple[int, str, str]] = []  # (index, text, source language)
    for i, record in enumerate(out):
        if isinstance(records[i], BadRecord):
            continue  # its error is already there
        text = record.get(field)
        if id_field and id_field not in record:
            record["error"] = f"No {id_field!r} field in this record."
            continue
        if not isinstance(text, str):
            record["error"] = f"No text in field {field!r}."
            continue
        if not text.strip():
            record["error"] = f"The text in field {field!r} is empty."  # not 'done' with an empty translation
            continue
        if len(text) > translator.settings.max_input_chars:
            record["error"] = f"The text has {len(text):,} characters, more than {translator.settings.max_input_chars:,}."
            continue
        if not needs_translation(text):
            record["translation"], record["source_language"] = text, None
            continue
        try:
            language = detect_language(text)
            if target and normalize_language(target) == language:
                record["translation"], record["source_language"] = text, language
                continue
            todo.append((i, text, language))
        except UnsupportedLanguageError as exc:
            record["error"] = str(exc)
    for language in ("zh", "en"):
        group = [(i, text) for i, text, lang in todo if lang == language]
        for batch in _by_size(group, translator.settings.max_input_chars):
            try:
                docs = translator.translate_documents([t for _, t in batch], target, source=language)
            except (InputTooLargeError, UnsupportedLanguageError) as exc:
                for i, _ in batch:
                    out[i]["error"] = str(exc)
                continue
            for (i, _), doc in zip(batch, docs):
                out[i]["translation"], out[i]["source_language"] = doc.text, language
    for record in out:
        if "error" in record:
            report.failed += 1
        else:
            report.done += 1
    return out


def _by_size(items: list[tuple[int, str]], limit: int) -> Iterator[list[tuple[int, str]]]:
    batch: list[tuple[int, str]] = []
    size = 0
    for item in items:
        if batch and size + len(item[1]) > limit:
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += len(item[1])
    if batch:
        yield batch


def _append(path: Path, text: str) -> int:
    """Append and flush to the disk; returns the file's length after it."""
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
        return handle.tell()


def _append_csv(path: Path, records: list[dict[str, Any]], *, header: bool) -> int:
    columns = list(dict.fromkeys([k for r in records for k in r] + ["translation", "source_language", "error"]))
    if not header:
        with path.open(encoding="utf-8", newline="") as handle:
            columns = next(csv.reader(handle))
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        if header:
            writer.writeheader()
        writer.writerows(records)
        handle.flush()
        os.fsync(handle.fileno())
        return handle.tell()


def _atomic_parquet(path: Path, records: list[dict[str, Any]]) -> None:
    import pyarrow as pa

    staging = path.with_suffix(".part")
    columns = list(dict.fromkeys([k for r in records for k in r] + ["translation", "source_language", "error"]))
    rows = [{k: r.get(k) for k in columns} for r in records]  # pyarrow takes its columns from the first row
    _parquet().write_table(pa.Table.from_pylist(rows), staging)
    os.replace(staging, path)


def _combine_parquet(parts: Path, output: Path, total: int) -> None:
    """The parts, one after another, into the output file (streamed: one part in memory at a time)."""
    import pyarrow as pa

    pq = _parquet()
    files = sorted(parts.glob("part-*.parquet"))
    schema = pa.unify_schemas([pq.read_schema(f) for f in files], promote_options="permissive") if files else None
    staging = output.with_name(f".{output.name}.writing")
    rows = 0
    if schema is not None:
        with pq.ParquetWriter(staging, schema) as writer:
            for f in files:
                table = pq.read_table(f)
                for name in schema.names:  # a column a part did not have (no errors in it, say)
                    if name not in table.column_names:
                        table = table.append_column(name, pa.nulls(table.num_rows, schema.field(name).type))
                writer.write_table(table.select(schema.names).cast(schema))
                rows += table.num_rows
    if rows != total:
        raise BilingualError(f"The parts hold {rows} records, not {total}; run the job again.")
    os.replace(staging, output)
    for part in parts.glob("*"):
        part.unlink()
    parts.rmdir()


def _write_state(path: Path, state: dict[str, Any]) -> None:
    fd, staging = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        json.dump(state, handle)
    os.replace(staging, path)


# -- folders -----------------------------------------------------------------------------------------


def _folder(translator: Translator, source: Path, output: Path, target, progress) -> CorpusReport:
    from .documents import translate_file

    files = sorted(p for p in source.rglob("*") if p.is_file() and p.suffix.lower() in FOLDER_SUFFIXES
                   and not any(part.startswith(".") for part in p.relative_to(source).parts))
    report = CorpusReport()
    for n, path in enumerate(files):
        destination = output / path.relative_to(source)
        error_file = destination.with_name(destination.name + ".error.txt")
        if destination.exists() or error_file.exists():
            report.skipped += 1  # written whole (atomically) by an earlier run
        else:
            try:
                translate_file(translator, path, target, out=destination)
                report.done += 1
            except BilingualError as exc:
                error_file.parent.mkdir(parents=True, exist_ok=True)
                error_file.write_text(f"{exc}\n", encoding="utf-8")
                report.failed += 1
        if progress:
            progress(n + 1, len(files))
    return report
