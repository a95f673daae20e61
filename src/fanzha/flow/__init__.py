"""Money tracing and freeze lists (紧急止付 / 快速冻结 / 追赃挽损).

>>> ledger = Ledger.build(FlowStore.from_settings().load_arrays())  # doctest: +SKIP
>>> result = trace(ledger, sources_from_payments(report.payments, report.id), as_of=report.received_at)  # doctest: +SKIP
>>> freeze_list(result, ledger, report_time=report.received_at).by_bank()  # doctest: +SKIP
"""

from fanzha.flow.freeze import (
    CashOut,
    FreezeList,
    FreezeRules,
    FreezeTarget,
    VictimShare,
    freeze_list,
    pro_rata_return,
)
from fanzha.flow.ledger import Ledger
from fanzha.flow.paths import FlowAccount, FlowAccountKind, FlowEdge, MoneyFlow, money_flow
from fanzha.flow.trace import (
    AttributionPolicy,
    TaintSource,
    TraceLimits,
    TraceResult,
    locate_sources,
    sources_from_payments,
    trace,
)

__all__ = [
    "AttributionPolicy",
    "CashOut",
    "FlowAccount",
    "FlowAccountKind",
    "FlowEdge",
    "FreezeList",
    "FreezeRules",
    "FreezeTarget",
    "Ledger",
    "MoneyFlow",
    "TaintSource",
    "TraceLimits",
    "TraceResult",
    "VictimShare",
    "freeze_list",
    "locate_sources",
    "money_flow",
    "pro_rata_return",
    "sources_from_payments",
    "trace",
]
