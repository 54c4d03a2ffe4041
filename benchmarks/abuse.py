"""The security probe's reproductions, re-run against the server with the tiny test models.

Starts ``python app.py`` on a free loopback port (tiny Marian models, cache off) and replays
what an outside probe found could exhaust the server, reporting time and the server's memory
(resident now, and its peak so far) after each:

1. a big extractive summary: 12,000 two-character Chinese sentences, then a 200,000-character article;
2. parallel events: 4 calls each to REST /translate, REST /summarize, the page's Translate
   button and its Both button at once, while /health is polled for the jobs running;
3. a detect flood: the page's private language-detection event with 5 million characters;
4. a long stream: the Translate button on 1,000 and 2,000 paragraphs, bytes streamed counted;
5. a 300 MB upload to the page's upload route, sent chunked;
6. an item flood: 3 million empty strings to REST /translate.

Targets (exit code 1 when one is missed): the summaries within 300 MB of peak growth and
10 s; never more jobs running than the work limit (2); the floods refused within a second;
streamed bytes growing linearly (2,000 paragraphs under 2.5x the bytes of 1,000).

Usage::

    python benchmarks/abuse.py
"""

from __future__ import annotations

import json
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import free_port, start_app  # noqa: E402

from tests.fixtures.corpus import PAIRS  # noqa: E402

WORKERS = 2


def memory(pid: int) -> tuple[float, float]:
    """(resident MB, peak resident MB) of a process."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def post(url: str, body: bytes, content_type: str = "application/json", timeout: float = 600) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, ConnectionError) as exc:  # refused before we finished sending
        if "reset" in str(exc).lower() or "broken pipe" in str(exc).lower():
            return 413, b'{"error": "refused unread"}'
        raise


def fn_indices(url: str) -> dict[str, int]:
    with urllib.request.urlopen(url + "/config", timeout=30) as response:
        config = json.loads(response.read())
    return {d["api_name"]: i for i, d in enumerate(config["dependencies"]) if d.get("api_name")}


def run_event(url: str, fn_index: int, data: list, timeout: float = 600) -> tuple[str, int]:
    """Call a page event through Gradio's queue as the browser does; returns (last message kind, bytes streamed)."""
    session = uuid.uuid4().hex[:10]
    status, answer = post(url + "/gradio_api/queue/join",
                          json.dumps({"data": data, "fn_index": fn_index, "session_hash": session}).encode())
    if status != 200:
        return f"refused {status}: {json.loads(answer).get('error', '')[:30]}", len(answer)
    received = 0
    last = "?"
    with urllib.request.urlopen(f"{url}/gradio_api/queue/data?session_hash={session}", timeout=timeout) as stream:
        for line in stream:
            received += len(line)
            if line.startswith(b"data:"):
                message = json.loads(line[5:])
                last = message.get("msg", last)
                if last == "process_completed":
                    output = message.get("output", {})
                    text = json.dumps(output, ensure_ascii=False)
                    last = "completed" if message.get("success") else f"failed: {text[:120]}"
                    break
    return last, received


def article(paragraphs: int) -> str:
    zh = [p[0] for p in PAIRS[:-2]]
    return "\n\n".join(zh[i % len(zh)] + zh[(i + 7) % len(zh)] for i in range(paragraphs))


def main() -> int:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_app(port, tempfile.mkdtemp(prefix="bilingual-abuse-"))
    rows: list[tuple[str, str, float, str]] = []
    failures: list[str] = []

    def record(case: str, result: str, seconds: float, ok: bool) -> None:
        rss, peak = memory(proc.pid)
        rows.append((case, result, seconds, f"{rss:.0f} MB (peak {peak:.0f} MB)"))
        if not ok:
            failures.append(case)

    try:
        events = fn_indices(url)
        run_event(url, events["translate_stream"], [article(4), "自动 Auto"])  # warm-up: models loaded
        base_rss, base_peak = memory(proc.pid)
        rows.append(("after warm-up", "", 0.0, f"{base_rss:.0f} MB (peak {base_peak:.0f} MB)"))

        # 1. big extractive summaries
        for name, text in (("summary, 12,000 two-character sentences", "好的。" * 12_000),
                           ("summary, 200,000-character article", ("两江新区签署了合作协议，代表团访问了重庆并参观了"
                                                                   "新的工厂。" * 7000)[:200_000])):
            start = time.perf_counter()
            status, body = post(url + "/summarize",
                                json.dumps({"q": text, "language": "zh", "method": "extractive"}).encode())
            seconds = time.perf_counter() - start
            peak_growth = memory(proc.pid)[1] - base_peak
            record(name, f"{status}, peak growth {peak_growth:.0f} MB", seconds,
                   status == 200 and peak_growth < 300 and seconds < 10)

        # 2. parallel events through four doors
        most = 0
        stop = threading.Event()

        def watch() -> None:
            nonlocal most
            while not stop.is_set():
                with urllib.request.urlopen(url + "/health", timeout=10) as response:
                    most = max(most, json.loads(response.read())["running"])
                time.sleep(0.02)

        text = article(40)
        calls = (
            [lambda: post(url + "/translate", json.dumps({"q": text, "source": "zh", "target": "en"}).encode())] * 4
            + [lambda: post(url + "/summarize", json.dumps({"q": text, "language": "en"}).encode())] * 4
            + [lambda: run_event(url, events["translate_stream"], [text, "自动 Auto"])] * 4
            + [lambda: run_event(url, events["translate_stream_1"], [text, "自动 Auto"])] * 4
        )
        results: list = []
        watcher = threading.Thread(target=watch)
        watcher.start()
        start = time.perf_counter()
        threads = [threading.Thread(target=lambda c=c: results.append(c())) for c in calls]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - start
        stop.set()
        watcher.join()
        record("16 parallel jobs (REST translate, summarize, Translate, Both)",
               f"most running at once {most} (limit {WORKERS})", seconds, most <= WORKERS)

        # 3. detect flood on the private event
        start = time.perf_counter()
        outcome, _ = run_event(url, events["detect"], ["天气很好。" * 1_000_000])
        seconds = time.perf_counter() - start
        record("detect event, 5 million characters", outcome, seconds, outcome.startswith("refused 413") and seconds < 1)

        # 4. streaming bytes
        sizes = {}
        for paragraphs in (1_000, 2_000):
            start = time.perf_counter()
            outcome, sent = run_event(url, events["translate_stream"], [article(paragraphs), "自动 Auto"])
            sizes[paragraphs] = sent
            record(f"Translate button, {paragraphs:,} paragraphs", f"{outcome}, {sent / 1e6:.1f} MB streamed",
                   time.perf_counter() - start, outcome == "completed")
        ratio = sizes[2_000] / sizes[1_000]
        rows.append(("  bytes 2,000 / 1,000 paragraphs", f"{ratio:.2f}x (quadratic: 4x)", 0.0, ""))
        if ratio >= 2.5:
            failures.append("stream bytes")

        # 5. a 300 MB upload, chunked
        def chunks():
            for _ in range(300):
                yield b"a" * (1024 * 1024)

        start = time.perf_counter()
        request = urllib.request.Request(url + "/gradio_api/upload", data=chunks(), method="POST",
                                         headers={"Content-Type": "multipart/form-data; boundary=x",
                                                  "Transfer-Encoding": "chunked"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError:
            status = "connection closed"
        seconds = time.perf_counter() - start
        record("300 MB upload to the page", str(status), seconds, status in (413, "connection closed") and seconds < 5)

        # 6. item flood
        body = b'{"source": "en", "target": "zh", "q": [' + b'"",' * 2_999_999 + b'""]}'
        start = time.perf_counter()
        status, answer = post(url + "/translate", body)
        seconds = time.perf_counter() - start
        record("3 million empty strings to /translate", f"{status} {json.loads(answer)['error'][:50]}", seconds,
               status == 413 and seconds < 1)
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    width = max(len(r[0]) for r in rows)
    print(f"{'case':<{width}}  {'result':<48} {'seconds':>8}  server memory")
    for case, result, seconds, mem in rows:
        print(f"{case:<{width}}  {result:<48} {seconds:>8.2f}  {mem}")
    print("targets met" if not failures else f"TARGETS MISSED: {', '.join(failures)}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
