import pytest

from bilingual import UnsupportedLanguageError, detect_language

ZH = [
    "重庆两江新区与世界贸易网点联盟签署战略合作协议。",
    "罗林会见了Bruno Masier和WTPF代表团，双方就合作进行了深入交流，并见证了协议签署。",
    "宫崎骏的《となりのトトロ》在中国上映，票房超过一亿元人民币，观众反响热烈。",
    "兩江新區簽署了合作協議。",  # Traditional Chinese
    "我哋今日去咗飲茶，好開心。",  # Cantonese
    "Apple今天发布了iPhone 16 Pro Max、Apple Watch Series 10和AirPods 4。",  # names and codes
    "他在发布会上用英文说：“We are very happy to be here and we look forward to working with you.”",
    "详情请访问https://www.example.org/news/2024/press-release-about-the-new-policy.html查看。",
]
EN = [
    "Hello",
    "Chongqing Liangjiang New Area signed a strategic cooperation agreement with the WTPF.",
    'The French call it "la vie en rose" and "joie de vivre", he said in an article about the city.',
    "中国 is a word that appears in this English sentence about the economy and its growth.",
]
OTHER = [
    ("東京は日本の首都です。", "Japanese"),
    ("서울은 한국의 수도입니다", "Korean"),
    ("Москва является столицей России", "Russian"),
    ("Київ є столицею України, і сьогодні тут дуже тепло.", "Ukrainian"),
    ("Saya tidak tahu di mana stasiunnya.", "Indonesian"),
    ("Tôi không biết nhà ga ở đâu.", "Vietnamese"),
    ("Bugün hava çok güzel.", "Turkish"),
    ("政府は新たな経済対策を決定した。", "Japanese"),  # kanji with a few kana
    ("東京駅周辺再開発計画", "Japanese"),  # all kanji, Japanese-only forms (駅, 発)
    ("韓國銀行이 基準金利를 凍結했다.", "Korean"),  # Korean with Hanja
    ("مرحبا بالعالم", "Arabic"),
    ("สวัสดีครับ", "Thai"),
    ("Le gouvernement a annoncé mardi une nouvelle réforme des retraites qui sera présentée au parlement.", "French"),
    ("El gobierno anunció el martes una nueva reforma de las pensiones que se presentará al parlamento.", "Spanish"),
    ("Die Bundesregierung hat am Dienstag eine neue Reform angekündigt, die dem Parlament vorgelegt wird.", "German"),
    ("12345 !!! 🙂", "no letters"),
]


@pytest.mark.parametrize("text", ZH)
def test_chinese(text):
    assert detect_language(text) == "zh"


@pytest.mark.parametrize("text", EN)
def test_english(text):
    assert detect_language(text) == "en"


@pytest.mark.parametrize(("text", "name"), OTHER)
def test_other_languages_are_refused(text, name):
    with pytest.raises(UnsupportedLanguageError, match=name):
        detect_language(text)


def test_unsupported_is_a_value_error_and_type_is_checked():
    with pytest.raises(ValueError):
        detect_language("서울은 한국의 수도입니다")
    with pytest.raises(TypeError):
        detect_language(42)  # type: ignore[arg-type]


def test_confidence():
    language, confidence = detect_language("两江新区签署了合作协议。", with_confidence=True)
    assert language == "zh" and confidence == 1.0
    language, confidence = detect_language("The weather is good and the port is busy.", with_confidence=True)
    assert language == "en" and 0.9 < confidence <= 1.0
    assert detect_language("NASA", with_confidence=True) == ("en", 0.5)  # too short to judge


def test_labelled_set_meets_its_targets():
    """benchmarks/data/detection.tsv: 300+ texts written for the project, across the hard cases."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from detection import correct, judge, load_set

    rows = load_set()
    assert len(rows) >= 300
    wrong = []
    by_category: dict[str, list[int]] = {}
    for category, expected, text in rows:
        answer, message = judge(detect_language, text)
        right, _ = correct(expected, answer, message)
        cell = by_category.setdefault(category, [0, 0])
        cell[0] += right
        cell[1] += 1
        if not right:
            wrong.append((category, text))
    assert len(wrong) <= 0.02 * len(rows), wrong
    for category in ("zh-hans", "zh-hant", "cantonese", "zh-latin", "zh-addresses", "en-news", "en-short", "en-mixed",
                     "en-loanwords", "ja-kana", "ja-kanji", "ko-hangul", "ko-hanja", "other-script", "no-letters",
                     "latin-short"):
        assert by_category[category][0] == by_category[category][1], (category, wrong)
    latin = [c for c in by_category if c.startswith("latin-")]
    assert sum(by_category[c][0] for c in latin) == sum(by_category[c][1] for c in latin), wrong
    assert by_category["ja-headline"][0] >= 0.8 * by_category["ja-headline"][1]


def test_the_model_loads_from_the_wheel_without_network(tmp_path):
    """Every socket is refused in the child process: detection still works (nothing is downloaded)."""
    import subprocess
    import sys

    code = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network is off in this test')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from bilingual import detect_language\n"
        "print(detect_language('The city council approved the plan on Tuesday.'))\n"
        "try:\n"
        "    detect_language('Le gouvernement a annoncé une nouvelle réforme mardi.')\n"
        "except Exception as exc:\n"
        "    print(exc)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "FTLANG_CACHE": str(tmp_path / "ftcache")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["en", "This looks like French; only Chinese and English are supported."]
    assert not (tmp_path / "ftcache").exists()
