"""Server-side rendering: one Jinja2 environment, autoescaped."""

from __future__ import annotations

from functools import lru_cache
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


@lru_cache(maxsize=2)
def crime_options(lang: str = "es") -> list[tuple[str, str]]:
    """(canonical code, label) for the filter bar's crime list: each code by its name, then every agency label
    that maps to it, so an analyst can type the prosecutor's or the 911's wording and get the code."""
    import csv

    from .. import taxonomy

    codes = taxonomy._codes()
    out = [(c, r["name_es"] if lang == "es" else r["name_en"]) for c, r in codes.items()]
    seen = set()
    for f in sorted(taxonomy.DATA.glob("labels_*.csv")):
        with open(f, encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                code, label = (r.get("code") or "").strip(), (r.get("label") or "").strip()
                if code in codes and label and (code, label.upper()) not in seen:
                    seen.add((code, label.upper()))
                    out.append((code, label))
    return out


templates.globals["crime_options"] = crime_options


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
