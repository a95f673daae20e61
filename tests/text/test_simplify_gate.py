"""The traditional → simplified conversion is skipped only for text that OpenCC's t2s could not change.

``normalize`` asks ``data/t2s_keys.json`` (the t2s dictionaries' keys, written by ``scripts/t2s_keys.py``) before it
converts; these tests hold the skip to what converting would have done.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

import fanzha.text

normalize_module = sys.modules["fanzha.text.normalize"]
_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "t2s_keys.py"
_KEYS = json.loads((Path(fanzha.text.__file__).parent / "data" / "t2s_keys.json").read_text("utf-8"))


def _convert(text: str) -> str:
    converted: str = normalize_module._t2s().convert(text)
    return converted


def _simplified(text: str) -> str:
    track = normalize_module._Track(text, range(len(text)), range(1, len(text) + 1))
    simplified: str = normalize_module._simplify(track).text
    return simplified


def test_shipped_keys_are_those_of_the_installed_opencc() -> None:
    spec = importlib.util.spec_from_file_location("t2s_keys", _SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.t2s_keys() == _KEYS


def test_every_character_t2s_changes_is_a_key() -> None:
    keys = normalize_module._t2s_keys()
    changed = [chr(code) for code in range(0x3400, 0xA000) if _convert(chr(code)) != chr(code)]
    assert len(changed) > 2_000
    assert [char for char in changed if not keys.occur_in(char)] == []


def test_simplified_text_is_not_converted_and_traditional_text_is() -> None:
    assert not normalize_module._t2s_keys().occur_in("我在网上认识一个人，他让我转账到银行卡")
    assert normalize_module._t2s_keys().occur_in("我在網上認識一個人")
    assert _simplified("我在網上認識一個人，他讓我轉帳") == "我在网上认识一个人，他让我转帐"
    assert _simplified("有序") == _convert("有序")


_KEY = st.sampled_from(sorted(_KEYS["characters"]))
_PLAIN = st.sampled_from("我在网上认识一个人他让转账到银行卡有序乾隆著名干燥发现头发面条后来 abc123，。")


@given(st.lists(st.one_of(_KEY, _PLAIN, _PLAIN, _PLAIN), max_size=24).map("".join))
def test_text_without_keys_is_left_as_converting_would_leave_it(text: str) -> None:
    assert normalize_module._t2s_keys().occur_in(text) or _convert(text) == text
