"""Unicode ranges of the scripts the text stages tell apart, written once.

Each constant is the inside of a regular-expression character class, so they combine:
``re.compile(f"[{HAN}{KANA}]")``.
"""

from __future__ import annotations

import re

# Han ideographs: Extension A, the basic block, compatibility ideographs, the supplementary planes.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
# Hiragana, katakana, katakana extensions and half-width katakana.
KANA = "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f"
# CJK symbols and punctuation (、。「」《》…) and the full-width forms (ＡＢＣ１２３！？).
CJK_PUNCTUATION = "\u3000-\u303f"
FULL_WIDTH = "\uff00-\uffef"

HAN_RE = re.compile(f"[{HAN}]")
KANA_RE = re.compile(f"[{KANA}]")
# Characters of East Asian text: ideographs and kana.
CJK_RE = re.compile(f"[{HAN}{KANA}]")
# Anything set in full-width columns: ideographs, kana, CJK punctuation, full-width forms.
WIDE_RE = re.compile(f"[{HAN}{KANA}{CJK_PUNCTUATION}{FULL_WIDTH}]")

# Japanese-only character forms (shinjitai such as 駅 売 県 対 発 気): the characters OpenCC's
# jp2t maps to a Traditional form whose Simplified form differs again, less those that Chinese
# also writes (予 研 概 郎 萌 欠 並 為 餅 衛 翻 瓶 慎 叙 偽 併 緒 …), reviewed by hand. Two of
# them in a Han text (one in a short one) mark it as Japanese even without kana.
JAPANESE_ONLY_FORMS = frozenset(
    "衆"
    "両乗亀亜仏仮伝価倹児円処剣剤剰労効勅勧勲単厳収唖営噛団囲図圏圧塁塩増壊壌壱売変奨嬢実寛対専巌巣巻帯帰庁広廃弁弐弾従徳徴応"
    "恵悩悪懐戦戯戻払抜択拝拠拡挙挿捜掲掻揺摂撃撹斉斎晩暁暦曽栄桜桝桟検楽様槙権歓歩歯歳歴殻毎気沢浄浜涙渇済渉渋渓満滝瀬焼犠猟"
    "獣畳痩発県砕稲穂穏竜粋粛糸経絵継続総緑縁縄縦繊繍缶聴脳臓艶荘蔵薫薬蛍蝋覇覚覧観訳証説読謡譲豊賛転軽辺逓遅郷酔醤醸釈鉄鉱銭"
    "鋳錬録鎮関閲闘陥険隠雑霊頼顔顕駅駆騒験髄髪鴎鶏鹸麹麺黒黙齢"
)
