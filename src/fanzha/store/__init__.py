"""fanzha.store: the case store (SQLAlchemy) and the flow store (Parquet + DuckDB). The only room besides api that does I/O."""
