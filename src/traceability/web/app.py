"""The web app factory. Each area is a router module in `web/routers/`, discovered at start-up.

A router module exposes `router` (an APIRouter) and optionally `NAV`, a list of
`(order, path, message_key)` for the navigation bar, and `PUBLIC = True` when its routes need no login.
Every other router is mounted behind the login dependency (authenticated by default).
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from .deps import require_user
from .i18n import Translator
from .render import templates

STATIC_DIR = Path(__file__).parent / "static"


class NotAuthenticated(Exception):
    pass


def create_app(db_path: str | Path, settings=None) -> FastAPI:
    from ..config import Settings

    settings = settings or Settings.from_env(Path(db_path))
    app = FastAPI(title="Traceability", version=__version__, docs_url="/api/docs", redoc_url=None,
                  openapi_url="/api/openapi.json")
    app.state.db_path = Path(db_path)
    app.state.settings = settings
    app.state.nav = []
    from ..governance.state import engine_for

    app.state.state_engine = engine_for(db_path)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    from . import routers as routers_pkg

    for mod in sorted(pkgutil.iter_modules(routers_pkg.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{routers_pkg.__name__}.{mod.name}")
        router = getattr(module, "router", None)
        if router is None:
            continue
        if getattr(module, "PUBLIC", False):
            app.include_router(router)
        else:
            app.include_router(router, dependencies=[Depends(require_user)])
        app.state.nav.extend(getattr(module, "NAV", []))
    app.state.nav.sort()

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        h = response.headers
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("Content-Security-Policy",
                     "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                     "script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:; worker-src 'self' blob:; "
                     "connect-src 'self'; frame-ancestors 'none'")
        h.setdefault("Cache-Control", "no-store" if not request.url.path.startswith("/static") else "max-age=3600")
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 401 and not request.url.path.startswith("/api/"):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                                headers=getattr(exc, "headers", None))
        t = Translator.for_request(request)
        return HTMLResponse(templates.get_template("error.html").render(
            request=request, t=t, status=exc.status_code, detail=str(exc.detail), nav=[], user=None,
            lang=t.lang, url_with=lambda **kw: request.url.path), status_code=exc.status_code)

    return app
