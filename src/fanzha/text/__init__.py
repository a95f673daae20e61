"""fanzha.text: normalisation and extraction of report text (涉案要素提取); pure functions, no I/O."""

from fanzha.text.identifiers import (
    BankInfo,
    Extraction,
    FoundAmount,
    FoundIdentifier,
    FoundTime,
    bank_of_card,
    extract,
)
from fanzha.text.normalize import NormalizedText, normalize

__all__ = [
    "BankInfo",
    "Extraction",
    "FoundAmount",
    "FoundIdentifier",
    "FoundTime",
    "NormalizedText",
    "bank_of_card",
    "extract",
    "normalize",
]
