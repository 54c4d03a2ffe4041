"""The third hardening pass: the server's doors, over real HTTP, with the whole app in process and a fake backend.

Each test reproduces a finding of the probe (see the README's threat model) and fails without its fix.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import urllib.parse

import pytest

from bilingual.keys import KeyStore
from tests.live_server import fn_index, live_server, request, run_event, upload


def _completed(messages: list[dict]) -> dict:
    done = [m for m in messages if m.get("msg") == "process_completed"]
    assert done, messages
    return done[-1]


@pytest.fixture()
def secret_file(tmp_path):
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("The launch code is 0000. 发射密码是0000。", encoding="utf-8")
    secret.chmod(0o600)
    return secret


def test_page_events_read_only_files_uploaded_here(tmp_path, secret_file):
    """High 1: the Document tab's and the glossary file's events named any server file as an upload."""
    with live_server(tmp_path / "home") as url:
        document = fn_index(url, "translate_upload")
        glossary = fn_index(url, "read_glossary_file")
        # a link inside the upload folder that points outside it is no upload either
        link = tmp_path / "home" / "gradio" / "link.txt"
        link.symlink_to(secret_file)
        for path in (str(secret_file), str(link), str(secret_file.with_suffix(".csv"))):
            if path.endswith(".csv"):
                secret_file.with_suffix(".csv").write_text("launch\t0000\n")
            file_data = {"path": path, "meta": {"_type": "gradio.FileData"}, "orig_name": "secret.txt"}
            _, messages = run_event(url, document, [file_data, "自动 Auto", False, ""])
            shown = json.dumps(_completed(messages), ensure_ascii=False)
            assert "0000" not in shown and "launch" not in shown
            _, messages = run_event(url, glossary, [file_data, ""])
            shown = json.dumps(_completed(messages), ensure_ascii=False)
            assert "0000" not in shown and "launch" not in shown
            assert _completed(messages)["success"] is False

        # a real upload is translated, and a glossary file fills the box
        status, body = upload(url, "note.txt", "The weather is good.".encode())
        assert status == 200
        (path,) = json.loads(body)
        file_data = {"path": path, "meta": {"_type": "gradio.FileData"}, "orig_name": "note.txt"}
        _, messages = run_event(url, document, [file_data, "自动 Auto", False, ""])
        result = _completed(messages)
        assert result["success"] is True
        assert result["output"]["data"][0].startswith("完成 Done")
        status, body = upload(url, "terms.tsv", "weather\t天气\n".encode())
        (path,) = json.loads(body)
        file_data = {"path": path, "meta": {"_type": "gradio.FileData"}, "orig_name": "terms.tsv"}
        _, messages = run_event(url, glossary, [file_data, ""])
        assert _completed(messages)["output"]["data"] == ["weather\t天气\n"]


def test_received_upload_refuses_what_was_not_uploaded(tmp_path, secret_file, monkeypatch):
    from bilingual.errors import UploadError
    from bilingual.ui.app import received_upload

    folder = tmp_path / "uploads"
    folder.mkdir()
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(folder))

    class Demo:
        upload_file_set: set[str] = set()

    inside = folder / "a" / "ok.txt"
    inside.parent.mkdir()
    inside.write_text("x")
    link = folder / "a" / "link.txt"
    link.symlink_to(secret_file)
    Demo.upload_file_set = {str(inside), str(link), str(secret_file)}
    assert received_upload(Demo, str(inside)) == inside.resolve()
    for path in (str(link), str(secret_file), str(folder / "a" / "missing.txt"), None, 3):
        with pytest.raises(UploadError, match="not uploaded") as info:
            received_upload(Demo, path)
        assert str(tmp_path) not in str(info.value)
    with pytest.raises(UploadError):
        received_upload(None, str(inside))
