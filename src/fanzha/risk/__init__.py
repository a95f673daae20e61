"""fanzha.risk (预警劝阻): identifier risk today; mule-account scoring and live interception build on it.

>>> from fanzha.risk import assess_identifier, counted_roles  # the store counts ``counted_roles()`` mentions
"""

from fanzha.risk.identifiers import (
    LEVEL_ONLY_KINDS,
    IdentifierRisk,
    RiskLevel,
    RiskReason,
    assess_identifier,
    counted_roles,
)
from fanzha.risk.known import KnownService, KnownServices, shipped_services

__all__ = [
    "LEVEL_ONLY_KINDS",
    "IdentifierRisk",
    "KnownService",
    "KnownServices",
    "RiskLevel",
    "RiskReason",
    "assess_identifier",
    "counted_roles",
    "shipped_services",
]
