"""Write fanzha's OpenAPI document to web/openapi.json, from which the console's TypeScript types are generated.

    .venv/bin/python scripts/openapi.py && (cd web && npm run gen:api)

tests/web/test_openapi_types.py fails when the committed document or types drift from the app's schema.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from fanzha.api import create_app
from fanzha.config import Settings

TARGET = Path(__file__).resolve().parent.parent / "web" / "openapi.json"


def openapi_text() -> str:
    """The app's OpenAPI document as the committed file holds it (sorted keys, two-space indent, final newline)."""
    app = create_app(Settings(environment="test", secret_key="openapi-dump-" + "k" * 32))
    return json.dumps(app.openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> int:
    """Write the document; print where."""
    TARGET.write_text(openapi_text(), encoding="utf-8")
    sys.stdout.write(f"wrote {TARGET}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
