"""``/exports``: any list of the API as an Excel workbook (导出 Excel), made on the server with openpyxl.

The export asks the list route itself, in process, with the caller's credentials and filters, page after page: so
it shows exactly what that list shows the caller (masking and visibility included) and needs no rule of its own.
"""

from __future__ import annotations

import io
import json
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request, Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from starlette.types import Message

from fanzha.model import utcnow

router = APIRouter(prefix="/exports", tags=["exports"])
ExportedList = Literal["reports", "tasks", "leads", "warnings", "campaigns", "units"]
PAGE = 500
MAX_ROWS = 50_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_PAGED = frozenset({"reports", "tasks", "leads", "warnings", "campaigns"})


async def _get_json(request: Request, path: str, query: list[tuple[str, str]]) -> Any:
    """GET ``path`` of this app in process, with the caller's headers; raises the list's own error."""
    headers = [
        (name, value) for name, value in request.scope["headers"] if name in (b"authorization", b"x-api-key")
    ]
    scope = {
        **request.scope, "path": path, "raw_path": path.encode(), "query_string": urlencode(query).encode(),
        "method": "GET", "headers": headers,
    }  # fmt: skip
    status, body = 500, bytearray()

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    await request.app(scope, receive, send)
    answer = json.loads(body or b"null")
    if status != 200:
        detail = answer.get("detail") if isinstance(answer, dict) else None
        raise HTTPException(status, str(detail or f"{path} answered {status}"))
    return answer


def flatten(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """One spreadsheet row of a JSON object: nested objects as ``a.b`` columns, lists of scalars joined by ``; ``,
    lists of objects counted (their detail is in the record itself)."""
    cells: dict[str, Any] = {}
    for name, value in row.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            cells.update(flatten(value, f"{key}."))
        elif isinstance(value, list):
            if all(not isinstance(item, dict | list) for item in value):
                cells[key] = "; ".join(str(item) for item in value)
            else:
                cells[f"{key}.count"] = len(value)
        else:
            cells[key] = value
    return cells


def _cell(sheet: Any, value: Any) -> Any:
    """A value as a cell: text stays text. Characters a workbook cannot hold (control characters a careless client
    put in a record) are dropped, and text that opens like a formula (``=HYPERLINK(…)`` in a narrative) is stored
    as a string, so opening the export runs nothing."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell


def workbook(name: str, rows: list[dict[str, Any]]) -> bytes:
    """An .xlsx of ``rows`` (one sheet named ``name``), columns in order of first appearance."""
    flat = [flatten(row) for row in rows]
    columns = list(dict.fromkeys(key for row in flat for key in row))
    book = Workbook(write_only=True)
    sheet = book.create_sheet(name)
    sheet.append([_cell(sheet, column) for column in columns])
    for row in flat:
        sheet.append([_cell(sheet, row.get(column)) for column in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@router.get("/xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}})
async def export_list(
    request: Request,
    list_: Annotated[ExportedList, Query(alias="list", description="which list of the API")],
) -> Response:
    """The list ``/api/v1/<list>`` as an Excel workbook, with the same filters (pass them as query parameters)
    and the same visibility and masking; every page up to 50,000 rows."""
    query = [
        (k, v)
        for k, v in request.query_params.multi_items()
        if k not in ("list", "limit", "offset", "before")
    ]
    path = request.url.path.rsplit("/exports/", 1)[0] + f"/{list_}"
    rows: list[dict[str, Any]] = []
    while len(rows) < MAX_ROWS:
        paging = [("limit", str(PAGE)), ("offset", str(len(rows)))] if list_ in _PAGED else []
        page = await _get_json(request, path, query + paging)
        rows.extend(page)
        if list_ not in _PAGED or len(page) < PAGE:
            break
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    return Response(
        workbook(list_, rows[:MAX_ROWS]),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="fanzha-{list_}-{stamp}.xlsx"'},
    )
