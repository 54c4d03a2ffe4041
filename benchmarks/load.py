"""Load test: the web app on 127.0.0.1 with the tiny test models, driven by concurrent API clients.

Starts ``python app.py`` on a free loopback port (tiny Marian models built by the test
fixtures, so no download), runs ``--clients`` threads that call ``/translate`` for
``--duration`` seconds (each answer is checked against the expected translation), while
another thread checks that the page itself keeps answering. Then prints requests served,
errors, wrong answers, p50/p95/p99 latency and the server's memory before and after.

Targets (the exit code is 1 when one is missed): zero errors, zero wrong answers, the
page answering throughout, memory growth under 10% after warm-up.

Usage::

    python benchmarks/load.py                       # 16 clients, 60 s
    python benchmarks/load.py --clients 4 --duration 10
"""

from __future__ import annotations

import argparse
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


def main(argv: list[str] | None = None) -> int:
    from gradio_client import Client

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load after warm-up")
    args = parser.parse_args(argv)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    home = tempfile.mkdtemp(prefix="bilingual-load-")
    proc = start_app(port, home)
    try:
        memory_start = rss_mb(proc.pid)
        work = cases()
        warm = Client(url, verbose=False)
        for text, target, expected in work:  # warm-up: models loaded, every code path once
            assert warm.predict(text, target, api_name="/translate") == expected
        memory_warm = rss_mb(proc.pid)
        latencies: list[float] = []
        errors: list[str] = []
        wrong: list[str] = []
        page_failures = page_checks = 0
        lock = threading.Lock()
        stop = time.monotonic() + args.duration

        def client_loop(seed: int) -> None:
            rng = random.Random(seed)
            client = Client(url, verbose=False)
            while time.monotonic() < stop and len(latencies) < MAX_REQUESTS:
                text, target, expected = rng.choice(work)
                start = time.perf_counter()
                try:
                    answer = client.predict(text, target, api_name="/translate")
                except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
                    with lock:
                        errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                with lock:
                    latencies.append(time.perf_counter() - start)
                    if answer != expected:
                        wrong.append(answer)

        def page_loop() -> None:
            nonlocal page_failures, page_checks
            while time.monotonic() < stop:
                page_checks += 1
                try:
                    with urllib.request.urlopen(url + "/", timeout=10) as response:
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
    served = len(latencies)
    q = statistics.quantiles(latencies, n=100) if served >= 2 else [float("nan")] * 99
    growth = (memory_end - memory_warm) / memory_warm
    print(f"clients {args.clients}, {args.duration:.0f} s on {url}")
    print(f"requests served {served} ({served / args.duration:.1f}/s), errors {len(errors)}, wrong answers {len(wrong)}")
    print(f"latency p50 {q[49] * 1000:.0f} ms, p95 {q[94] * 1000:.0f} ms, p99 {q[98] * 1000:.0f} ms")
    print(f"page checks {page_checks}, failures {page_failures}")
    print(f"server memory: start {memory_start:.0f} MB, after warm-up {memory_warm:.0f} MB, "
          f"end {memory_end:.0f} MB (growth after warm-up {growth * 100:+.1f}%)")
    for message in errors[:5]:
        print(f"  error: {message}")
    ok = served > 0 and not errors and not wrong and page_failures == 0 and growth < 0.10
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
