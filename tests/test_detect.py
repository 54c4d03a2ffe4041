import pytest

from bilingual import UnsupportedLanguageError, detect_language

ZH = [
    "重庆两江新区与世界贸易网点联盟签署战略合作协议。",
    "罗林会见了Bruno Masier和WTPF代表团，双方就合作进行了深入交流，并见证了协议签署。",
    "宫崎骏的《となりのトトロ》在中国上映，票房超过一亿元人民币，观众反响热烈。",
    "兩江新區簽署了合作協議。",  # Traditional Chinese
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
    ("Москва является столицей России", "Cyrillic"),
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
