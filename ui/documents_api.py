"""The documents routes beside the chat API (the same Library as the 资料管理 / Documents tab):

    GET    /api/documents          every document: file name, title, cases, status, error (viewer)
    GET    /api/documents/{name}   one of them (viewer)
    POST   /api/documents          multipart upload, field `file` → 202 with the stored name (admin)
    DELETE /api/documents/{name}   remove an uploaded document → 202 while the index catches up (admin)

Every refusal is a 4xx in the OpenAI error shape with a plain message and changes nothing: 400 for a file that
is not what its name says (or empty, or not multipart), 409 for a duplicate or a read-only document, 413 over the
size limit (the body is counted as it arrives, never trusted from a header), 415 for a type we do not read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ui.api import ERRORS, ApiError, ErrorResponse
from ui.auth import require, settings_of
from ui.documents import DocumentInfo, Library, Removal, UploadAccepted, library
from ui.uploads import Rejected

router = APIRouter(tags=["Documents"])
viewer = [Depends(require("viewer"))]
admin = [Depends(require("admin"))]
MULTIPART_SLACK = 64 * 1024  # bytes of multipart framing and headers allowed beyond the file limit
DRAIN_LIMIT = 64 * 1024 * 1024  # an oversized body up to this much is read to its end so the client sees the 413
BAD_FORM = "Send the file as multipart/form-data in a field named 'file'. / 请以 multipart/form-data 的 file 字段上传文件。"
REFUSALS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    403: {"model": ErrorResponse, "description": "The API key does not have the admin role"},
    409: {"model": ErrorResponse, "description": "The same file is already in the library, or it cannot be removed"},
    413: {"model": ErrorResponse, "description": "Over the upload size limit (ingest.max_upload_mb)"},
    415: {"model": ErrorResponse, "description": "A file type the assistant does not read"},
}
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]


class _TooLarge(Exception):
    pass


def _library(request: Request) -> Library:
    return library(settings_of(request))


def _rejected(exc: Rejected) -> ApiError:
    return ApiError(exc.status, exc.message, code=exc.code, param="file" if exc.status != 404 else "name")


def _counting(receive: Receive, limit: int) -> Receive:
    """The request's receive channel, raising _TooLarge once more than `limit` body bytes have arrived."""
    seen = 0

    async def counted() -> MutableMapping[str, Any]:
        nonlocal seen
        message = await receive()
        if message.get("type") == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _TooLarge
        return message

    return counted


async def _drain(request: Request, limit: int) -> None:
    """Read and drop what is left of the body (up to `limit` bytes), so the client reads our answer instead of
    a reset connection; an absurd body is cut off."""
    seen = 0
    try:
        while seen <= limit:
            message = await request.receive()
            if message.get("type") != "http.request":
                return
            seen += len(message.get("body", b""))
            if not message.get("more_body", False):
                return
    except Exception:  # noqa: BLE001 - the client went away: nothing to drain
        return


def _too_large(request: Request) -> ApiError:
    mb = settings_of(request).ingest.max_upload_mb
    return ApiError(413, f"The file is larger than the limit of {mb:g} MB. / 文件超过 {mb:g} MB 的上限。",
                    code="file_too_large", param="file")


@router.get("/api/documents", response_model=list[DocumentInfo], dependencies=viewer, responses=ERRORS)
def list_documents(request: Request) -> list[DocumentInfo]:
    """Every document: uploads being indexed or failed (with the reason) first, then every indexed one."""
    return _library(request).documents()


@router.get("/api/documents/{name}", response_model=DocumentInfo, dependencies=viewer, responses=REFUSALS)
def get_document(name: str, request: Request) -> DocumentInfo:
    """One document by its file name (as listed, or as returned by the upload)."""
    found = _library(request).document(name)
    if found is None:
        raise ApiError(404, f"There is no document named {name!r}. / 没有该文件。", code="no_such_document",
                       param="name")
    return found


@router.post(
    "/api/documents", status_code=202, response_model=UploadAccepted, dependencies=admin, responses=REFUSALS,
    openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary",
                                "description": ".txt .md .docx .pdf (and images with the OCR reader)"}}}}}}},
)
async def upload_document(request: Request) -> Any:
    """Upload one document (multipart field `file`); it is stored under a safe name and indexed in the
    background — follow it with GET /api/documents/{name}."""
    settings = settings_of(request)
    limit = int(settings.ingest.max_upload_mb * 2**20) + MULTIPART_SLACK
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        await _drain(request, DRAIN_LIMIT)
        raise _too_large(request)
    counted = Request(request.scope, _counting(request.receive, limit))
    try:
        form = await counted.form(max_files=1, max_fields=4, max_part_size=64 * 1024)
    except _TooLarge:
        await _drain(request, DRAIN_LIMIT)
        raise _too_large(request) from None
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ApiError(400, BAD_FORM, code="missing_file", param="file")
        try:
            accepted = await run_in_threadpool(_library(request).submit, upload.filename, upload.file)
        except Rejected as exc:
            raise _rejected(exc) from None
    finally:
        await form.close()
    return JSONResponse(accepted.model_dump(), status_code=202)


@router.delete("/api/documents/{name}", response_model=Removal, dependencies=admin, responses=REFUSALS,
               status_code=202)
def remove_document(name: str, request: Request) -> Any:
    """Remove an uploaded document: 202 while the index catches up (then it is never cited again), 200 when
    nothing was indexed yet (a queued or failed upload is simply dropped). The shipped corpus is read-only."""
    try:
        removal = _library(request).remove(name)
    except Rejected as exc:
        raise _rejected(exc) from None
    return JSONResponse(removal.model_dump(), status_code=202 if removal.status == "removing" else 200)

