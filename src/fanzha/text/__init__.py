"""fanzha.text: normalisation and extraction of report text (涉案要素提取); pure functions, no I/O."""

from fanzha.text.classify import Classification, FraudClassifier, default_classifier, training_corpus
from fanzha.text.identifiers import (
    BankInfo,
    Extraction,
    FoundAmount,
    FoundIdentifier,
    FoundTime,
    bank_code_of_account,
    bank_of_card,
    extract,
)
from fanzha.text.normalize import NormalizedText, normalize

__all__ = [
    "BankInfo",
    "Classification",
    "Extraction",
    "FoundAmount",
    "FoundIdentifier",
    "FoundTime",
    "FraudClassifier",
    "NormalizedText",
    "bank_code_of_account",
    "bank_of_card",
    "default_classifier",
    "extract",
    "normalize",
    "training_corpus",
]
