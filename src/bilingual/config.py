"""Settings. The environment is read here, and only here (``Settings.from_env`` and the functions below).

The core takes a frozen :class:`Settings`; ``Translator(**overrides)`` and the
command line build one from the environment and their own arguments.

Environment variables:

==============================  ======================================================
``BILINGUAL_MODEL_ZH_EN``       Hub id or local directory of the zh->en model
``BILINGUAL_MODEL_EN_ZH``       Hub id or local directory of the en->zh model
``BILINGUAL_REVISION_ZH_EN``    pinned revision (branch, tag or commit) of that model
``BILINGUAL_REVISION_EN_ZH``    pinned revision of the en->zh model
``BILINGUAL_MODEL_SUMMARY_EN``  Hub id or local directory of the English summarizer
``BILINGUAL_MODEL_SUMMARY_ZH``  Hub id or local directory of the Chinese summarizer
``BILINGUAL_DEVICE``            ``cpu``, ``cuda``, ``cuda:1`` ... (default: cuda if available)
``BILINGUAL_MAX_INPUT_CHARS``   size limit of one request (default 200000)
``BILINGUAL_MAX_DOCUMENT_CHARS`` characters of text one file (a document) may hold (default 2000000)
``BILINGUAL_PDF_FONT``          the CJK font file translated PDFs embed (default: an installed Noto Sans CJK;
                                ``builtin``: reportlab's STSong-Light, not embedded)
``BILINGUAL_OFFLINE``           ``1`` never downloads (``HF_HUB_OFFLINE=1`` does the same)
``BILINGUAL_BACKEND``           ``auto`` (CTranslate2 when installed), ``ctranslate2``, ``transformers``
``BILINGUAL_HOME``              folder for the translation cache and converted models
                                (default ``$XDG_CACHE_HOME/bilingual`` or ``~/.cache/bilingual``)
``BILINGUAL_CACHE``             ``0`` switches the translation cache off
``BILINGUAL_MEMORY``            ``0`` switches the translation memory off (``<home>/memory.sqlite3``)
``BILINGUAL_MEMORY_MAX_ENTRIES`` entries the translation memory keeps per namespace and direction
                                (default 100000)
``BILINGUAL_ALLOW_PICKLE``      ``1`` unpickles weight files fully (can run code): only for models you trust
``BILINGUAL_COMPUTE_TYPE``      CTranslate2 compute type: auto, int8, int8_float32, float32, float16
``BILINGUAL_BATCHING``          ``0`` turns batching across requests off (each request its own calls)
``BILINGUAL_BATCH_WAIT_MS``     most milliseconds a model call waits for more requests (default 5)
``BILINGUAL_LENGTH_RATIO``      output cap: this ratio x source tokens + 10 (default 3)
``BILINGUAL_REPETITION_GUARD``  ``0`` turns the repetition-loop guard off
``BILINGUAL_ENGINE``            the translation engine: ``auto`` (the model's own architecture, read
                                from its config.json: marian, m2m_100, nllb, t5, causal), one of
                                those (checked against the model), or ``llm`` (the OpenAI-compatible
                                server at ``BILINGUAL_LLM_URL``)
``BILINGUAL_ENGINE_ZH_EN``      the engine of one direction, over ``BILINGUAL_ENGINE``
``BILINGUAL_ENGINE_EN_ZH``      (the same for en->zh)
``BILINGUAL_QUALITY_ENGINE``    the engine REST's ``model_type=quality_optimized`` and the page's
                                "quality" choice use (default: none; ``llm`` is the usual choice)
``BILINGUAL_LLM_URL``           base URL of an OpenAI-compatible server (``http://host:8000/v1``)
``BILINGUAL_LLM_MODEL``         the model name that server serves
``BILINGUAL_LLM_API_KEY``       its API key (never logged or shown); or ``BILINGUAL_LLM_API_KEY_FILE``
``BILINGUAL_LLM_CONCURRENCY``   requests sent to it at once (default 8; the server batches them)
``BILINGUAL_LLM_TIMEOUT``       seconds one request may take (default 120)
``BILINGUAL_LLM_RETRIES``       retries, with backoff, after 429, 5xx or a lost connection (default 2)
==============================  ======================================================

The server (page and REST API) reads :class:`ServiceSettings` (``ServiceSettings.from_env``):

================================  ====================================================
``GRADIO_SERVER_NAME``/``_PORT``  address to listen on (default ``127.0.0.1:7860``)
``BILINGUAL_WORKERS``             jobs that run at once, page and API together (default 16
                                  with batching across requests, 2 without)
``BILINGUAL_QUEUE_SIZE``          jobs that may wait for a worker; beyond: "busy" (default 64)
``BILINGUAL_REQUIRE_API_KEY``     ``1``: every REST request needs an API key
``BILINGUAL_REQ_LIMIT``           requests per minute per client without a key of its own
                                  (0 = unlimited; default 0 on loopback, 60 otherwise)
``BILINGUAL_CHAR_LIMIT``          characters per REST request, all items together
                                  (default: ``BILINGUAL_MAX_INPUT_CHARS``)
``BILINGUAL_BATCH_LIMIT``         items in one ``q`` list (default 200)
``BILINGUAL_FILE_LIMIT_MB``       size of an uploaded file (default 10)
``BILINGUAL_ALTERNATIVES_LIMIT``  most ``alternatives`` a request may ask for (default 3)
``BILINGUAL_CORS_ORIGINS``        comma-separated origins allowed to call the API from a
                                  browser (none by default; ``*`` for browser extensions)
``BILINGUAL_FILE_RETENTION``      seconds translated files are kept (default 3600)
``BILINGUAL_ALLOWED_HOSTS``       comma-separated host names the server answers to (default on
                                  loopback: localhost, 127.0.0.1, [::1]; on a network: any, with a
                                  warning at start)
``BILINGUAL_UPLOAD_LIMIT``         page uploads per minute per client (default 10; 0 = unlimited)
``BILINGUAL_UPLOAD_QUOTA_MB``      the page's uploads kept at once, all clients (default 500)
``BILINGUAL_FILE_QUOTA_MB``        translated files kept for download, per key or client
                                  (default 200) and in total (5 x that)
``BILINGUAL_GLOSSARY_QUOTA``       stored glossaries per key or client (default 20) and in total
                                  (default 1000); unused ones are deleted after 30 days
``BILINGUAL_JOB_QUOTA``            background document jobs waiting or running per key or client (default 4)
``BILINGUAL_JOB_QUEUE``            background document jobs waiting or running in all (default 64)
``BILINGUAL_MEMORY_BUDGET_MB``     memory that documents being read may take at once (default 4096)
``BILINGUAL_BODY_TIMEOUT``         seconds a request body may take to arrive (default 30)
``BILINGUAL_BODY_BUDGET_MB``       request bytes buffered at once, all connections (default 256)
``BILINGUAL_MAX_CONNECTIONS``      open connections and requests; past it new ones get 503 (default 512)
``BILINGUAL_HEADER_TIMEOUT``       seconds a connection may take to send its request head (default 10)
``BILINGUAL_REQ_WINDOW``           seconds of the rate limits' window (default 60: per minute)
``BILINGUAL_SUGGESTIONS``          who may add translations to the memory (``POST /suggest``, the page):
                                  ``1`` everyone, ``0`` no one; unset: callers on this machine,
                                  API key holders and the page's logged-in users
``BILINGUAL_METRICS``              ``1`` serves Prometheus metrics at ``/metrics`` (off by default)
``BILINGUAL_METRICS_TOKEN``        a bearer token ``/metrics`` then requires
``BILINGUAL_AUTH_FILE``           logins for the web page, one ``user:password`` a line
``BILINGUAL_AUTH``                logins for the web page, comma-separated ``user:password``
``GRADIO_TEMP_DIR``               where the page keeps uploads (default: ``<home>/gradio``)
================================  ====================================================

Elsewhere: ``BILINGUAL_EVALDATA`` (the evaluation data, :func:`evaldata_folder`), ``OMP_NUM_THREADS``
(CPU threads per model, :func:`cpu_threads`), and Ray Serve's ``BILINGUAL_SERVE_*``
(:class:`ServeSettings`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from .errors import ConfigError

DEFAULT_MODEL_ZH_EN = "Helsinki-NLP/opus-mt-zh-en"
DEFAULT_MODEL_EN_ZH = "Helsinki-NLP/opus-mt-en-zh"
DEFAULT_MODEL_SUMMARY_EN = "sshleifer/distilbart-cnn-12-6"
DEFAULT_MODEL_SUMMARY_ZH = "csebuetnlp/mT5_multilingual_XLSum"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
COMPUTE_TYPES = ("auto", "int8", "int8_float32", "int8_float16", "float32", "float16")
# Translation engines: a local model of one of these architectures, or an OpenAI-compatible server.
ENGINES = ("auto", "marian", "m2m_100", "nllb", "t5", "causal", "llm")


@dataclass(frozen=True)
class ModelRef:
    """A model to load: Hub id or local directory, its pinned revision, and where it is configured.

    Attributes:
        name: Hub id (``owner/name``) or local directory.
        revision: branch, tag or commit (None: the default branch).
        task: ``"translation"`` or ``"summarization"``.
        setting: the environment variable that points at this model (named in messages).
        label: what the model does, for lists and messages (``"translate zh->en"``).
    """

    name: str
    revision: str | None
    task: str
    setting: str
    label: str

    def fix_hint(self) -> str:
        """What to do without the model: download it elsewhere and copy the folder over, or point at a copy."""
        rev = f" --revision {self.revision}" if self.revision else ""
        command = "bilingual models download" + (" --all" if self.task == "summarization" else "")
        return (
            f"On a machine with network access, run `{command}` (or `hf download {self.name}{rev}`), then copy "
            f"the folder {self.cache_folder} from its Hugging Face cache into this machine's (HF_HUB_CACHE, by "
            f"default ~/.cache/huggingface/hub); or set {self.setting} to a local directory holding the model's "
            "files."
        )

    @property
    def cache_folder(self) -> str:
        """The model's folder in a Hugging Face cache: ``models--Helsinki-NLP--opus-mt-zh-en``."""
        return "models--" + self.name.replace("/", "--")


# Every model the package can use: (key, task, label, Settings field, revision field, environment variable).
MODELS = (
    ("zh-en", "translation", "translate zh->en", "model_zh_en", "revision_zh_en", "BILINGUAL_MODEL_ZH_EN"),
    ("en-zh", "translation", "translate en->zh", "model_en_zh", "revision_en_zh", "BILINGUAL_MODEL_EN_ZH"),
    ("summary-en", "summarization", "summarize en", "model_summary_en", None, "BILINGUAL_MODEL_SUMMARY_EN"),
    ("summary-zh", "summarization", "summarize zh", "model_summary_zh", None, "BILINGUAL_MODEL_SUMMARY_ZH"),
)
_REVISION_SETTINGS = {"revision_zh_en": "BILINGUAL_REVISION_ZH_EN", "revision_en_zh": "BILINGUAL_REVISION_EN_ZH"}


@dataclass(frozen=True)
class Settings:
    """Everything the translator and summarizer need to know, in one immutable object.

    Attributes:
        model_zh_en: Hub id or local directory of the Chinese -> English model.
        model_en_zh: Hub id or local directory of the English -> Chinese model.
        revision_zh_en: pinned revision of ``model_zh_en`` (None: the default branch).
        revision_en_zh: pinned revision of ``model_en_zh``.
        model_summary_en: Hub id or local directory of the English abstractive summarizer.
        model_summary_zh: Hub id or local directory of the Chinese abstractive summarizer.
        backend: ``"transformers"`` (the only one built in so far) or ``"auto"``.
        device: ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or None for automatic.
        beam_size: beams in decoding.
        batch_size: most sentences in one model call.
        max_batch_tokens: most source tokens in one model call (padding included).
        max_segment_tokens: longer sentences are split at clauses, then at this budget.
        max_input_chars: larger inputs raise InputTooLargeError before any model work.
        max_document_chars: the same for the text of one file (a document: .docx, .pdf …), separately.
        length_ratio: a sentence's output is capped at ``length_ratio * source tokens + 10``.
        repetition_guard: decode outputs caught in a repetition loop again without repeated trigrams.
        offline: never try to download a model.
        home: folder for the translation cache and converted CTranslate2 models (None: none kept).
        cache: keep sentence translations in ``<home>/translations.sqlite3``.
        cache_max_entries: most sentences the cache keeps.
        memory: read people's translations from the translation memory in ``<home>/memory.sqlite3``
            before the model (:mod:`bilingual.translation.memory`).
        memory_max_entries: most entries the memory keeps per namespace and direction.
        allow_pickle: unpickle weight files fully (they can run code); off by default, when
            ``pytorch_model.bin`` is read with torch's safe ``weights_only`` loader.
        compute_type: CTranslate2's compute type: ``auto`` (int8 on CPU, float16 on CUDA),
            ``int8``, ``int8_float32``, ``int8_float16``, ``float32`` or ``float16``.
        batching: concurrent requests share model calls (:mod:`bilingual.translation.scheduler`).
        batch_wait_ms: most milliseconds a model call waits for more sentences when its batch is not full.
        engine: the translation engine (:data:`ENGINES`): ``auto`` reads the model's architecture
            from its config.json; ``llm`` is the OpenAI-compatible server at ``llm_url``.
        engine_zh_en, engine_en_zh: one direction's engine, over ``engine`` (None: ``engine``).
        quality_engine: the engine asked for by REST's ``model_type=quality_optimized`` (None: none).
        llm_url: base URL of the OpenAI-compatible server (``http://localhost:8000/v1``).
        llm_model: the model name the server serves.
        llm_api_key: the server's API key (never shown: not in ``repr``).
        llm_concurrency: requests sent to the server at once (it batches them itself).
        llm_timeout: seconds one request to the server may take.
        llm_retries: retries, with exponential backoff, after 429, 5xx or a lost connection.
        pdf_font: the CJK font file a translated PDF embeds (OpenType or TrueType, ``.ttc`` too); None: an
            installed Noto Sans CJK if there is one; ``"builtin"``: reportlab's STSong-Light, not embedded.
    """

    model_zh_en: str = DEFAULT_MODEL_ZH_EN
    model_en_zh: str = DEFAULT_MODEL_EN_ZH
    revision_zh_en: str | None = None
    revision_en_zh: str | None = None
    model_summary_en: str = DEFAULT_MODEL_SUMMARY_EN
    model_summary_zh: str = DEFAULT_MODEL_SUMMARY_ZH
    backend: str = "auto"
    device: str | None = None
    beam_size: int = 4
    batch_size: int = 16
    max_batch_tokens: int = 4096
    max_segment_tokens: int = 200
    max_input_chars: int = 200_000
    max_document_chars: int = 2_000_000
    length_ratio: float = 3.0
    repetition_guard: bool = True
    offline: bool = False
    home: str | None = None
    cache: bool = False
    cache_max_entries: int = 200_000
    memory: bool = True
    memory_max_entries: int = 100_000
    allow_pickle: bool = False
    compute_type: str = "auto"
    batching: bool = True
    batch_wait_ms: float = 5.0
    engine: str = "auto"
    engine_zh_en: str | None = None
    engine_en_zh: str | None = None
    quality_engine: str | None = None
    llm_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = field(default=None, repr=False)
    llm_concurrency: int = 8
    llm_timeout: float = 120.0
    llm_retries: int = 2
    pdf_font: str | None = None

    def __post_init__(self) -> None:
        if self.compute_type not in COMPUTE_TYPES:
            raise ConfigError(f"compute_type must be one of {', '.join(COMPUTE_TYPES)}, not {self.compute_type!r}")
        for name in ("engine", "engine_zh_en", "engine_en_zh", "quality_engine"):
            value = getattr(self, name)
            if value is not None and value not in ENGINES:
                raise ConfigError(f"{name} must be one of {', '.join(ENGINES)}, not {value!r}")
        if "llm" in self.engines() and not (self.llm_url and self.llm_model):
            raise ConfigError("The llm engine needs the server's address and model: set BILINGUAL_LLM_URL "
                              "(e.g. http://localhost:8000/v1) and BILINGUAL_LLM_MODEL.")
        if not isinstance(self.llm_concurrency, int) or not 1 <= self.llm_concurrency <= 256:
            raise ConfigError(f"llm_concurrency must be between 1 and 256, not {self.llm_concurrency!r}")
        if not 0 < self.llm_timeout <= 3600 or not 0 <= self.llm_retries <= 10:
            raise ConfigError("llm_timeout must be between 0 and 3600 seconds, and llm_retries between 0 and 10")
        for name in (
            "beam_size", "batch_size", "max_batch_tokens", "max_segment_tokens", "max_input_chars", "max_document_chars",
            "cache_max_entries",
            "memory_max_entries",
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ConfigError(f"{name} must be a positive integer, not {value!r}")
        if not 0 <= self.batch_wait_ms <= 1000:
            raise ConfigError(f"batch_wait_ms must be between 0 and 1000, not {self.batch_wait_ms!r}")
        if not 0.5 <= self.length_ratio <= 20:
            raise ConfigError(f"length_ratio must be between 0.5 and 20, not {self.length_ratio!r}")
        if self.max_segment_tokens < 8:
            raise ConfigError("max_segment_tokens must be at least 8")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from environment variables (see the module docstring), then overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        names = [(env_name, field_name) for *_, field_name, _, env_name in MODELS]
        names += [(env_name, field_name) for field_name, env_name in _REVISION_SETTINGS.items()]
        names += [("BILINGUAL_DEVICE", "device"), ("BILINGUAL_BACKEND", "backend"),
                  ("BILINGUAL_COMPUTE_TYPE", "compute_type")]
        for key, field_name in names:
            if env.get(key):
                values[field_name] = env[key]
        if env.get("BILINGUAL_MAX_INPUT_CHARS"):
            values["max_input_chars"] = int(env["BILINGUAL_MAX_INPUT_CHARS"])
        if env.get("BILINGUAL_PDF_FONT"):
            values["pdf_font"] = env["BILINGUAL_PDF_FONT"]
        if env.get("BILINGUAL_MAX_DOCUMENT_CHARS"):
            values["max_document_chars"] = _int_setting(env, "BILINGUAL_MAX_DOCUMENT_CHARS", 2_000_000, 1)
        values["offline"] = any(env.get(k, "").lower() in _TRUE for k in ("BILINGUAL_OFFLINE", "HF_HUB_OFFLINE"))
        cache_root = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        values["home"] = env.get("BILINGUAL_HOME") or os.path.join(cache_root, "bilingual")
        values["cache"] = env.get("BILINGUAL_CACHE", "1").lower() not in _FALSE
        values["memory"] = env.get("BILINGUAL_MEMORY", "1").lower() not in _FALSE
        if env.get("BILINGUAL_MEMORY_MAX_ENTRIES"):
            values["memory_max_entries"] = _int_setting(env, "BILINGUAL_MEMORY_MAX_ENTRIES", 100_000, 1)
        values["allow_pickle"] = env.get("BILINGUAL_ALLOW_PICKLE", "").lower() in _TRUE
        for key, field_name in (("BILINGUAL_BATCHING", "batching"), ("BILINGUAL_REPETITION_GUARD", "repetition_guard")):
            if env.get(key):
                values[field_name] = env[key].lower() not in _FALSE
        numbers = (("BILINGUAL_BATCH_WAIT_MS", "batch_wait_ms"), ("BILINGUAL_LENGTH_RATIO", "length_ratio"))
        for key, field_name in numbers:
            if env.get(key):
                values[field_name] = _float_setting(env, key, 0.0)
        for key, field_name in (("BILINGUAL_ENGINE", "engine"), ("BILINGUAL_ENGINE_ZH_EN", "engine_zh_en"),
                                ("BILINGUAL_ENGINE_EN_ZH", "engine_en_zh"), ("BILINGUAL_QUALITY_ENGINE", "quality_engine"),
                                ("BILINGUAL_LLM_URL", "llm_url"), ("BILINGUAL_LLM_MODEL", "llm_model")):
            if env.get(key, "").strip():
                values[field_name] = env[key].strip()
        values["llm_api_key"] = _secret(env, "BILINGUAL_LLM_API_KEY")
        if env.get("BILINGUAL_LLM_CONCURRENCY"):
            values["llm_concurrency"] = _int_setting(env, "BILINGUAL_LLM_CONCURRENCY", 8, 1)
        if env.get("BILINGUAL_LLM_RETRIES"):
            values["llm_retries"] = _int_setting(env, "BILINGUAL_LLM_RETRIES", 2)
        if env.get("BILINGUAL_LLM_TIMEOUT"):
            values["llm_timeout"] = _float_setting(env, "BILINGUAL_LLM_TIMEOUT", 120.0)
        known = {f.name for f in fields(cls)}
        unknown = set(overrides) - known
        if unknown:
            raise TypeError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return replace(cls(**values), **overrides)

    def engine_for(self, direction: str) -> str:
        """The engine of ``"zh-en"`` or ``"en-zh"``: its own setting, else ``engine``."""
        own = self.engine_zh_en if direction == "zh-en" else self.engine_en_zh
        return own or self.engine

    def engines(self) -> set[str]:
        """Every engine these settings name (the quality engine included)."""
        return {self.engine_for("zh-en"), self.engine_for("en-zh")} | ({self.quality_engine} - {None})

    def model_refs(self) -> list[ModelRef]:
        """Every configured model, translation first: what ``models list`` and the page show."""
        return [self.model_ref(key) for key, *_ in MODELS]

    def model_ref(self, key: str) -> ModelRef:
        """The configured model for ``"zh-en"``, ``"en-zh"``, ``"summary-en"`` or ``"summary-zh"``."""
        for name, task, label, field_name, revision_field, env_name in MODELS:
            if name == key:
                revision = getattr(self, revision_field) if revision_field else None
                return ModelRef(getattr(self, field_name), revision, task, env_name, label)
        raise KeyError(f"no model {key!r}; one of: {', '.join(m[0] for m in MODELS)}")


_LOOPBACK = ("127.0.0.1", "localhost", "::1")
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")  # the Host names a loopback server answers to by default


def _float_setting(env: Mapping[str, str], key: str, default: float) -> float:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{key} must be a number, not {raw!r}") from None


def _secret(env: Mapping[str, str], key: str) -> str | None:
    """A secret from ``KEY`` or from the file named by ``KEY_FILE`` (its first line), else None."""
    if env.get(key, "").strip():
        return env[key].strip()
    path = env.get(f"{key}_FILE", "").strip()
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.readline(4096).strip() or None
    except OSError as exc:
        raise ConfigError(f"{key}_FILE names a file that cannot be read ({exc.strerror}); check the path.") from None


def _switch(env: Mapping[str, str], key: str) -> bool | None:
    """An on/off setting: True (1, true, yes, on), False (0, false, no, off) or None when unset."""
    raw = env.get(key, "").strip().lower()
    if not raw:
        return None
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ConfigError(f"{key} must be 1 or 0 (on or off), not {raw[:20]!r}")


def _int_setting(env: Mapping[str, str], key: str, default: int, minimum: int = 0) -> int:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{key} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{key} must be at least {minimum}, not {value}")
    return value


@dataclass(frozen=True)
class ServiceSettings:
    """What the server (web page and REST API) needs beyond :class:`Settings`; see the module docstring.

    Attributes:
        host, port: the address to listen on.
        workers: jobs (translations, summaries) that run at once, for the whole process. With batching
            across requests (the default) the translations in flight share model calls, so more may run.
        queue_size: jobs that may wait for a worker; past that, requests are refused as busy.
        require_api_key: every REST request must carry a known API key.
        req_limit: requests per minute per client address (or key without a limit of its own); 0: unlimited.
        char_limit: characters in one REST request, all items together.
        batch_limit: items in one ``q`` list.
        file_limit_mb: size of one uploaded file.
        alternatives_limit: most alternative translations one request may ask for.
        cors_origins: origins allowed to call the REST API from a browser page.
        file_retention_s: seconds a translated file is kept for download.
        allowed_hosts: host names requests may name in ``Host``; empty: any.
        upload_limit: page uploads per rate window per client (0: unlimited).
        upload_quota_mb: the page's uploads kept at once, all clients together.
        file_quota_mb: translated files kept for download per key or client (5x that in total).
        job_quota: background document jobs waiting or running per key or client.
        job_queue: background document jobs waiting or running in all.
        glossary_quota: stored glossaries per key or client (50x that in total).
        memory_budget_mb: estimated memory of the documents being read at once.
        body_timeout_s: seconds a request body may take to arrive (then 408).
        body_budget_mb: request body bytes buffered at once over all connections (then 503).
        max_connections: uvicorn's ``limit_concurrency``.
        header_timeout_s: seconds a connection may take to send a whole request head.
        rate_window_s: the rate limits' window in seconds.
        auth_file: ``BILINGUAL_AUTH_FILE`` as set ("" when set but empty; None when not set).
        auth: ``BILINGUAL_AUTH`` as set (None when not set).
        upload_dir: the operator's ``GRADIO_TEMP_DIR`` (None: the page keeps uploads in the home folder).
        suggestions: who may add to the translation memory: True everyone, False no one, None (the
            default) callers on loopback, API key holders and the page's logged-in users.
        metrics: serve Prometheus metrics at ``/metrics``.
        metrics_token: the bearer token ``/metrics`` requires (None: none).
    """

    host: str = "127.0.0.1"
    port: int = 7860
    workers: int = 2
    queue_size: int = 64
    require_api_key: bool = False
    req_limit: int = 0
    char_limit: int = 200_000
    batch_limit: int = 200
    file_limit_mb: int = 10
    alternatives_limit: int = 3
    cors_origins: tuple[str, ...] = ()
    file_retention_s: int = 3600
    allowed_hosts: tuple[str, ...] = ()
    upload_limit: int = 10
    upload_quota_mb: int = 500
    file_quota_mb: int = 200
    job_quota: int = 4
    job_queue: int = 64
    glossary_quota: int = 20
    memory_budget_mb: int = 4096
    body_timeout_s: int = 30
    body_budget_mb: int = 256
    max_connections: int = 512
    header_timeout_s: int = 10
    rate_window_s: int = 60
    auth_file: str | None = None
    auth: str | None = None
    upload_dir: str | None = None
    suggestions: bool | None = None
    metrics: bool = False
    metrics_token: str | None = None

    @property
    def loopback(self) -> bool:
        return self.host in _LOOPBACK

    @property
    def file_limit_bytes(self) -> int:
        return self.file_limit_mb * 1024 * 1024

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, max_input_chars: int = 200_000) -> ServiceSettings:
        """Read the server's settings from the environment (see the module docstring).

        Raises:
            ConfigError: a setting that is not a number where one is needed, or out of range.
        """
        env = os.environ if environ is None else environ
        host = env.get("GRADIO_SERVER_NAME", "").strip() or "127.0.0.1"
        origins = tuple(o.strip() for o in env.get("BILINGUAL_CORS_ORIGINS", "").split(",") if o.strip())
        batching_off = env.get("BILINGUAL_BATCHING", "").lower() in _FALSE  # requests do not share model calls
        return cls(
            host=host,
            port=_int_setting(env, "GRADIO_SERVER_PORT", 7860, 1),
            workers=_int_setting(env, "BILINGUAL_WORKERS", 2 if batching_off else 16, 1),
            queue_size=_int_setting(env, "BILINGUAL_QUEUE_SIZE", 64, 0),
            require_api_key=env.get("BILINGUAL_REQUIRE_API_KEY", "").lower() in _TRUE,
            req_limit=_int_setting(env, "BILINGUAL_REQ_LIMIT", 0 if host in _LOOPBACK else 60),
            char_limit=_int_setting(env, "BILINGUAL_CHAR_LIMIT", max_input_chars, 1),
            batch_limit=_int_setting(env, "BILINGUAL_BATCH_LIMIT", 200, 1),
            file_limit_mb=_int_setting(env, "BILINGUAL_FILE_LIMIT_MB", 10, 1),
            alternatives_limit=_int_setting(env, "BILINGUAL_ALTERNATIVES_LIMIT", 3),
            cors_origins=origins,
            file_retention_s=_int_setting(env, "BILINGUAL_FILE_RETENTION", 3600, 1),
            allowed_hosts=tuple(h.strip() for h in env.get("BILINGUAL_ALLOWED_HOSTS", "").split(",") if h.strip())
            or (LOOPBACK_HOSTS if host in _LOOPBACK else ()),
            upload_limit=_int_setting(env, "BILINGUAL_UPLOAD_LIMIT", 10),
            upload_quota_mb=_int_setting(env, "BILINGUAL_UPLOAD_QUOTA_MB", 500, 1),
            file_quota_mb=_int_setting(env, "BILINGUAL_FILE_QUOTA_MB", 200, 1),
            job_quota=_int_setting(env, "BILINGUAL_JOB_QUOTA", 4, 1),
            job_queue=_int_setting(env, "BILINGUAL_JOB_QUEUE", 64, 1),
            glossary_quota=_int_setting(env, "BILINGUAL_GLOSSARY_QUOTA", 20, 1),
            memory_budget_mb=_int_setting(env, "BILINGUAL_MEMORY_BUDGET_MB", 4096, 256),
            body_timeout_s=_int_setting(env, "BILINGUAL_BODY_TIMEOUT", 30, 1),
            body_budget_mb=_int_setting(env, "BILINGUAL_BODY_BUDGET_MB", 256, 16),
            max_connections=_int_setting(env, "BILINGUAL_MAX_CONNECTIONS", 512, 8),
            header_timeout_s=_int_setting(env, "BILINGUAL_HEADER_TIMEOUT", 10, 1),
            rate_window_s=_int_setting(env, "BILINGUAL_REQ_WINDOW", 60, 1),
            auth_file=env.get("BILINGUAL_AUTH_FILE"),
            auth=env.get("BILINGUAL_AUTH"),
            upload_dir=env.get("GRADIO_TEMP_DIR") or None,
            suggestions=_switch(env, "BILINGUAL_SUGGESTIONS"),
            metrics=bool(_switch(env, "BILINGUAL_METRICS")),
            metrics_token=env.get("BILINGUAL_METRICS_TOKEN", "").strip() or None,
        )


@dataclass(frozen=True)
class ServeSettings:
    """Ray Serve's deployment settings (:mod:`bilingual.serve`).

    Attributes:
        max_replicas: most replicas of each direction's model (``BILINGUAL_SERVE_MAX_REPLICAS``, 2).
        target_ongoing: requests per replica that autoscaling aims at (``BILINGUAL_SERVE_TARGET_ONGOING``, 8).
        cpus: CPUs (and threads) per model replica (``BILINGUAL_SERVE_CPUS``, 1).
        batch: calls joined by ``@serve.batch`` (``BILINGUAL_SERVE_BATCH``, 16).
    """

    max_replicas: int = 2
    target_ongoing: int = 8
    cpus: float = 1.0
    batch: int = 16

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServeSettings:
        env = os.environ if environ is None else environ
        return cls(max_replicas=_int_setting(env, "BILINGUAL_SERVE_MAX_REPLICAS", 2, 1),
                   target_ongoing=_int_setting(env, "BILINGUAL_SERVE_TARGET_ONGOING", 8, 1),
                   cpus=_float_setting(env, "BILINGUAL_SERVE_CPUS", 1.0),
                   batch=_int_setting(env, "BILINGUAL_SERVE_BATCH", 16, 1))


def environment(overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """The process's environment with ``overrides`` on top (Ray Serve's builder arguments)."""
    return {**os.environ, **(overrides or {})}


def evaldata_folder(environ: Mapping[str, str] | None = None) -> str:
    """Where ``bilingual eval`` finds its test sets: ``BILINGUAL_EVALDATA`` or ``../shared/evaldata``."""
    env = os.environ if environ is None else environ
    return env.get("BILINGUAL_EVALDATA") or "../shared/evaldata"


def cpu_threads(environ: Mapping[str, str] | None = None) -> int:
    """CPU threads for one model: ``OMP_NUM_THREADS`` when set (Ray sets it to an actor's CPUs), else all cores."""
    env = os.environ if environ is None else environ
    try:
        return max(1, int(env.get("OMP_NUM_THREADS", "")))
    except ValueError:
        return os.cpu_count() or 1
