"""Who may call the HTTP API: one FastAPI dependency, `require(role)`, with role "viewer" or "admin".

The rule (the same for the page and the API):
- bound to a loopback address with no login and no API key configured → everything is open (a single-user
  desktop: nobody else can reach the port);
- otherwise every API route needs `Authorization: Bearer <key>`. A key from `ui.api_keys` is a viewer, a key
  from `ui.admin_api_keys` an admin; admins may call viewer routes too. Logins (`ui.auth`) are for the page,
  where users listed in `ui.admins` are admins; without a login configured the page user is an admin only on
  loopback, so off loopback uploading and removing documents always takes a credential.

Keys are compared with hmac.compare_digest against every configured key, so the time taken says nothing
about how much of a key was right. They never appear in a log line, an error body or the OpenAPI page:
the settings hold them as SecretStr and the only messages written here are fixed sentences.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import SecretStr

from assistant.config import Settings

log = logging.getLogger(__name__)

Role = Literal["viewer", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "admin")
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}
MISSING_KEY = "An API key is required: send 'Authorization: Bearer <key>'. / 需要 API 密钥。"
BAD_KEY = "The API key is not valid. / API 密钥无效。"
FORBIDDEN = "This API key does not have the admin role. / 此密钥没有管理员权限。"
REFUSE_OPEN = ("Refusing to serve on {host} without credentials: anyone who can reach that address could use "
               "the assistant. Configure a login (FTZQA_UI__AUTH='[\"user:password\"]') or API keys "
               "(FTZQA_UI__API_KEYS='[\"<key>\"]'), or bind to 127.0.0.1.")
REFUSE_ADMIN_OPEN = ("Refusing to serve on {host}: uploading and removing documents would be open to anyone. Configure "
                     "an admin login (FTZQA_UI__AUTH and FTZQA_UI__ADMINS) or admin API keys "
                     "(FTZQA_UI__ADMIN_API_KEYS), or bind to 127.0.0.1.")

# auto_error=False: a missing header is our 401 in the OpenAI error shape, not FastAPI's 403.
# The scheme still appears in /docs, so its "Authorize" button sends the header.
_bearer = HTTPBearer(auto_error=False, description="An API key from FTZQA_UI__API_KEYS or FTZQA_UI__ADMIN_API_KEYS")


def is_loopback(host: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and the usual names for them; 0.0.0.0 and '' mean every interface."""
    name = (host or "").strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def has_credentials(settings: Settings) -> bool:
    """Is any login or API key configured?"""
    ui = settings.ui
    return bool(ui.auth or ui.api_keys or ui.admin_api_keys)


def is_open(settings: Settings) -> bool:
    """Everything open: bound to loopback with nothing configured."""
    return is_loopback(settings.ui.host) and not has_credentials(settings)


def page_role(settings: Settings, username: str | None) -> Role | None:
    """The role of someone using the page: a login's role (ui.admins), or without a login configured the
    desktop user on loopback (admin) and anyone off loopback (viewer: document management needs a login)."""
    if username:
        return role_for_user(settings, username)
    if settings.ui.auth:
        return None  # the page requires a login; no user name means no session
    return "admin" if is_loopback(settings.ui.host) else "viewer"


def admin_routes_open(settings: Settings) -> bool:
    """Could anyone reach an admin action (upload, remove) without a credential?"""
    return is_open(settings) or page_role(settings, None) == "admin"


def has_admin(settings: Settings) -> bool:
    """Is any admin credential configured (an admin key, or a login listed in ui.admins)?"""
    logins = {str(entry).partition(":")[0] for entry in settings.ui.auth}
    return bool(settings.ui.admin_api_keys) or any(name in logins for name in settings.ui.admins)


def refusal_to_serve(settings: Settings) -> str | None:
    """Why `serve` must not start with these settings, or None: off loopback without any credential, or with
    admin actions (upload, remove) reachable without one."""
    if is_loopback(settings.ui.host):
        return None
    if not has_credentials(settings):
        return REFUSE_OPEN.format(host=settings.ui.host or "every interface")
    if admin_routes_open(settings):  # defence in depth: the rules above never leave them open off loopback
        return REFUSE_ADMIN_OPEN.format(host=settings.ui.host or "every interface")
    return None


def _matches(given: str, keys: list[SecretStr]) -> bool:
    # Every key is compared (no early exit), each in constant time for its length.
    presented = given.encode("utf-8")
    found = False
    for key in keys:
        found |= hmac.compare_digest(presented, key.get_secret_value().encode("utf-8"))
    return found


def role_for_key(settings: Settings, key: str | None) -> Role | None:
    """The role an API key grants, or None for no key or an unknown one."""
    if not key:
        return None
    if _matches(key, settings.ui.admin_api_keys):
        return "admin"
    if _matches(key, settings.ui.api_keys):
        return "viewer"
    return None


def role_for_user(settings: Settings, username: str | None) -> Role | None:
    """The role of a page login (gr.Request.username): admin when listed in ui.admins."""
    if not username:
        return None
    return "admin" if username in settings.ui.admins else "viewer"


def allows(granted: Role | None, wanted: Role) -> bool:
    """An admin may do what a viewer may; a viewer only viewer things."""
    if granted is None:
        return False
    return ROLES.index(granted) >= ROLES.index(wanted)


class AuthError(HTTPException):
    """401/403 with a fixed message; ui.api renders it in the OpenAI error shape."""

    def __init__(self, status_code: int, message: str, code: str):
        headers = {"WWW-Authenticate": "Bearer"} if status_code == 401 else None
        super().__init__(status_code=status_code, detail=message, headers=headers)
        self.code = code


def settings_of(request: Request) -> Settings:
    """The settings the app was created with (ui.server.create_app stores them on app.state)."""
    return request.app.state.settings


def require(role: Role):
    """A FastAPI dependency: the request may go on when the app is open or its Bearer key has `role`."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")

    def dependency(request: Request,
                   credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Role:
        settings = settings_of(request)
        if is_open(settings):
            return "admin"  # the single-user desktop may do everything
        if credentials is None or not credentials.credentials:
            raise AuthError(401, MISSING_KEY, "missing_api_key")
        granted = role_for_key(settings, credentials.credentials)
        if granted is None:
            log.info("API request with an unknown key refused (%s %s)", request.method, request.url.path)
            raise AuthError(401, BAD_KEY, "invalid_api_key")
        if not allows(granted, role):
            raise AuthError(403, FORBIDDEN, "insufficient_role")
        return granted

    dependency.__name__ = f"require_{role}"
    return dependency
