"""The console's TypeScript types cannot drift from the API: the committed OpenAPI document is the app's, and the
committed ``web/src/api/schema.ts`` is what openapi-typescript makes of it (``make openapi`` regenerates both)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"


def _openapi_text() -> str:
    spec = importlib.util.spec_from_file_location("openapi_dump", ROOT / "scripts" / "openapi.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text: str = module.openapi_text()
    return text


def test_committed_openapi_document_is_the_apps() -> None:
    committed = (WEB / "openapi.json").read_text(encoding="utf-8")
    assert committed == _openapi_text(), "the API changed: run `make openapi` and commit web/openapi.json"


def test_committed_types_are_generated_from_the_document(tmp_path: Path) -> None:
    tool = WEB / "node_modules" / ".bin" / "openapi-typescript"
    if not tool.exists() or shutil.which("node") is None:
        pytest.skip("web/node_modules is not installed (make web)")
    out = tmp_path / "schema.ts"
    subprocess.run(
        [str(tool), "openapi.json", "--output", str(out)], cwd=WEB, check=True, capture_output=True
    )
    committed = (WEB / "src" / "api" / "schema.ts").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == committed, "run `make openapi` and commit web/src/api/schema.ts"
