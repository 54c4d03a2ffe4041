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

``--model random`` serves the randomly initialized models with the Opus-MT architecture that
``benchmarks/speed.py`` builds (no download), with the speed benchmark's decoding (output cap
1.2 x source tokens + 10, repetition guard off: random weights never stop by themselves), and
sends paragraphs of 1-3 consecutive FLORES devtest sentences in either direction. Random
weights have no right answer: an answer counts as wrong when it is empty; answers that differ
from the same paragraph translated alone (during warm-up) are counted and shown.

``--compare`` runs the same load twice, side by side in one run: first today's code path
without batching across requests (``BILINGUAL_BATCHING=0``, 2 workers), then with it (the
default), and prints sentences/s and latency of both and their ratios.

Usage::

    python benchmarks/load.py                               # 16 clients, 60 s, page + rest + file
    python benchmarks/load.py --mix page                    # the page's API only
    python benchmarks/load.py --clients 16 --duration 30 --mix page,rest,file
    python benchmarks/load.py --model random --compare --mix page,rest --duration 60   # batching, measured
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

sys.path.insert(0, str(ROOT / "benchmarks"))  # (a package named "benchmarks" may be installed)
from speed import DEFAULT_DATA, build_random_model, flores  # noqa: E402

from tests.fixtures.corpus import PAIRS  # noqa: E402
from tests.fixtures.tiny_models import cached_model  # noqa: E402

MAX_REQUESTS = 100_000  # a hard bound on the loop, besides the duration

Case = tuple[str, str, "str | None", int]  # (text, target, expected answer or None, sentences)


def cases() -> list[Case]:
    """Articles of sentences the tiny models know exactly, with their expected translations."""
    out = []
    rng = random.Random(0)
    for _ in range(20):
        picked = rng.sample(PAIRS[:-2], 4)
        zh = "".join(p[0] for p in picked[:2]) + "\n\n" + "".join(p[0] for p in picked[2:])
        en = " ".join(p[1] for p in picked[:2]) + "\n\n" + " ".join(p[1] for p in picked[2:])
        out += [(zh, "en", en, 4), (en, "zh", zh, 4)]
    return out


def paragraph_cases(data: Path, count: int = 40) -> list[Case]:
    """Paragraphs of 1-3 consecutive FLORES devtest sentences, half Chinese, half English."""
    rng = random.Random(0)
    zh, en = flores(data, "devtest", "zh"), flores(data, "devtest", "en")
    out: list[Case] = []
    for k in range(count):
        size = 1 + k % 3
        start = rng.randrange(len(zh) - size)
        if k % 2:
            out.append(("".join(zh[start : start + size]), "en", None, size))
        else:
            out.append((" ".join(en[start : start + size]), "zh", None, size))
    return out


def random_models(workdir: Path, data: Path) -> dict[str, str]:
    """The server's environment for the random-weight Opus-MT-size models (built on first use)."""
    zh_en = build_random_model(workdir / "random-opus-mt-zh-en", "zh", "en", data)
    en_zh = build_random_model(workdir / "random-opus-mt-en-zh", "en", "zh", data)
    return {"BILINGUAL_MODEL_ZH_EN": str(zh_en), "BILINGUAL_MODEL_EN_ZH": str(en_zh),
            "BILINGUAL_LENGTH_RATIO": "1.2", "BILINGUAL_REPETITION_GUARD": "0"}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(port: int, home: str, extra: dict[str, str]) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BILINGUAL_", "GRADIO_"))}
    env.update(
        HF_HUB_OFFLINE="1", GRADIO_SERVER_NAME="127.0.0.1", GRADIO_SERVER_PORT=str(port), BILINGUAL_HOME=home,
        BILINGUAL_CACHE="0",  # measure translation, not cache hits
        BILINGUAL_MODEL_ZH_EN=str(cached_model("zh", "en")), BILINGUAL_MODEL_EN_ZH=str(cached_model("en", "zh")),
    )
    env.update(extra)
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300  # a random Opus-size model is converted to CTranslate2 on first start
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit("the app exited during start-up")
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("the app did not start within 300 s")


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


def phase(args: argparse.Namespace, kinds: list[str], work: list[Case], url: str, alone: dict, duration: float) -> dict:
    """``args.clients`` clients for ``duration`` seconds, with another thread checking the page and ``/health``."""
    from gradio_client import Client

    latencies: list[float] = []
    served: dict[str, int] = dict.fromkeys(kinds, 0)
    errors: list[str] = []
    server_errors = sentences = differ = 0
    wrong: list[str] = []
    page_failures = page_checks = 0
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def client_loop(seed: int) -> None:
        nonlocal server_errors, sentences, differ
        rng = random.Random(seed)
        client = Client(url, verbose=False) if "page" in kinds else None
        turn = seed
        while time.monotonic() < stop and len(latencies) < MAX_REQUESTS:
            text, target, expected, count = rng.choice(work)
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
                sentences += count
                if (expected is not None and answer != expected) or not answer.strip():
                    wrong.append(answer)
                differ += answer != alone[(text, target)]

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
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started  # requests under way at the deadline finish: count their time
    total = len(latencies)
    q = statistics.quantiles(latencies, n=100) if total >= 2 else [float("nan")] * 99
    return {
        "requests": total, "served": served, "errors": errors, "server_errors": server_errors, "wrong": wrong,
        "differ": differ, "sentences": sentences, "seconds": elapsed, "p50": q[49], "p95": q[94], "p99": q[98],
        "page_checks": page_checks, "page_failures": page_failures,
    }


def run_load(args: argparse.Namespace, kinds: list[str], work: list[Case], extra: dict[str, str]) -> dict:
    """Start the app with ``extra`` in its environment, warm it up, load it for ``args.duration`` seconds."""
    from gradio_client import Client

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    home = tempfile.mkdtemp(prefix="bilingual-load-")
    proc = start_app(port, home, extra)
    try:
        memory_start = rss_mb(proc.pid)
        warm = Client(url, verbose=False)
        alone: dict[tuple[str, str], str] = {}
        for i, (text, target, expected, _) in enumerate(work):  # warm-up: models loaded, every code path once
            answer = warm.predict(text, target, api_name="/translate")
            assert expected is None or answer == expected, (answer, expected)
            alone[(text, target)] = answer
            if "rest" in kinds or "file" in kinds:
                assert rest_translate(url, text, target) == answer
                assert i % 8 or "file" not in kinds or rest_translate_file(url, text, target).rstrip("\n") == answer
        phase(args, kinds, work, url, alone, min(15.0, args.duration / 4))  # concurrent warm-up: batches at full size
        memory_warm = rss_mb(proc.pid)
        result = phase(args, kinds, work, url, alone, args.duration)
        memory_end = rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    result.update(url=url, memory_start=memory_start, memory_warm=memory_warm, memory_end=memory_end,
                  growth=(memory_end - memory_warm) / memory_warm)
    return result


def report(label: str, r: dict) -> bool:
    """Print one run's figures; True when its targets are met."""
    print(f"{label}: requests served {r['requests']} ({r['requests'] / r['seconds']:.1f}/s; "
          + ", ".join(f"{k} {n}" for k, n in r["served"].items())
          + f"), sentences {r['sentences']} ({r['sentences'] / r['seconds']:.2f}/s)")
    print(f"  errors {len(r['errors'])}, 5xx {r['server_errors']}, wrong answers {len(r['wrong'])}, "
          f"answers unlike the same text alone {r['differ']}")
    print(f"  latency p50 {r['p50'] * 1000:.0f} ms, p95 {r['p95'] * 1000:.0f} ms, p99 {r['p99'] * 1000:.0f} ms")
    print(f"  page and /health checks {r['page_checks']}, failures {r['page_failures']}")
    print(f"  server memory: start {r['memory_start']:.0f} MB, after warm-up {r['memory_warm']:.0f} MB, "
          f"end {r['memory_end']:.0f} MB (growth after warm-up {r['growth'] * 100:+.1f}%)")
    for message in r["errors"][:5]:
        print(f"  error: {message}")
    return (r["requests"] > 0 and all(r["served"].values()) and not r["errors"] and not r["wrong"]
            and r["page_failures"] == 0 and r["growth"] < 0.10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load after warm-up")
    parser.add_argument("--mix", default="page,rest,file", help="kinds of request, comma-separated: page, rest, file")
    parser.add_argument("--model", choices=["tiny", "random"], default="tiny",
                        help="tiny: the test models, exact answers; random: Opus-MT-size random weights")
    parser.add_argument("--compare", action="store_true", help="without, then with batching across requests")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "bilingual-bench")
    args = parser.parse_args(argv)
    kinds = [k.strip() for k in args.mix.split(",") if k.strip()]
    if not kinds or set(kinds) - {"page", "rest", "file"}:
        parser.error("--mix takes page, rest and/or file")
    if args.model == "random":
        extra, work = random_models(args.workdir, args.data), paragraph_cases(args.data)
    else:
        extra, work = {}, cases()
    runs = [("without batching (BILINGUAL_BATCHING=0, 2 workers)", {"BILINGUAL_BATCHING": "0"})] if args.compare else []
    runs.append(("with batching across requests" if args.compare else "result", {}))
    print(f"clients {args.clients}, {args.duration:.0f} s each, mix {','.join(kinds)}, model {args.model}, "
          f"CTranslate2 backend, translation cache off, {os.cpu_count()} CPU threads")
    results, ok = [], True
    for label, env in runs:
        result = run_load(args, kinds, work, {**extra, **env})
        ok = report(label, result) and ok
        results.append(result)
    if args.compare:
        before, after = results
        rate = (after["sentences"] / after["seconds"]) / (before["sentences"] / before["seconds"])
        print(f"batching: {rate:.2f}x the sentences/s, p50 {after['p50'] / before['p50']:.2f}x, "
              f"p95 {after['p95'] / before['p95']:.2f}x the latency")
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
