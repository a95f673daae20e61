"""Write ``src/fanzha/text/data/sms_training_half.tsv``: the training half of the UCI SMS Spam Collection.

Run: ``.venv/bin/python scripts/sms_training_half.py [path/to/SMSSpamCollection.tsv]`` (by default the copy in
``../shared/data``). The half is chosen by :func:`fanzha.text.sms_collection.in_training_half`; only ham and
scam-like spam are kept (see :func:`fanzha.text.sms_collection.training_half`). The other half is never written
into the package: it is what ``fanzha eval text --set …/SMSSpamCollection.tsv`` scores.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fanzha.text.sms_collection import load_sms_collection, training_half

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "sms_spam_collection" / "SMSSpamCollection.tsv"
TARGET = ROOT / "src" / "fanzha" / "text" / "data" / "sms_training_half.tsv"


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    rows = training_half(load_sms_collection(source))
    TARGET.write_text("label\ttext\n" + "".join(f"{label}\t{text}\n" for label, text in rows), "utf-8")
    print(f"{len(rows)} messages written to {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
