"""Broken model files, weights that could run code, redacted messages, logins."""

from __future__ import annotations

import shutil

import pytest

from bilingual import BilingualError, ModelNotAvailableError, Settings, Summarizer, Translator


def broken_copy(tmp_path, model_dir, damage):
    target = tmp_path / "model"
    shutil.copytree(model_dir, target)
    damage(target)
    return target


def translator_for(path) -> Translator:
    return Translator(Settings(model_zh_en=str(path), offline=True, backend="transformers"))


def _truncate(d):
    data = (d / "model.safetensors").read_bytes()
    (d / "model.safetensors").write_bytes(data[: len(data) // 2])


CASES = [
    (_truncate, r"model\.safetensors .* truncated or corrupt"),
    (lambda d: (d / "source.spm").unlink(), r"source\.spm .* missing"),
    (lambda d: (d / "target.spm").write_bytes(b"garbage"), r"target\.spm .* missing or corrupt"),
    (lambda d: (d / "config.json").write_text("{not json"), r"config\.json .* not valid JSON"),
    (lambda d: (d / "config.json").unlink(), r"lacks config\.json"),
]


@pytest.mark.parametrize(("damage", "message"), CASES)
def test_damaged_model_files_are_named(tmp_path, tiny_zh_en, damage, message):
    path = broken_copy(tmp_path, tiny_zh_en, damage)
    with pytest.raises(ModelNotAvailableError, match=message) as info:
        translator_for(path).translate("天气很好。")
    assert "bilingual models download" in str(info.value)


def test_missing_model_directory(tmp_path):
    with pytest.raises(ModelNotAvailableError, match="neither an existing directory"):
        translator_for(tmp_path / "nowhere" / "model").translate("天气很好。")


def _to_bin(extra=None):
    def convert(d):
        import torch
        from safetensors.torch import load_file

        weights = load_file(d / "model.safetensors")
        weights.update(extra or {})
        torch.save(weights, d / "pytorch_model.bin")
        (d / "model.safetensors").unlink()

    return convert


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_pytorch_bin_weights_load_with_the_safe_loader(tmp_path, tiny_zh_en, backend):
    path = broken_copy(tmp_path, tiny_zh_en, _to_bin())
    translator = Translator(Settings(model_zh_en=str(path), offline=True, backend=backend, home=str(tmp_path / "h")))
    assert translator.translate("天气很好。") == "The weather is good."


def test_weights_that_could_run_code_are_refused_unless_allowed(tmp_path, tiny_zh_en):
    import os

    path = broken_copy(tmp_path, tiny_zh_en, _to_bin({"evil": os.getcwd}))  # a pickled function, not a tensor
    with pytest.raises(ModelNotAvailableError, match="could run code.*BILINGUAL_ALLOW_PICKLE=1") as info:
        translator_for(path).translate("天气很好。")
    assert "UnpicklingError" not in str(info.value)
    assert Settings.from_env({"BILINGUAL_ALLOW_PICKLE": "1"}).allow_pickle is True
    assert Settings.from_env({}).allow_pickle is False


def test_summarizer_model_is_verified_too(tmp_path, tiny_summarizer_model):
    path = broken_copy(tmp_path, tiny_summarizer_model, _truncate)
    with pytest.raises(ModelNotAvailableError, match="model.safetensors"):
        Summarizer(Settings(model_summary_en=str(path), offline=True)).summarize(
            "One sentence here. Another sentence there. And a third one.", method="abstractive"
        )


def test_page_messages_never_show_local_paths(tmp_path, tiny_zh_en):
    from bilingual.ui.app import Handlers, redact

    assert redact("The directory /srv/models/opus for model 'x' lacks config.json") == (
        "The directory <local path> for model 'x' lacks config.json"
    )
    assert redact("see 'Helsinki-NLP/opus-mt-zh-en' and https://example.com/a/b") == (
        "see 'Helsinki-NLP/opus-mt-zh-en' and https://example.com/a/b"
    )
    path = broken_copy(tmp_path, tiny_zh_en, _truncate)
    translator = translator_for(path)
    handlers = Handlers(translator, Summarizer(translator.settings, translator=translator))
    status, text, view, files, _ = list(handlers.translate_stream("天气很好。", "自动 Auto"))[-1]
    assert "model.safetensors" in status and str(tmp_path) not in status and "Traceback" not in status
    assert (text, view, files) == ("", "", None)
    import gradio as gr

    with pytest.raises(gr.Error) as info:
        handlers.api_translate("天气很好。")
    assert str(tmp_path) not in str(info.value)


def test_logins(tmp_path):
    from bilingual.config import ServiceSettings
    from bilingual.server import read_auth

    assert read_auth(ServiceSettings.from_env({})) is None
    assert read_auth(ServiceSettings.from_env({"BILINGUAL_AUTH": "ann:secret,bob:pw"})) == [("ann", "secret"), ("bob", "pw")]
    logins = tmp_path / "logins"
    logins.write_text("# team\nann:s3cret:with:colons\n\n")
    assert read_auth(ServiceSettings.from_env({"BILINGUAL_AUTH_FILE": str(logins)})) == [("ann", "s3cret:with:colons")]
    with pytest.raises(BilingualError, match="user:password"):
        read_auth(ServiceSettings.from_env({"BILINGUAL_AUTH": "ann:"}))
    with pytest.raises(BilingualError, match="Cannot read"):
        read_auth(ServiceSettings.from_env({"BILINGUAL_AUTH_FILE": str(tmp_path / "missing")}))


def test_model_panel_shows_folder_names_and_checks_their_files(tmp_path, tiny_zh_en):
    from bilingual.ui.app import Handlers

    empty = tmp_path / "secret-user" / "empty-model"
    empty.mkdir(parents=True)
    settings = Settings(model_zh_en=str(tiny_zh_en), model_en_zh=str(empty), offline=True, home=str(tmp_path / "h"))
    translator = Translator(settings)
    panel = Handlers(translator, Summarizer(settings, translator=translator)).models()
    rows = {line.split("|")[1].strip(): line for line in panel.splitlines() if line.startswith("| 翻译")}
    assert "secret-user" not in panel and str(tmp_path) not in panel
    assert f"`{tiny_zh_en.name} (local folder)`" in rows["翻译 Translate 中→英"] and "已就绪" in rows["翻译 Translate 中→英"]
    assert "`empty-model (local folder)`" in rows["翻译 Translate 英→中"]
    assert "未下载" in rows["翻译 Translate 英→中"]  # an empty folder is not a model


@pytest.mark.parametrize(
    ("error", "message"),
    [
        ("LocalEntryNotFoundError", r"the Hugging Face Hub could not be reached \(no network"),
        ("RepositoryNotFoundError", "has no public model"),
        ("OfflineModeIsEnabled", "offline mode"),
    ],
)
def test_download_errors_say_what_happened(monkeypatch, error, message):
    import huggingface_hub
    import huggingface_hub.errors as hub_errors

    from bilingual.models import download

    def fail(*args, **kwargs):
        cls = getattr(hub_errors, error)
        if error == "RepositoryNotFoundError":
            import httpx

            request = httpx.Request("GET", "https://huggingface.co/api/models/x/y")
            raise cls("404", response=httpx.Response(404, request=request))
        raise cls("no connection")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", fail)
    ref = Settings().model_ref("en-zh")
    with pytest.raises(ModelNotAvailableError, match=message) as info:
        download(ref)
    text = str(info.value)
    assert error not in text and "huggingface-cli" not in text
    if error != "RepositoryNotFoundError":
        assert "hf download Helsinki-NLP/opus-mt-en-zh" in text and "BILINGUAL_MODEL_EN_ZH" in text
