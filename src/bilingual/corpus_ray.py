"""``bilingual batch --engine ray``: the same corpus job on Ray Data, on one machine or a cluster.

Ray Data reads the input (``read_json``/``read_csv``/``read_parquet``, local paths or URIs
such as ``s3://``), ``map_batches`` runs :class:`TranslateRecords` in a pool of actors (each
loads the models once; ``--workers`` actors, each with its CPUs or a GPU), and Ray Data's
writers write the records, in input order, as part files of the input's kind into the output
folder. Each record is translated as the local engine translates it (the same function,
:func:`bilingual.corpus.translate_records`, over chunks of ``--chunk`` records), so the
records are the same, one for one; in Ray's columnar output a field a record lacks is null
(for example ``error`` on a translated record).

On a cluster, the input and output paths, and the models, must be reachable from every node
(shared storage or object storage; a Hub id is downloaded by each node).

Ray is an optional extra: ``pip install 'bilingual[ray]'``.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

from .config import Settings
from .corpus import CHUNK_RECORDS, FILE_KINDS, CorpusReport, translate_records
from .errors import BackendNotAvailableError, UnsupportedFormatError

ADDED = ("translation", "source_language", "error")
INSTALL = "The Ray engine needs Ray, an optional extra: pip install 'bilingual[ray]'"
# Reading and writing take little CPU: they must not wait for the cores the translator actors hold
# (two 1-CPU actors on a 2-CPU machine would otherwise leave no room to read the input).
IO_CPUS = 0


def _ray():
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise BackendNotAvailableError(INSTALL + ".") from None
    return ray


class TranslateRecords:
    """A Ray Data actor: one translator (models loaded once), applied to batches of records."""

    def __init__(self, settings: Settings, target: str | None, field: str, id_field: str | None, glossary) -> None:
        from .translation.translator import Translator

        self.translator = Translator(settings, glossary=glossary)
        self.target, self.field, self.id_field = target, field, id_field

    def __call__(self, batch):
        import pyarrow as pa

        records = batch.to_pylist()
        out = translate_records(self.translator, records, self.target, self.field, self.id_field, CorpusReport())
        schema = batch.schema
        for name in ADDED:
            if name not in schema.names:
                schema = schema.append(pa.field(name, pa.string()))
        return pa.Table.from_pylist([{name: r.get(name) for name in schema.names} for r in out], schema=schema)


def translate_corpus_ray(
    settings: Settings,
    source: str | Path,
    output: str | Path,
    *,
    target: str | None = None,
    field: str = "text",
    id_field: str | None = None,
    glossary=None,
    workers: int = 1,
    cpus_per_worker: float = 1.0,
    gpus_per_worker: float = 0.0,
    address: str | None = None,
    chunk: int = CHUNK_RECORDS,
) -> CorpusReport:
    """Translate a JSONL, CSV or Parquet corpus on Ray Data into the folder ``output`` (part files).

    Args:
        settings: the translator's settings, sent to every actor.
        workers: translator actors (each loads the models once).
        cpus_per_worker, gpus_per_worker: what Ray reserves for each actor; the backend uses that many
            CPU threads (Ray sets ``OMP_NUM_THREADS``), and a GPU when one is given.
        address: a Ray cluster to join (``auto``, ``ray://host:10001``); None starts or joins a local one.

    Raises:
        BackendNotAvailableError: Ray is not installed.
        UnsupportedFormatError: an input kind Ray cannot read here, or an output folder that is not empty.
    """
    ray = _ray()
    from .translation.glossary import load_glossary

    if workers < 1:
        raise UnsupportedFormatError("--workers must be at least 1.")
    source_text, output_text = str(source), str(output)
    kind = FILE_KINDS.get(Path(source_text).suffix.lower())
    if kind is None:
        raise UnsupportedFormatError(
            f"The Ray engine reads .jsonl, .csv and .parquet files, not {Path(source_text).name}; "
            "translate a folder of .txt/.md files with the local engine."
        )
    if "://" not in output_text:
        out_dir = Path(output_text)
        if out_dir.suffix.lower() in FILE_KINDS:
            raise UnsupportedFormatError(
                f"With --engine ray the output is a folder of part files; give a folder name, not {out_dir.name}."
            )
        if out_dir.exists() and any(out_dir.iterdir()):
            raise UnsupportedFormatError(f"The output folder {out_dir.name} is not empty; remove it or choose another.")
    start = time.monotonic()
    if not ray.is_initialized():
        ray.init(address=address, log_to_driver=False, include_dashboard=False,
                 runtime_env={"env_vars": {"TOKENIZERS_PARALLELISM": "false"}})
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True  # the output in the input's order
    context.enable_progress_bars = True
    dataset = _read(ray, kind, source_text)
    translated = dataset.map_batches(
        TranslateRecords,
        fn_constructor_kwargs={"settings": settings, "target": target, "field": field, "id_field": id_field,
                               "glossary": load_glossary(glossary) if glossary is not None else None},
        batch_size=chunk, batch_format="pyarrow", compute=ray.data.ActorPoolStrategy(size=workers),
        num_cpus=cpus_per_worker,
        num_gpus=gpus_per_worker or None,
    )
    light = {"num_cpus": IO_CPUS}
    if kind == "jsonl":
        translated.write_json(output_text, force_ascii=False, ray_remote_args=light)
    elif kind == "csv":
        translated.write_csv(output_text, ray_remote_args=light)
    else:
        translated.write_parquet(output_text, ray_remote_args=light)
    return _report(ray, kind, output_text, time.monotonic() - start)


def _read(ray, kind: str, path: str):
    if kind == "jsonl":
        return ray.data.read_json(path, lines=True, num_cpus=IO_CPUS)
    if kind == "parquet":
        return ray.data.read_parquet(path, num_cpus=IO_CPUS)
    import pyarrow as pa
    import pyarrow.csv as pacsv

    # every column as text, as the local engine reads CSV ("007" stays "007"), quoted newlines allowed
    header = _csv_header(path)
    return ray.data.read_csv(
        path,
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types={name: pa.string() for name in header},
                                             strings_can_be_null=False, quoted_strings_can_be_null=False),
        num_cpus=IO_CPUS,
    )


def _csv_header(path: str) -> list[str]:
    if "://" in path:
        import pyarrow.fs as pafs

        filesystem, inner = pafs.FileSystem.from_uri(path)
        with filesystem.open_input_stream(inner) as stream:
            first = stream.read(1 << 20).decode("utf-8-sig", errors="replace")
    else:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            first = handle.read(1 << 20)
    return next(csv.reader(first.splitlines()), [])


def read_output(kind: str, folder: str | Path) -> list[dict[str, Any]]:
    """The records of an output folder, in order (part files sorted by name), fields that are null left out."""
    import json

    rows: list[dict[str, Any]] = []
    for part in sorted(Path(folder).glob(f"*.{'json' if kind == 'jsonl' else kind}")):
        if kind == "jsonl":
            rows += [json.loads(line) for line in part.read_text(encoding="utf-8").splitlines() if line.strip()]
        elif kind == "csv":
            with part.open(encoding="utf-8", newline="") as handle:
                rows += list(csv.DictReader(handle))
        else:
            import pyarrow.parquet as pq

            rows += pq.read_table(part).to_pylist()
    return [{k: v for k, v in row.items() if v is not None} for row in rows]


def _report(ray, kind: str, output: str, seconds: float) -> CorpusReport:
    """Done and failed records, counted from what was written."""
    if kind == "jsonl":
        written = ray.data.read_json(output, lines=True, file_extensions=["json"])
    elif kind == "csv":
        written = ray.data.read_csv(output)
    else:
        written = ray.data.read_parquet(output)
    total = failed = 0
    for batch in written.iter_batches(batch_format="pyarrow"):
        total += batch.num_rows
        if "error" in batch.column_names:  # a string where a record failed, null (or "" in CSV) where not
            failed += sum(1 for value in batch.column("error").to_pylist() if isinstance(value, str) and value)
    return CorpusReport(done=total - failed, failed=failed, seconds=seconds)

