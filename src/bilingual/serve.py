"""The REST API on Ray Serve: ``serve run bilingual.serve:app_builder`` (or ``serve deploy deploy/serve.yaml``).

Three deployments make the application:

* ``zh-en`` and ``en-zh``: the models, one deployment per direction (:class:`TranslationModel`).
  Each replica loads its direction's model once; its ``translate`` method is a
  ``@serve.batch`` method, so the sentence batches of concurrent requests (from every
  ingress replica) are joined and run as shared, length-sorted model calls. Each
  autoscales on ongoing requests between ``min_replicas`` and ``max_replicas``.
* ``api``: the ingress (:class:`RestIngress`), the same LibreTranslate-compatible REST API as
  ``python app.py`` serves (:class:`bilingual.service.rest.RestApi`: ``/translate``, ``/detect``,
  ``/languages``, ``/translate_file``, ``/summarize``, keys, limits and errors), without the
  web page. Its :class:`~bilingual.translation.translator.Translator` does everything but the
  model calls (splitting, the cache, glossaries, flags, documents) and hands each sentence
  batch to the direction's deployment through a :class:`RemoteBackend`.

Settings come from the environment of the process that builds the application (``serve run``
or the ``runtime_env`` of a config file; ``key=value`` arguments of the builder on top): the same
``BILINGUAL_*`` variables as the app, plus
``BILINGUAL_SERVE_MAX_REPLICAS`` (default 2), ``BILINGUAL_SERVE_TARGET_ONGOING`` (default 8),
``BILINGUAL_SERVE_BATCH`` (calls joined by ``@serve.batch``, default 16),
``BILINGUAL_SERVE_CPUS`` (CPUs per model replica, default 1). Ray Serve listens on port 8000.

Ray is an optional extra: ``pip install 'bilingual[ray]'``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from .config import ServeSettings, ServiceSettings, Settings, environment
from .errors import BackendNotAvailableError
from .translation.backends import BackendBase

try:
    from ray import serve
except ImportError:  # pragma: no cover - the message below says what to install
    raise BackendNotAvailableError("Ray Serve is an optional extra: pip install 'bilingual[ray]'.") from None

DIRECTIONS = (("zh", "en"), ("en", "zh"))


@serve.deployment(max_ongoing_requests=64, ray_actor_options={"num_cpus": 1})
class TranslationModel:
    """One direction's model; concurrent calls are joined by ``@serve.batch`` into shared model calls."""

    def __init__(self, settings: Settings, source: str, target: str, batch: int = 16) -> None:
        from .translation.translator import Translator

        self.translate.set_max_batch_size(batch)
        # the model replica needs neither the batching queue (serve.batch does it) nor the cache (the ingress has it)
        self.translator = Translator(settings, batching=False, cache=False)
        self.backend = self.translator.backend(source, target)  # loaded now, before the first request
        self.settings = settings
        self.served = {"calls": 0, "batches": 0, "sentences": 0}  # what @serve.batch joined (stats())

    def info(self) -> dict[str, Any]:
        return {"model_name": self.backend.model_name, "fingerprint": self.backend.fingerprint,
                "hypotheses": self.backend.supports_hypotheses}

    def count_tokens(self, texts: list[str]) -> list[int]:
        return self.backend.count_tokens(texts)

    def stats(self) -> dict[str, int]:
        """Calls received, batches they were joined into, sentences translated (this replica)."""
        return dict(self.served)

    @serve.batch(max_batch_size=16, batch_wait_timeout_s=0.005)
    async def translate(self, calls: list[list[str]]) -> list[list[tuple[str, float | None, bool]]]:
        """Every waiting call's sentences, sorted by length into model calls; each call gets its own back."""
        from .translation.pipeline import make_batches

        flat = [text for call in calls for text in call]
        self.served["calls"] += len(calls)
        self.served["batches"] += 1
        self.served["sentences"] += len(flat)
        lengths = self.backend.count_tokens(flat)
        results: list[Any] = [None] * len(flat)
        budget = {"max_size": self.settings.batch_size, "max_tokens": self.settings.max_batch_tokens}
        for batch in make_batches(lengths, **budget):
            scored = await asyncio.to_thread(self.backend.translate_scored, [flat[i] for i in batch])
            for i, item in zip(batch, scored):
                results[i] = item
        out, start = [], 0
        for call in calls:
            out.append(results[start : start + len(call)])
            start += len(call)
        return out

    async def hypotheses(self, texts: list[str], n: int) -> list[list[str]]:
        return await asyncio.to_thread(self.backend.hypotheses, texts, n)


class RemoteBackend(BackendBase):
    """The backend contract over a model deployment: the ingress's translator calls it from worker threads."""

    def __init__(self, handle, info: dict[str, Any]) -> None:
        self._handle = handle
        self.model_name = info["model_name"]
        self.fingerprint = info["fingerprint"]
        self.supports_hypotheses = info["hypotheses"]

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return self._handle.count_tokens.remote(list(texts)).result()

    def translate_scored(self, texts: Sequence[str]) -> list[tuple[str, float | None, bool]]:
        return [tuple(item) for item in self._handle.translate.remote(list(texts)).result()]

    def translate_batch(self, texts: Sequence[str]) -> list[str]:
        return [text for text, _, _ in self.translate_scored(texts)]

    def hypotheses(self, texts: Sequence[str], n: int) -> list[list[str]]:
        return self._handle.hypotheses.remote(list(texts), n).result()


# The ingress reserves no CPU by default, so two 1-CPU model replicas start on a 2-core machine;
# give it some on a cluster (deploy/serve.yaml).
@serve.deployment(max_ongoing_requests=256, ray_actor_options={"num_cpus": 0})
@serve.ingress()
class RestIngress:
    """The REST API (no web page), its model calls sent to the direction deployments."""

    def __init__(self, settings: Settings, service: ServiceSettings, zh_en, en_zh) -> None:
        self.settings, self.service = settings, service
        self.handles = {("zh", "en"): zh_en, ("en", "zh"): en_zh}

    async def __serve_build_asgi_app__(self):
        from .server import build
        from .translation.translator import Translator

        infos = {key: await handle.info.remote() for key, handle in self.handles.items()}

        def factory(source, target, settings):
            if settings.engine_for(f"{source}-{target}") == "llm":  # a thin client of the LLM server: here
                from .translation.backends import build_backend

                return build_backend("transformers", source, target, settings)
            return RemoteBackend(self.handles[(source, target)], infos[(source, target)])

        # sentences are batched across requests by the model deployments' @serve.batch
        translator = Translator(self.settings, backend_factory=factory, batching=False)
        return build(self.settings, self.service, translator=translator, page=False)


def app_builder(args: dict[str, str]):
    """The application, configured from the environment with ``args`` on top: Ray Serve's application
    builder (``serve run bilingual.serve:app_builder BILINGUAL_SERVE_CPUS=2``, or ``args:`` in a config file)."""
    env = environment(args)
    settings = Settings.from_env(env)
    service = ServiceSettings.from_env(env, max_input_chars=settings.max_input_chars)
    if not env.get("BILINGUAL_ALLOWED_HOSTS"):
        # Ray's HTTP proxy decides where this listens, not GRADIO_SERVER_NAME: no loopback default here
        service = replace(service, allowed_hosts=())
    serving = ServeSettings.from_env(env)
    autoscaling = {
        "min_replicas": 1,
        "max_replicas": serving.max_replicas,
        "target_ongoing_requests": serving.target_ongoing,
        "upscale_delay_s": 5,
        "downscale_delay_s": 60,
    }
    cpus, batch = serving.cpus, serving.batch
    models = []
    for source, target in DIRECTIONS:
        deployment = TranslationModel.options(
            name=f"{source}-{target}", autoscaling_config=autoscaling,
            ray_actor_options={"num_cpus": cpus,
                               "runtime_env": {"env_vars": {"OMP_NUM_THREADS": str(max(1, int(cpus)))}}},
        )
        models.append(deployment.bind(settings, source, target, batch))
    return RestIngress.options(name="api").bind(settings, service, *models)
