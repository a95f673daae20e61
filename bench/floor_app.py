"""The peer of the API benchmark: a bare Starlette endpoint answering constant JSON (the framework's floor)."""

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

ANSWER = {"kind": "phone", "value": "+8613800138000", "level": "high", "cases": 2, "tips": 1,
          "first_reported": "2026-09-02", "last_reported": "2026-09-29", "spoofable": False, "category": None,
          "reasons": [{"code": "reported_repeatedly", "zh": "多名受害人报案中作为对方出现",
                       "en": "named as the other side in several victims' reports"}]}  # fmt: skip
"""The shape of fanzha's answer, so that both send about as many bytes."""


async def risk(request: Request) -> JSONResponse:
    """Constant answer, no database."""
    return JSONResponse(ANSWER)


app = Starlette(routes=[Route("/api/v1/identifiers/risk", risk)])
