"""check_translation: the model-free checks of a translation (numbers, names, untranslated, length, glossary)."""

from __future__ import annotations

import pytest

from bilingual import check_translation
from bilingual.text.checks import Flag, source_numbers, translation_numbers


def codes(source, translation, **kwargs):
    return [f.code for f in check_translation(source, translation, **kwargs)]


@pytest.mark.parametrize(
    ("source", "translation"),
    [
        ("重庆去年的出口额达到4,850.5亿元。", "Chongqing's exports reached 485.05 billion yuan last year."),
        ("新区吸引了1.2万名工人。", "The new area attracted 12,000 workers."),
        ("经济增长了6.1%。", "The economy grew by 6.1 percent."),
        ("The economy grew by 6.1% last year.", "去年经济增长了百分之六点一。"),
        ("会议于9月7日举行。", "The meeting was held on September 7."),
        ("The meeting was held on September 7, 2023.", "会议于2023年9月7日举行。"),
        ("He bought 2 tickets.", "他买了两张票。"),
        ("１２３人参加了会议。", "123 people attended the meeting."),
        ("The company sold 1.5 million cars.", "该公司售出了150万辆汽车。"),
        ("Prices rose 3-5 percent in 2022.", "2022年价格上涨了3到5个百分点。"),
    ],
)
def test_numbers_across_notations_pass(source, translation):
    assert "numbers" not in codes(source, translation)


@pytest.mark.parametrize(
    ("source", "translation", "missing"),
    [
        ("重庆去年的出口额达到4,850.5亿元。", "Chongqing's exports reached 48.5 billion yuan last year.", "4,850.5亿"),
        ("新区吸引了1.2万名工人。", "The new area attracted 1,200 workers.", "1.2万"),
        ("The company sold 1.5 million cars.", "该公司售出了150亿辆汽车。", "1.5 million"),
        ("The meeting was held on September 7.", "会议于9月8日举行。", "7"),
    ],
)
def test_changed_numbers_are_flagged(source, translation, missing):
    (flag,) = [f for f in check_translation(source, translation) if f.code == "numbers"]
    assert missing in flag.message


def test_names_acronyms_and_codes():
    assert codes("重庆两江新区与WTPF签署战略合作协议。", "Liangjiang New Area signed an agreement with WTPF.") == []
    flags = check_translation("重庆两江新区与WTPF签署战略合作协议。", "Liangjiang New Area signed a strategic agreement.")
    assert [f.code for f in flags] == ["names"] and "WTPF" in flags[0].message
    assert "names" in codes("新款iPhone支持5G。", "The new phone supports fast networks.")
    assert "names" not in codes("新款iPhone支持5G。", "The new iPhone supports 5G.")
    assert "names" in codes("The WTPF met in Chongqing.", "世贸网点联盟在重庆举行会议。")
    assert "names" not in codes("The FBI and NATO met.", "联邦调查局和北约举行了会晤。")  # known Chinese names
    assert "names" not in codes("The WTPF met.", "世界贸易网点联盟举行了会议。", glossary={"WTPF": "世界贸易网点联盟"})
    assert "names" not in codes("DO NOT RETURN USED ITEMS.", "请勿退回使用过的物品。")  # shouting, not acronyms
    assert "names" not in codes("I absolutely LOVE this remote.", "我绝对喜欢这个遥控器。")  # a word in capitals
    assert "names" in codes("The CBN denied the report.", "该行否认了这一报道。")
    assert "names" not in codes("Visit https://example.com/a today.", "今天请访问https://example.com/a。")


def test_untranslated_length_empty_and_glossary():
    assert "untranslated" in codes("两江新区签署了合作协议。", "Liangjiang 新区签署了合作协议 today.")
    assert "untranslated" in codes("The delegation visited the new factory today.",
                                   "代表团 visited the new factory 今天。")
    assert "length" in codes("The delegation visited the new factory and the port on Monday morning.", "代表团。")
    assert check_translation("两江新区签署了合作协议。", "  ") == [Flag("empty", "The translation is empty.")]
    flags = check_translation("两江新区签署了协议。", "Liangjiang New Area signed a deal.", glossary={"协议": "agreement"})
    assert [f.code for f in flags] == ["glossary"] and "agreement" in flags[0].message


def test_number_extraction():
    assert source_numbers("4,850.5亿元和1.2万人") == [("4,850.5亿", 4.8505e11), ("1.2万", 12000.0)]
    assert {2.0, 3000.0, 6.1}.issubset(translation_numbers("两个人，三千元，百分之六点一"))
    assert 1.0 not in translation_numbers("一些人统一了意见")  # 一 in words is not a number
    assert {25.0, 9.0}.issubset(translation_numbers("twenty-five people in September"))


def test_inputs_are_checked():
    with pytest.raises(TypeError):
        check_translation(1, "x")  # type: ignore[arg-type]


def test_reference_translations_raise_few_flags():
    """FLORES-200 devtest references against their sources: false alarms under 2% per check and direction."""
    from pathlib import Path

    data = Path(__file__).resolve().parents[2] / "shared" / "evaldata" / "flores200"
    if not data.is_dir():
        pytest.skip("../shared/evaldata is not beside the repository")
    zh = (data / "flores200.devtest.zho_Hans").read_text(encoding="utf-8").splitlines()
    en = (data / "flores200.devtest.eng_Latn").read_text(encoding="utf-8").splitlines()
    for language, sources, references in (("zh", zh, en), ("en", en, zh)):
        counts: dict[str, int] = {}
        for source, reference in zip(sources, references):
            for flag in check_translation(source, reference, source_language=language):
                counts[flag.code] = counts.get(flag.code, 0) + 1
        assert all(n < 0.02 * len(sources) for n in counts.values()), (language, counts)
