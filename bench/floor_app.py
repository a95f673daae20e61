"""The peer of the API benchmark: a bare Starlette endpoint answering constant JSON (the framework's floor)."""

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

ANSWER = {"kind": "phone", "value": "+8613800138000", "level": "high", "cases": 2, "tips": 1,
          "first_reported": None, "last_reported": None}  # fmt: skip


async def risk(request: Request) -> JSONResponse:
    """Constant answer, no database."""
    return JSONResponse(ANSWER)


app = Starlette(routes=[Route("/api/v1/identifiers/risk", risk)])
