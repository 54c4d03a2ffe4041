"""Load test: the server on 127.0.0.1 with the tiny test models, driven by concurrent clients.

Starts ``python app.py`` on a free loopback port (tiny Marian models built by the test
fixtures, so no download) and runs ``--clients`` threads for ``--duration`` seconds. Each
request is one of the kinds in ``--mix``, taken in turn:

* ``page``: the page's Gradio API ``/translate``, through ``gradio_client``;
* ``rest``: the REST ``POST /translate`` (JSON), LibreTranslate's shape;
* ``file``: the REST ``POST /translate_file`` with a ``.txt`` upload, then ``GET`` of the
  returned download URL.

Every answer is checked against the expected translation, while another thread checks that
``/health`` and the page keep answering. Then it prints requests served per kind, errors,
5xx answers, wrong answers, p50/p95/p99 latency and the server's memory before and after.

Targets (the exit code is 1 when one is missed): zero errors, zero wrong answers, the
page and ``/health`` answering throughout, memory growth under 10% after warm-up.

Usage::

    python benchmarks/load.py                               # 16 clients, 60 s, page + rest + file
    python benchmarks/load.py --mix page                    # the page's API only
    python benchmarks/load.py --clients 16 --duration 30 --mix page,rest,file
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fixtures.corpus import PAIRS  # noqa: E402
from tests.fixtures.tiny_models import cached_model  # noqa: E402

MAX_REQUESTS = 100_000  # a hard bound on the loop, besides the duration


def cases() -> list[tuple[str, str, str]]:
    """(text, target, expected): articles of sentences the tiny models know exactly."""
    out = []
    rng = random.Random(0)
    for _ in range(20):
        picked = rng.sample(PAIRS[:-2], 4)
        zh = "".join(p[0] for p in picked[:2]) + "\n\n" + "".join(p[0] for p in picked[2:])
        en = " ".join(p[1] for p in picked[:2]) + "\n\n" + " ".join(p[1] for p in picked[2:])
        out += [(zh, "en", en), (en, "zh", zh)]
    return out


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(port: int, home: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BILINGUAL_", "GRADIO_"))}
    env.update(
        HF_HUB_OFFLINE="1", GRADIO_SERVER_NAME="127.0.0.1", GRADIO_SERVER_PORT=str(port), BILINGUAL_HOME=home,
        BILINGUAL_CACHE="0",  # measure translation, not cache hits
        BILINGUAL_MODEL_ZH_EN=str(cached_model("zh", "en")), BILINGUAL_MODEL_EN_ZH=str(cached_model("en", "zh")),
    )
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit("the app exited during start-up")
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("the app did not start within 120 s")


def rest_translate(url: str, text: str, target: str) -> str:
    body = json.dumps({"q": text, "source": "auto", "target": target}).encode()
    request = urllib.request.Request(url + "/translate", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())["translatedText"]


def rest_translate_file(url: str, text: str, target: str) -> str:
    boundary = "----bilingual-load"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="source"\r\n\r\nauto\r\n',
        f'--{boundary}\r\nContent-Disposition: form-data; name="target"\r\n\r\n{target}\r\n',
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="article.txt"\r\n'
        f"Content-Type: text/plain\r\n\r\n{text}\r\n--{boundary}--\r\n",
    ]
    request = urllib.request.Request(url + "/translate_file", data="".join(parts).encode(),
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=120) as response:
        link = json.loads(response.read())["translatedFileUrl"]
    with urllib.request.urlopen(link, timeout=30) as response:
        return response.read().decode("utf-8")


def main(argv: list[str] | None = None) -> int:
    from gradio_client import Client

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load after warm-up")
    parser.add_argument("--mix", default="page,rest,file", help="kinds of request, comma-separated: page, rest, file")
    args = parser.parse_args(argv)
    kinds = [k.strip() for k in args.mix.split(",") if k.strip()]
    if not kinds or set(kinds) - {"page", "rest", "file"}:
        parser.error("--mix takes page, rest and/or file")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    home = tempfile.mkdtemp(prefix="bilingual-load-")
    proc = start_app(port, home)
    try:
        memory_start = rss_mb(proc.pid)
        work = cases()
        warm = Client(url, verbose=False)
        for i, (text, target, expected) in enumerate(work):  # warm-up: models loaded, every code path once
            assert warm.predict(text, target, api_name="/translate") == expected
            if "rest" in kinds or "file" in kinds:
                assert rest_translate(url, text, target) == expected
                assert i % 8 or rest_translate_file(url, text, target).rstrip("\n") == expected
        memory_warm = rss_mb(proc.pid)
        latencies: list[float] = []
        served: dict[str, int] = dict.fromkeys(kinds, 0)
        errors: list[str] = []
        server_errors = 0
        wrong: list[str] = []
        page_failures = page_checks = 0
        lock = threading.Lock()
        stop = time.monotonic() + args.duration

        def client_loop(seed: int) -> None:
            nonlocal server_errors
            rng = random.Random(seed)
            client = Client(url, verbose=False) if "page" in kinds else None
            turn = seed
            while time.monotonic() < stop and len(latencies) < MAX_REQUESTS:
                text, target, expected = rng.choice(work)
                kind = kinds[turn % len(kinds)]
                turn += 1
                start = time.perf_counter()
                try:
                    if kind == "page":
                        answer = client.predict(text, target, api_name="/translate")
                    elif kind == "rest":
                        answer = rest_translate(url, text, target)
                    else:
                        answer = rest_translate_file(url, text, target).rstrip("\n")
                except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
                    with lock:
                        errors.append(f"{kind}: {type(exc).__name__}: {exc}")
                        server_errors += getattr(exc, "code", 0) >= 500
                    continue
                with lock:
                    latencies.append(time.perf_counter() - start)
                    served[kind] += 1
                    if answer != expected:
                        wrong.append(answer)

        def page_loop() -> None:
            nonlocal page_failures, page_checks
            while time.monotonic() < stop:
                for path in ("/health", "/"):
                    page_checks += 1
                    try:
                        with urllib.request.urlopen(url + path, timeout=10) as response:
                            page_failures += response.status != 200
                    except OSError:
                        page_failures += 1
                time.sleep(0.5)

        threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(args.clients)]
        threads.append(threading.Thread(target=page_loop))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        memory_end = rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    total = len(latencies)
    q = statistics.quantiles(latencies, n=100) if total >= 2 else [float("nan")] * 99
    growth = (memory_end - memory_warm) / memory_warm
    print(f"clients {args.clients}, {args.duration:.0f} s on {url}, mix {','.join(kinds)}")
    print(f"requests served {total} ({total / args.duration:.1f}/s; "
          + ", ".join(f"{k} {n}" for k, n in served.items())
          + f"), errors {len(errors)}, 5xx {server_errors}, wrong answers {len(wrong)}")
    print(f"latency p50 {q[49] * 1000:.0f} ms, p95 {q[94] * 1000:.0f} ms, p99 {q[98] * 1000:.0f} ms")
    print(f"page and /health checks {page_checks}, failures {page_failures}")
    print(f"server memory: start {memory_start:.0f} MB, after warm-up {memory_warm:.0f} MB, "
          f"end {memory_end:.0f} MB (growth after warm-up {growth * 100:+.1f}%)")
    for message in errors[:5]:
        print(f"  error: {message}")
    ok = total > 0 and all(served.values()) and not errors and not wrong and page_failures == 0 and growth < 0.10
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
