"""The Golden Rules of sentence segmentation, English and Chinese (cases in tests/fixtures/golden_rules.py)."""

from __future__ import annotations

import pytest

from bilingual import split_sentences
from tests.fixtures.golden_rules import CHINESE, ENGLISH


@pytest.mark.parametrize(("rule", "text", "expected"), ENGLISH, ids=[r for r, _, _ in ENGLISH])
def test_english_golden_rule(rule, text, expected):
    assert split_sentences(text) == expected


@pytest.mark.parametrize(("rule", "text", "expected"), CHINESE, ids=[r for r, _, _ in CHINESE])
def test_chinese_golden_rule(rule, text, expected):
    assert split_sentences(text) == expected


def test_at_least_as_many_english_rules_as_pysbd():
    pysbd = pytest.importorskip("pysbd")
    segmenter = pysbd.Segmenter(language="en", clean=False)
    theirs = sum([s.strip() for s in segmenter.segment(text)] == expected for _, text, expected in ENGLISH)
    ours = sum(split_sentences(text) == expected for _, text, expected in ENGLISH)
    assert ours >= theirs and ours == len(ENGLISH), (ours, theirs)


def test_no_lone_periods_reach_the_model():
    text = "He paused . . . and then went on. She said . . . nothing. The end . . . . Next one."
    sentences = split_sentences(text)
    assert all(any(ch.isalpha() for ch in s) for s in sentences), sentences
    assert sentences == ["He paused . . . and then went on.", "She said . . . nothing.", "The end . . . .", "Next one."]
