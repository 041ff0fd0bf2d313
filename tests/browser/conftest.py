"""Playwright harness: the real app served on 127.0.0.1 and driven in headless Debian Chromium.

Every page test gets `page` (a fresh page whose requests are recorded) and `live` (a server factory:
`live(db_path) -> base_url`). After each test, no request may have left 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = os.environ.get("TRACEABILITY_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, app):
        import uvicorn

        self.port = _free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.time() + 20
        while not self.server.started:
            if time.time() > deadline:
                raise RuntimeError("live server did not start")
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def live(page):
    """live(db_path, role="analyst", login=True) -> base URL of the app served on 127.0.0.1.

    Unless login=False, a user of that role is created and the page's browser context is signed in.
    """
    stack = []

    def start(db_path, role: str = "analyst", login: bool = True, labels=(), username: str | None = None):
        from tests.webutil import add_user, session_token
        from traceability.web.app import create_app

        app = create_app(db_path)
        srv = LiveServer(app)
        url = srv.__enter__()
        stack.append(srv)
        if login:
            username = username or role
            add_user(Path(db_path), username, role, labels)
            page.context.add_cookies([{"name": "tr_session", "value": session_token(Path(db_path), username),
                                       "url": url}])
        return url

    yield start
    for srv in reversed(stack):
        srv.__exit__(None, None, None)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="es-MX")
    pg = context.new_page()
    pg.requests_seen = []
    pg.console_errors = []
    pg.on("request", lambda r: pg.requests_seen.append(r.url))
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))
    yield pg
    outside = [u for u in pg.requests_seen
               if urlparse(u).scheme in ("http", "https", "ws", "wss") and urlparse(u).hostname != "127.0.0.1"]
    context.close()
    assert not outside, f"requests left 127.0.0.1: {outside[:5]}"
    assert not pg.console_errors, f"JavaScript errors: {pg.console_errors[:3]}"
