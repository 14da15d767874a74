"""Who may manage documents: viewers list, admins also upload and remove; off loopback that always takes a
credential (an admin API key, or a login listed in ui.admins), on the page as over HTTP, and `serve` refuses an
address where admin actions would be open."""

from __future__ import annotations

import secrets

import gradio as gr
import httpx
import pytest

from tests import _documents as d
from tests._server import running, settings_with
from ui.auth import admin_routes_open, has_admin, page_role, refusal_to_serve

KEY = "sk-ftzqa-viewer-" + secrets.token_hex(16)
ADMIN_KEY = "sk-ftzqa-admin-" + secrets.token_hex(16)


@pytest.mark.parametrize("kw,user,role", [
    ({}, None, "admin"),                                                    # the desktop: everything open
    ({"keys": ["k"]}, None, "admin"),                                       # loopback, keys for a local client
    ({"host": "0.0.0.0", "keys": ["k"]}, None, "viewer"),                   # keys but no login: page users view
    ({"host": "0.0.0.0", "admin_keys": ["k"]}, None, "viewer"),
    ({"host": "0.0.0.0", "auth": ["alice:pw", "bob:pw"], "admins": ["alice"]}, "alice", "admin"),
    ({"host": "0.0.0.0", "auth": ["alice:pw", "bob:pw"], "admins": ["alice"]}, "bob", "viewer"),
    ({"auth": ["alice:pw"]}, None, None),                                   # a login is required: no session
    ({"auth": ["bob:pw"]}, "bob", "viewer"),                                # a login not in ui.admins, even locally
])
def test_page_role(kw, user, role):
    assert page_role(settings_with(**kw), user) == role


@pytest.mark.parametrize("kw,refused,admin", [
    ({"host": "0.0.0.0"}, True, False),                                     # nothing configured off loopback
    ({"host": "192.168.1.10", "admins": ["alice"]}, True, False),           # an admin name is no credential
    ({"host": "0.0.0.0", "keys": ["k"]}, False, False),                     # serves; nobody may upload
    ({"host": "0.0.0.0", "admin_keys": ["k"]}, False, True),
    ({"host": "0.0.0.0", "auth": ["alice:pw"], "admins": ["alice"]}, False, True),
    ({"host": "0.0.0.0", "auth": ["alice:pw"], "admins": ["bob"]}, False, False),  # bob has no login
    ({}, False, False),                                                     # loopback: the desktop
])
def test_serve_refuses_when_admin_actions_would_be_open(kw, refused, admin):
    settings = settings_with(**kw)
    assert (refusal_to_serve(settings) is not None) is refused
    assert has_admin(settings) is admin
    if settings.ui.host != "127.0.0.1":
        assert not admin_routes_open(settings)


@pytest.fixture(scope="module")
def homes(copy_of_shipped_index):
    return copy_of_shipped_index("documents-roles")


@pytest.fixture(scope="module")
def locked(homes):
    """The app as if bound to 0.0.0.0 with viewer and admin keys (it listens on 127.0.0.1 here)."""
    from assistant import service
    from ui.server import create_app

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FTZQA_HOME", str(homes))
        mp.setenv("FTZQA_LLM__BACKEND", "extractive")
        service.reset()
        settings = settings_with(host="0.0.0.0", keys=[KEY], admin_keys=[ADMIN_KEY])
        assert refusal_to_serve(settings) is None
        with running(create_app(settings)) as url:
            yield url
    service.reset()


def _call(method: str, url: str, key: str | None = None, **kw) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.request(method, url, headers=headers, timeout=60, **kw)


def test_admin_routes_need_an_admin_key_off_loopback(locked, homes):
    text = "角色测试文件：本文件只用于检查谁可以上传和删除资料，内容足够长。".encode()
    files = {"file": ("roles.txt", text, "text/plain")}
    listing = _call("GET", locked + "api/documents", KEY)
    assert listing.status_code == 200 and any(r["source"] == "corpus" for r in listing.json())  # viewers list
    for key, status in ((None, 401), ("sk-wrong", 401), (KEY, 403)):
        up = _call("POST", locked + "api/documents", key, files=files)
        assert up.status_code == status, up.text
        assert up.json()["error"]["type"] in ("authentication_error", "permission_error")
        gone = _call("DELETE", locked + "api/documents/roles.txt", key)
        assert gone.status_code == status
        assert _call("GET", locked + "api/documents", None).status_code == 401
    assert not (homes / "documents" / "roles.txt").exists() and not (homes / "incoming").exists()

    up = _call("POST", locked + "api/documents", ADMIN_KEY, files=files)
    assert up.status_code == 202 and up.json()["name"] == "roles.txt"
    assert d.wait_for(locked, "roles.txt", {"ready", "failed"}, key=KEY)["status"] == "ready"
    assert _call("DELETE", locked + "api/documents/roles.txt", KEY).status_code == 403
    assert _call("DELETE", locked + "api/documents/roles.txt", ADMIN_KEY).status_code == 202
    assert d.wait_for(locked, "roles.txt", None, key=ADMIN_KEY) is None


def test_open_settings_off_loopback_still_refuse_admin_routes(homes):
    """Even an app built with no credential for a non-loopback address (serve would refuse) keeps them shut."""
    from assistant import service
    from ui.server import create_app

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FTZQA_HOME", str(homes))
        service.reset()
        with running(create_app(settings_with(host="0.0.0.0"))) as url:
            assert _call("POST", url + "api/documents", files={"file": ("x.txt", b"x" * 50)}).status_code == 401
            assert _call("DELETE", url + "api/documents/x.txt").status_code == 401
    service.reset()


def _handler(demo: gr.Blocks, name: str):
    found = [f.fn for f in demo.fns.values() if getattr(f.fn, "__name__", "") == name]
    assert len(found) == 1, name
    return found[0]


def test_page_handlers_check_the_role_on_the_server(homes, tmp_path):
    """A viewer's session calling the hidden upload and remove handlers is refused, and nothing changes."""
    from assistant import service
    from ui.app import build_app

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FTZQA_HOME", str(homes))
        service.reset()
        settings = settings_with(host="0.0.0.0", auth=["alice:pw", "bob:pw"], admins=["alice"])
        demo = build_app(settings)
        upload, remove = _handler(demo, "upload"), _handler(demo, "do_removal")
        path = tmp_path / "viewer.txt"
        path.write_text("查看者不能上传的文件，内容足够长以便读取。", encoding="utf-8")
        before = sorted(p.name for p in homes.rglob("*") if "index" not in p.parts)

        status, *_ = upload([str(path)], gr.Request(username="bob"))
        assert "Only admins" in status
        _, status, *_ = remove("001_2adf76dceb53e4a4.txt", gr.Request(username="bob"))
        assert "Only admins" in status
        status, *_ = upload([str(path)], gr.Request(username=None))  # no session at all
        assert "Only admins" in status
        assert sorted(p.name for p in homes.rglob("*") if "index" not in p.parts) == before

        _, status, *_ = remove("001_2adf76dceb53e4a4.txt", gr.Request(username="alice"))  # an admin, read-only file
        assert "cannot be removed" in status
    service.reset()
