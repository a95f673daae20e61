"""Victim-report narratives per fraud type in simplified Chinese, traditional Chinese and English.

INTERFACE ONLY, being written: the engineer who owns this file replaces the body of ``render_narrative``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from fanzha.model import AgeBand, Identifier, Language, Payment, ReportKind


@dataclass(frozen=True)
class NarrativeFacts:
    """What a narrative is about: the truth the text must (messily) convey."""

    fraud_type: str
    language: Language
    kind: ReportKind
    identifiers: tuple[Identifier, ...]
    payments: tuple[Payment, ...]
    received_at: datetime
    victim_age_band: AgeBand | None = None


@dataclass(frozen=True)
class Narrative:
    """The rendered text and the identifiers it actually mentions (some may be left out)."""

    text: str
    mentioned: tuple[Identifier, ...]


def render_narrative(rng: np.random.Generator, facts: NarrativeFacts) -> Narrative:
    """Render one narrative for ``facts`` using ``rng`` for every choice (same rng state → same text)."""
    parts = [facts.fraud_type] + [identifier.value for identifier in facts.identifiers]
    return Narrative(" ".join(parts), facts.identifiers)
