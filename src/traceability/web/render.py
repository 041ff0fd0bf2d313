"""Server-side rendering: one Jinja2 environment, autoescaped."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from .i18n import Translator

templates = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                        autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


def _url_with(request: Request, **changes) -> str:
    params = dict(request.query_params)
    for k, v in changes.items():
        if v is None:
            params.pop(k, None)
        else:
            params[k] = v
    from urllib.parse import urlencode

    q = urlencode(params)
    return request.url.path + (f"?{q}" if q else "")


# Pages that only some roles may open; the navigation hides them from the others.
RESTRICTED_NAV = {"/audit": {"auditor", "admin"}, "/admin/users": {"admin"}}


def visible_nav(nav, user) -> list:
    if user is None:
        return []
    return [n for n in nav if user.role in RESTRICTED_NAV.get(n[1], {user.role})]


def page(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    """Render a page with the layout's context (translator, navigation, user, language switch)."""
    t = Translator.for_request(request)
    ctx = {
        "request": request,
        "t": t,
        "lang": t.lang,
        "nav": visible_nav(request.app.state.nav, getattr(request.state, "user", None)),
        "user": getattr(request.state, "user", None),
        "url_with": lambda **kw: _url_with(request, **kw),
    }
    ctx.update(context)
    resp = HTMLResponse(templates.get_template(template).render(**ctx), status_code=status_code)
    if request.query_params.get("lang") in ("es", "en"):
        resp.set_cookie("lang", t.lang, samesite="lax", httponly=True)
    return resp
