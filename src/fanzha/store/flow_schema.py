"""The columns of the flow store (资金流水): one row per bank transaction record.

Rows live in a Parquet dataset partitioned by UTC day (``flows/day=YYYY-MM-DD/part-*.parquet``).
``txn_id`` is the bank's serial where it is numeric, otherwise a 63-bit hash of the record's source and
content, so that ingesting the same record twice is recognised.
"""

from __future__ import annotations

import pyarrow as pa

TRANSACTION_SCHEMA = pa.schema(
    [
        pa.field("txn_id", pa.int64(), nullable=False),
        pa.field("time", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("src_account", pa.string(), nullable=False),
        pa.field("dst_account", pa.string(), nullable=False),
        pa.field("amount_minor", pa.int64(), nullable=False),
        pa.field("currency", pa.string(), nullable=False),
        pa.field("channel", pa.string(), nullable=False),
        pa.field("src_bank", pa.string()),
        pa.field("dst_bank", pa.string()),
        pa.field("memo", pa.string()),
    ]
)
"""Arrow schema of a transaction record; ``channel`` holds a :class:`fanzha.model.TransactionChannel` value."""

PARTITION_COLUMN = "day"
