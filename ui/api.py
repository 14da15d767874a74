"""The HTTP API beside the chat page: an OpenAI-compatible chat endpoint, the answer and case routes, export.

    GET  /v1/models             the one model, `ftzqa`
    POST /v1/chat/completions   OpenAI chat completions, plain or streamed (server-sent events)
    POST /api/answer            question, history, filters, backend → the Answer JSON
    GET  /api/cases             every case in the index
    POST /api/export            an answer or a conversation → .docx or Markdown

Like the page, these routes only render what the Python API returns (stream_answer, cases, the export
functions). Every error leaves in the OpenAI error shape {"error": {"message", "type", "param", "code"}}; an
unusable question is a 400 with the pipeline's plain message, anything unexpected a 500 whose body says
nothing about the internals (the traceback goes to the server log).

Routes are plain `def`s: FastAPI runs each request in its own worker thread, and everything a request
touches lives in that call (no module-level state), so concurrent clients never see each other's turn.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator, Mapping
from itertools import chain
from typing import Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant import Answer, Case, Citation, InvalidQuestion, cases, stream_answer
from assistant.export import FORMATS, MEDIA_TYPES, suggested_filename
from assistant.export import render as render_export
from ui.auth import AuthError, require

log = logging.getLogger(__name__)

MODEL_ID = "ftzqa"
SOURCES_HEADING = "来源 / Sources:"
MAX_QUESTION_CHARS = 100_000  # far above the pipeline's own limit (it truncates with a notice); stops absurd bodies
MAX_MESSAGES = 200
BACKEND_FORM = r"^(local|extractive|mock|openai:[\w.\-:/]{1,200})$"
INTERNAL_ERROR = "Something went wrong while answering; please try again. / 处理出错，请稍后重试。"
_CREATED = int(time.time())

router = APIRouter()
viewer = [Depends(require("viewer"))]


# ---------------------------------------------------------------- errors in the OpenAI shape


class ErrorBody(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class ErrorResponse(BaseModel):
    """What every error looks like (the OpenAI error shape)."""

    error: ErrorBody


class ApiError(Exception):
    """An error with a plain message for the client."""

    def __init__(self, status: int, message: str, *, code: str | None = None, param: str | None = None):
        super().__init__(message)
        self.status, self.message, self.code, self.param = status, message, code, param


_ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
                404: "not_found_error", 405: "invalid_request_error", 409: "invalid_request_error",
                413: "invalid_request_error", 415: "invalid_request_error", 422: "invalid_request_error"}
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "The request or the question cannot be used"},
    401: {"model": ErrorResponse, "description": "Missing or invalid API key"},
}


def error_response(status: int, message: str, *, code: str | None = None, param: str | None = None,
                   headers: Mapping[str, str] | None = None) -> JSONResponse:
    body = ErrorResponse(error=ErrorBody(message=message, type=_ERROR_TYPES.get(status, "server_error"),
                                         param=param, code=code))
    return JSONResponse(body.model_dump(), status_code=status, headers=dict(headers) if headers else None)


def _validation_message(exc: RequestValidationError) -> tuple[str, str | None]:
    """A plain sentence naming the first bad field; the submitted values are never echoed."""
    errors = exc.errors()
    if not errors:
        return "The request body is not valid.", None
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
    message = f"Invalid request: {where or 'body'}: {first.get('msg', 'invalid value')}"
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more)"
    return message, where or None


def install_error_handlers(app: FastAPI) -> None:
    """Render every error of the API routes in the OpenAI error shape (400 for a bad request body)."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.message, code=exc.code, param=exc.param)

    @app.exception_handler(AuthError)
    async def _auth_error(request: Request, exc: AuthError) -> JSONResponse:
        return error_response(exc.status_code, str(exc.detail), code=exc.code, headers=exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "The request cannot be served."
        return error_response(exc.status_code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        message, param = _validation_message(exc)
        return error_response(400, message, code="invalid_request", param=param)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("API %s %s failed", request.method, request.url.path, exc_info=exc)
        return error_response(500, INTERNAL_ERROR, code="internal_error")


# ---------------------------------------------------------------- request and response models


class Filters(BaseModel):
    """Only answer from these documents and/or providers (values as in GET /api/cases)."""

    model_config = ConfigDict(extra="forbid")
    source_file: list[str] | None = Field(None, description="Document file names, e.g. 004_db19b12f0daba2d6.txt")
    provider: list[str] | None = Field(None, description="Providers, e.g. 舟山片区 or 重庆市")

    def as_dict(self) -> dict | None:
        found = {k: v for k, v in self.model_dump().items() if v}
        return found or None


class ChatMessage(BaseModel):
    """One message of an OpenAI chat conversation; content as a string or a list of text parts."""

    model_config = ConfigDict(extra="allow")
    role: str = Field(description="system | user | assistant (others are ignored)")
    content: str | list[dict[str, Any]] | None = None


class ChatCompletionRequest(BaseModel):
    """An OpenAI chat completion request. The last message is the question, earlier user/assistant
    messages the history; sampling options (temperature, max_tokens, …) are accepted and ignored."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "model": MODEL_ID, "messages": [{"role": "user", "content": "哪个片区提供了“全球中心仓”案例？"}]}]})
    model: str = Field(MODEL_ID, description=f"Always '{MODEL_ID}'; the generator is chosen by the server's config")
    messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_MESSAGES)
    stream: bool = Field(False, description="Server-sent events in the OpenAI chunk format, ending with [DONE]")
    filters: Filters | None = Field(None, description="Extension: only these documents / providers")


class FtzqaExtra(BaseModel):
    """The full citations and the Answer, beside the OpenAI fields."""

    citations: list[Citation]
    refused: bool
    route: str
    standalone_question: str
    answer: Answer


class ChatCompletionMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(BaseModel):
    index: int = 0
    message: ChatCompletionMessage
    finish_reason: Literal["stop"] = "stop"


class ChatCompletion(BaseModel):
    """An OpenAI chat completion; `content` is the answer with its [n] markers, then a short sources list."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str = MODEL_ID
    choices: list[ChatChoice]
    ftzqa: FtzqaExtra


class ModelCard(BaseModel):
    id: str = MODEL_ID
    object: Literal["model"] = "model"
    created: int = _CREATED
    owned_by: str = "ftzqa"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class HistoryTurn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["user", "assistant"]
    content: str = Field(max_length=MAX_QUESTION_CHARS)


class AnswerRequest(BaseModel):
    """One question, with the conversation so far for follow-ups."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "question": "它的主要做法是什么？",
        "history": [{"role": "user", "content": "哪个片区提供了“全球中心仓”案例？"},
                    {"role": "assistant", "content": "杭州片区提供了该案例[1]。"}],
        "filters": {"source_file": ["001_2adf76dceb53e4a4.txt"]}}]})
    question: str = Field(max_length=MAX_QUESTION_CHARS, description="In Chinese or English")
    history: list[HistoryTurn] = Field(default_factory=list, max_length=MAX_MESSAGES)
    filters: Filters | None = None
    backend: str | None = Field(None, pattern=BACKEND_FORM,
                                description="local | extractive | openai:<model>; the configured one when unset")


class ExportTurn(BaseModel):
    question: str = Field("", description="The question as asked; the answer's own question when empty")
    answer: Answer


class ExportRequest(BaseModel):
    """Either one answer (`answer`, optionally `question`) or a whole conversation (`turns`)."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["docx", "md"] = "docx"
    question: str | None = None
    answer: Answer | None = None
    turns: list[ExportTurn] | None = Field(None, min_length=1, max_length=MAX_MESSAGES)

    @model_validator(mode="after")
    def _one_of(self) -> ExportRequest:
        if (self.answer is None) == (self.turns is None):
            raise ValueError("send either 'answer' (one answer) or 'turns' (a conversation)")
        return self

    def as_turns(self) -> list[tuple[str, Answer]]:
        if self.turns is not None:
            return [(t.question or t.answer.question, t.answer) for t in self.turns]
        assert self.answer is not None
        return [(self.question or self.answer.question, self.answer)]


# ---------------------------------------------------------------- conversation ↔ pipeline


def message_text(content: str | list[dict[str, Any]] | None) -> str:
    """A message's text: the string itself, or its text parts joined (images and other parts skipped)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "\n".join(str(p.get("text", "")) for p in content
                     if isinstance(p, dict) and p.get("type") in ("text", "input_text"))


def strip_sources(text: str) -> str:
    """An earlier answer as a client sends it back, without the sources list this API appended."""
    return text.split(f"\n\n{SOURCES_HEADING}", 1)[0].rstrip()


def conversation(messages: list[ChatMessage]) -> tuple[str, list[dict[str, str]]]:
    """(question, history) from OpenAI messages: the last user message and the user/assistant turns before it."""
    turns = [(m.role, message_text(m.content)) for m in messages if m.role in ("user", "assistant")]
    if not turns or turns[-1][0] != "user":
        raise ApiError(400, "The last message must be the user's question. / 最后一条消息应是用户的问题。",
                       code="invalid_messages", param="messages")
    history = [{"role": role, "content": strip_sources(text) if role == "assistant" else text}
               for role, text in turns[:-1] if text.strip()]
    return turns[-1][1], history


def sources_block(answer: Answer) -> str:
    """The short sources list appended to the chat content: [n] 《case title》 · provider · document title."""
    if not answer.citations:
        return ""
    lines = [" · ".join(part for part in (f"[{c.n}] 《{c.case_title}》" + (f" ({c.case_title_en})" if c.case_title_en else ""),
                                          c.provider, c.document_title) if part)
             for c in answer.citations]
    return f"\n\n{SOURCES_HEADING}\n" + "\n".join(lines)


def chat_content(answer: Answer) -> str:
    return answer.text + sources_block(answer)


def correction(streamed: str, final: str) -> str:
    """What still has to be sent after `streamed` so the client ends with `final`: the missing tail, or,
    when the final text does not start with what was streamed, the rest after a newline."""
    if final.startswith(streamed):
        return final[len(streamed):]
    common = 0
    for a, b in zip(streamed, final, strict=False):
        if a != b:
            break
        common += 1
    return "\n" + final[common:]


def ftzqa_extra(answer: Answer) -> FtzqaExtra:
    return FtzqaExtra(citations=answer.citations, refused=answer.refused, route=answer.route,
                      standalone_question=answer.standalone_question, answer=answer)


def _start(question: str, history: list[dict], filters: dict | None, backend: str | None) -> Iterator:
    """stream_answer() primed up to its first event, so an unusable question is a 400 before any byte
    is sent. yield_sources=True makes that first event come right after retrieval, not after the model."""
    events = stream_answer(question, history, filters=filters, backend=backend, yield_sources=True)
    try:
        first = next(events)
    except InvalidQuestion as exc:
        raise ApiError(400, str(exc), code="invalid_question", param="messages") from exc
    except StopIteration as exc:  # pragma: no cover - stream_answer always ends with an Answer
        raise RuntimeError("stream_answer yielded nothing") from exc
    return chain([first], events)


def _final(events: Iterator) -> Answer:
    for item in events:
        if isinstance(item, Answer):
            return item
    raise RuntimeError("stream_answer ended without an Answer")


def _sse(data: dict | str) -> str:
    return f"data: {data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)}\n\n"


def stream_chunks(events: Iterator, completion_id: str, created: int, model: str) -> Iterator[str]:
    """Server-sent events in the OpenAI chunk format: the role, each text delta as it is generated, the
    sources list, a last chunk with finish_reason "stop" and the `ftzqa` extra, then [DONE]."""

    def chunk(delta: dict, finish: str | None = None, **more: Any) -> str:
        return _sse({"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model,
                     "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **more})

    streamed: list[str] = []
    try:
        yield chunk({"role": "assistant", "content": ""})
        final: Answer | None = None
        for item in events:
            if isinstance(item, Answer):
                final = item
                break
            if isinstance(item, str) and item:
                streamed.append(item)
                yield chunk({"content": item})
        if final is None:
            raise RuntimeError("stream_answer ended without an Answer")
        tail = correction("".join(streamed), final.text) + sources_block(final)
        if tail:
            yield chunk({"content": tail})
        yield chunk({}, "stop", ftzqa=ftzqa_extra(final).model_dump(mode="json"))
        yield _sse("[DONE]")
    except Exception:  # noqa: BLE001 - the status line is sent; the error goes in the stream
        log.exception("streamed answer failed")
        yield _sse(ErrorResponse(error=ErrorBody(message=INTERNAL_ERROR, type="server_error",
                                                 code="internal_error")).model_dump())
        yield _sse("[DONE]")
    finally:
        close = getattr(events, "close", None)
        if close is not None:  # a client that went away releases the generator (and a local model's slot)
            close()


# ---------------------------------------------------------------- routes


@router.get("/v1/models", response_model=ModelList, dependencies=viewer, responses=ERRORS, tags=["OpenAI"])
def list_models() -> ModelList:
    """The one model: `ftzqa` (which generator answers is the server's configuration)."""
    return ModelList(data=[ModelCard()])


@router.get("/v1/models/{model_id}", response_model=ModelCard, dependencies=viewer, responses=ERRORS,
            tags=["OpenAI"])
def get_model(model_id: str) -> ModelCard:
    """One model by id (only `ftzqa` exists)."""
    if model_id != MODEL_ID:
        raise ApiError(404, f"The model does not exist; use '{MODEL_ID}'.", code="model_not_found", param="model")
    return ModelCard()


@router.post(
    "/v1/chat/completions", response_model=ChatCompletion, dependencies=viewer, tags=["OpenAI"],
    responses={**ERRORS, 200: {"content": {"application/json": {}, "text/event-stream": {
        "description": "With stream=true: chat.completion.chunk events, then data: [DONE]"}}}},
)
def chat_completions(body: ChatCompletionRequest) -> Any:
    """OpenAI-compatible chat: the answer with [n] markers and its sources; `ftzqa` carries the citations."""
    if body.model != MODEL_ID:
        raise ApiError(404, f"The model does not exist; use '{MODEL_ID}'.", code="model_not_found", param="model")
    question, history = conversation(body.messages)
    events = _start(question, history, body.filters.as_dict() if body.filters else None, None)
    completion_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    if body.stream:
        return StreamingResponse(
            stream_chunks(events, completion_id, created, MODEL_ID), media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},  # no proxy buffering of the deltas
        )
    final = _final(events)
    return ChatCompletion(id=completion_id, created=created,
                          choices=[ChatChoice(message=ChatCompletionMessage(content=chat_content(final)))],
                          ftzqa=ftzqa_extra(final))


@router.post("/api/answer", response_model=Answer, dependencies=viewer, responses=ERRORS, tags=["Answers"])
def api_answer(body: AnswerRequest) -> Answer:
    """One answer with verified case citations (the same object as Python's `answer()`)."""
    history = [t.model_dump() for t in body.history]
    return _final(_start(body.question, history, body.filters.as_dict() if body.filters else None, body.backend))


@router.get("/api/cases", response_model=list[Case], dependencies=viewer, responses=ERRORS, tags=["Answers"])
def api_cases(include_preambles: bool = False) -> list[Case]:
    """Every case in the index, in document and number order."""
    return cases(include_preambles=include_preambles)


@router.post(
    "/api/export", dependencies=viewer, tags=["Export"], response_class=Response,
    responses={**ERRORS, 200: {"description": "The file, with a Content-Disposition filename",
                               "content": {MEDIA_TYPES["docx"]: {}, "text/markdown": {}}}},
)
def api_export(body: ExportRequest) -> Response:
    """An answer or a whole conversation as a Word file (.docx) or Markdown, with every source and quote."""
    assert body.format in FORMATS
    data = render_export(body.as_turns(), body.format)
    name = suggested_filename(body.format, conversation=body.turns is not None)
    return Response(data, media_type=MEDIA_TYPES[body.format],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.api_route("/v1/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
@router.api_route("/api/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
def unknown_route(request: Request, rest: str) -> None:
    """Anything else under /v1 or /api is a 404 in the OpenAI shape (not the page's HTML 404)."""
    raise ApiError(404, f"There is no {request.method} {request.url.path} route; see /docs.", code="unknown_route")
