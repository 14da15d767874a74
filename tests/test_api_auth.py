"""Who may call the API: open on loopback with nothing configured, Bearer keys otherwise, and the keys never
show up in a log line, a response body, a repr or the OpenAPI page."""

from __future__ import annotations

import logging
import secrets

import httpx
import openai
import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from assistant.config import Settings
from tests._server import running, settings_with
from ui import api
from ui.auth import is_loopback, is_open, refusal_to_serve, require, role_for_key, role_for_user

KEY = "sk-ftzqa-viewer-" + secrets.token_hex(16)
ADMIN_KEY = "sk-ftzqa-admin-" + secrets.token_hex(16)
Q_CENTRE = "哪个片区提供了“全球中心仓”案例？"


# ---------------------------------------------------------------- the rule, as a table


@pytest.mark.parametrize("host,expected", [
    ("127.0.0.1", True), ("127.1.2.3", True), ("localhost", True), ("::1", True), ("[::1]", True),
    ("0.0.0.0", False), ("", False), ("::", False), ("192.168.1.10", False), ("example.org", False),
    ("localhost.example.org", False),
])
def test_is_loopback(host, expected):
    assert is_loopback(host) is expected


@pytest.mark.parametrize("kw,open_,refused", [
    ({}, True, False),                                       # the single-user desktop
    ({"keys": ["k"]}, False, False),                         # keys configured: needed even on loopback
    ({"auth": ["alice:pw"]}, False, False),                  # a login configured: the API needs keys
    ({"host": "0.0.0.0"}, False, True),                      # the network without any credential: no start
    ({"host": "0.0.0.0", "admins": ["alice"]}, False, True),  # admins name logins; they are no credential
    ({"host": "0.0.0.0", "keys": ["k"]}, False, False),
    ({"host": "0.0.0.0", "admin_keys": ["k"]}, False, False),
    ({"host": "0.0.0.0", "auth": ["alice:pw"]}, False, False),
])
def test_open_and_refused(kw, open_, refused):
    settings = settings_with(**kw)
    assert is_open(settings) is open_
    assert (refusal_to_serve(settings) is not None) is refused


def test_roles():
    settings = settings_with(keys=[KEY], admin_keys=[ADMIN_KEY], auth=["alice:pw", "bob:pw"], admins=["alice"])
    assert role_for_key(settings, KEY) == "viewer" and role_for_key(settings, ADMIN_KEY) == "admin"
    for wrong in (None, "", KEY[:-1], KEY + "x", KEY.upper(), " " + KEY):
        assert role_for_key(settings, wrong) is None
    assert role_for_user(settings, "alice") == "admin" and role_for_user(settings, "bob") == "viewer"
    assert role_for_user(settings, None) is None


def test_keys_from_the_environment_are_secret(monkeypatch):
    monkeypatch.setenv("FTZQA_UI__API_KEYS", f'["{KEY}"]')
    monkeypatch.setenv("FTZQA_UI__ADMIN_API_KEYS", f'["{ADMIN_KEY}"]')
    settings = Settings()
    assert role_for_key(settings, KEY) == "viewer" and role_for_key(settings, ADMIN_KEY) == "admin"
    for shown in (repr(settings), str(settings), repr(settings.ui), settings.model_dump_json()):
        assert KEY not in shown and ADMIN_KEY not in shown


def test_serve_refuses_the_network_without_credentials():
    from typer.testing import CliRunner

    from assistant.cli import app

    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "1"])
    assert result.exit_code == 2
    assert "Refusing to serve on 0.0.0.0" in result.output and "FTZQA_UI__API_KEYS" in result.output
    assert "Traceback" not in result.output


def test_admin_routes_need_an_admin_key():
    settings = settings_with(host="0.0.0.0", keys=[KEY], admin_keys=[ADMIN_KEY])
    app = FastAPI()
    app.state.settings = settings
    api.install_error_handlers(app)

    @app.get("/admin-only", dependencies=[Depends(require("admin"))])
    def admin_only():
        return {"ok": True}

    client = TestClient(app)
    assert client.get("/admin-only", headers={"Authorization": f"Bearer {ADMIN_KEY}"}).status_code == 200
    viewer = client.get("/admin-only", headers={"Authorization": f"Bearer {KEY}"})
    assert viewer.status_code == 403 and viewer.json()["error"]["type"] == "permission_error"
    assert client.get("/admin-only").status_code == 401
    with pytest.raises(ValueError):
        require("root")  # type: ignore[arg-type]


# ---------------------------------------------------------------- a served app with keys


@pytest.fixture(scope="module")
def locked_url(shipped_index):
    """The app with keys configured and a non-loopback host setting (it still binds 127.0.0.1 here)."""
    from assistant import service
    from ui.server import create_app

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FTZQA_LLM__BACKEND", "extractive")
        service.reset()
        settings = settings_with(host="0.0.0.0", keys=[KEY], admin_keys=[ADMIN_KEY])
        assert not is_open(settings) and refusal_to_serve(settings) is None
        with running(create_app(settings), log_level="debug") as url:
            yield url
    service.reset()


def test_keys_required_and_never_shown(locked_url, caplog):
    caplog.set_level(logging.DEBUG)  # every logger, the server's access log included
    bodies: list[str] = []

    def call(method, path, key=None, **kw):
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        resp = httpx.request(method, locked_url + path, headers=headers, timeout=60, **kw)
        bodies.append(resp.text)
        return resp

    chat = {"model": "ftzqa", "messages": [{"role": "user", "content": Q_CENTRE}]}
    # A wrong key differs from KEY in its last character (KEY[:-1] + "0" was KEY itself one run in sixteen).
    near_miss = KEY[:-1] + ("1" if KEY.endswith("0") else "0")
    for key in (None, near_miss, "Bearer", ADMIN_KEY[::-1]):
        for method, path, body in (("POST", "v1/chat/completions", chat), ("GET", "v1/models", None),
                                   ("POST", "api/answer", {"question": Q_CENTRE}), ("GET", "api/cases", None),
                                   ("POST", "api/export", {"format": "md"})):
            resp = call(method, path, key, json=body)
            assert resp.status_code == 401, (path, key is None)
            error = resp.json()["error"]
            assert error["type"] == "authentication_error" and error["code"] in ("missing_api_key", "invalid_api_key")
            assert resp.headers["www-authenticate"] == "Bearer"
    # basic auth or a key in the query string is no key
    assert call("GET", f"api/cases?api_key={KEY}").status_code == 401
    assert call("GET", "api/cases", auth=("user", KEY)).status_code == 401

    for key in (KEY, ADMIN_KEY):  # an admin key is valid wherever a viewer key is
        assert call("GET", "v1/models", key).json()["data"][0]["id"] == "ftzqa"
        answer = call("POST", "api/answer", key, json={"question": Q_CENTRE}).json()
        assert answer["citations"][0]["case_title"] == "“全球中心仓”"
        assert call("POST", "api/export", key, json={"answer": answer, "format": "md"}).status_code == 200
        assert call("GET", "api/cases", key).status_code == 200

    with openai.OpenAI(base_url=locked_url + "v1", api_key=KEY, max_retries=0) as client:
        completion = client.chat.completions.create(**chat)
        assert "[1]" in completion.choices[0].message.content
        bodies.append(completion.model_dump_json())
        streamed = list(client.chat.completions.create(**chat, stream=True))
        bodies.extend(c.model_dump_json() for c in streamed)
    with openai.OpenAI(base_url=locked_url + "v1", api_key="sk-wrong", max_retries=0) as client:
        with pytest.raises(openai.AuthenticationError) as err:
            client.chat.completions.create(**chat)
        bodies.append(str(err.value.body))

    for path in ("docs", "openapi.json", "", "config"):  # the docs and the page are not behind the keys
        call("GET", path)
    assert "HTTPBearer" in bodies[-3]

    assert len(bodies) >= 40
    for body in bodies:
        assert KEY not in body and ADMIN_KEY not in body
        assert KEY[:16 + 8] not in body  # not even a recognisable part
    # The server's records (uvicorn's access log included); httpx/httpcore/openai are this test's own clients,
    # which log the URLs they were given (one of them carries the key in its query string on purpose).
    server = [r for r in caplog.records if r.name.split(".")[0] not in ("httpx", "httpcore", "openai")]
    logged = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in server)
    assert "/api/cases" in logged and "uvicorn.access" in {r.name for r in server}, "no access log captured"
    assert KEY not in logged and ADMIN_KEY not in logged
