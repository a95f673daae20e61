"""Write ``src/fanzha/text/data/t2s_keys.json``: what OpenCC's t2s conversion can change.

Run after upgrading OpenCC: ``.venv/bin/python scripts/t2s_keys.py``. It reads the dictionaries that the installed
OpenCC's ``t2s.json`` names (marisa tries in ``.ocd2`` files, read with the dev dependency ``marisa-trie``) and keeps
every single-character key, plus the phrase keys that hold none of them. A text with neither cannot change under
t2s, so :func:`fanzha.text.normalize.normalize` skips the conversion for it (most simplified-Chinese reports).
``tests/text/test_simplify_gate.py`` checks the shipped file against the installed OpenCC.
"""

from __future__ import annotations

import json
import sys
from importlib import metadata
from pathlib import Path

import marisa_trie
import opencc

OCD2_HEADER = b"OPENCC_MARISA_0.2.5"
TARGET = Path(__file__).resolve().parents[1] / "src" / "fanzha" / "text" / "data" / "t2s_keys.json"


def _dictionary_files(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["file"]] if node.get("type") == "ocd2" else []
        return found + [name for value in node.values() for name in _dictionary_files(value)]
    if isinstance(node, list):
        return [name for value in node for name in _dictionary_files(value)]
    return []


def _keys(path: Path) -> list[str]:
    data = path.read_bytes()
    if not data.startswith(OCD2_HEADER):
        raise SystemExit(f"{path}: not an OpenCC {OCD2_HEADER.decode()} dictionary")
    trie = marisa_trie.Trie()
    trie.frombytes(data[len(OCD2_HEADER) :])
    return list(trie.keys())


def t2s_keys() -> dict[str, object]:
    """The single-character keys of the t2s dictionaries and the phrase keys that contain none of them."""
    share = Path(opencc.__file__).parent / "clib" / "share" / "opencc"
    config = json.loads((share / "t2s.json").read_text("utf-8"))
    keys = [key for name in sorted(set(_dictionary_files(config))) for key in _keys(share / name)]
    characters = {key for key in keys if len(key) == 1}
    phrases = sorted({key for key in keys if len(key) > 1 and characters.isdisjoint(key)})
    return {
        "opencc": metadata.version("OpenCC"),
        "characters": "".join(sorted(characters)),
        "phrases": phrases,
    }


def main() -> None:
    """Write the file, or with ``--check`` exit 1 when it differs from the installed OpenCC."""
    wanted = json.dumps(t2s_keys(), ensure_ascii=False, indent=0) + "\n"
    if "--check" in sys.argv[1:]:
        sys.exit(0 if TARGET.read_text("utf-8") == wanted else 1)
    TARGET.write_text(wanted, "utf-8")


if __name__ == "__main__":
    main()
