"""The case-store backend fixtures (SQLite and PostgreSQL) live in tests/conftest.py, shared by every room."""
