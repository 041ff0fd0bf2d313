"""An analyst never receives a name: every page and GET endpoint of the real app, called with real ids of
the generated city, is scanned for the planted persons' full names, CURPs and phone numbers.

The same crawl as an investigator *with* a stated purpose must find names on the person view — so the scan
is known to be able to see them.
"""

from __future__ import annotations

import csv
import re
import unicodedata

import pytest

from tests.webutil import authed_client, csrf
from traceability.warehouse import Warehouse

pytestmark = pytest.mark.slow


def _fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c)).upper()


def _get_routes(app) -> list[str]:
    paths = []

    def walk(routes):
        for r in routes:
            if hasattr(r, "original_router"):
                walk(r.original_router.routes)
            elif "GET" in (getattr(r, "methods", None) or ()):
                paths.append(r.path)

    walk(app.routes)
    return sorted(set(paths))


@pytest.fixture(scope="module")
def identities(city_dir, city_db):
    """Full names, CURPs and phones of the persons that have a mention in the warehouse."""
    with Warehouse(city_db, read_only=True) as wh:
        used = {r[0] for r in wh.query("SELECT DISTINCT curp FROM person_mention WHERE curp IS NOT NULL")}
    needles = set()
    with open(city_dir / "truth" / "persons.csv", encoding="utf-8") as f:
        for p in csv.DictReader(f):
            if p["is_legal_person"] == "1":
                continue
            full = _fold(f"{p['given_names']} {p['surname_1']}")
            if len(full) > 8:
                needles.add(full)
            if p["curp"] and p["curp"] in used:
                needles.add(p["curp"])
    return needles


def _samples(db) -> dict[str, list[str]]:
    with Warehouse(db, read_only=True) as wh:
        person = [r[0] for r in wh.query(
            "SELECT person_id FROM person_membership GROUP BY 1 ORDER BY count(*) DESC LIMIT 3")]
        events = [r[0] for r in wh.query(
            "SELECT from_event FROM case_link WHERE kind = 'call_carpeta' LIMIT 2")] + \
            [r[0] for r in wh.query("SELECT event_id FROM event WHERE kind = 'carpeta_crime' LIMIT 1")]
        mentions = [r[0] for r in wh.query("SELECT mention_id FROM person_mention ORDER BY mention_id LIMIT 2")]
    return {"person": person, "event": events, "mention": mentions}


def _fill(path: str, s: dict) -> list[str]:
    names = re.findall(r"{([^}:]+)(?::[^}]*)?}", path)
    if not names:
        return [path]
    out = []
    for i in range(2):
        p = path
        for n in names:
            if "person" in n or n in ("key", "pid"):
                vals = s["person"]
            elif "event" in n or n in ("case", "chain"):
                vals = s["event"]
            elif n == "layer":
                vals = ["alcaldias", "cuadrantes"]
            elif "group" in n:
                vals = ["0", "1"]
            else:
                vals = ["1", "x"]
            p = re.sub(r"{" + n + r"(?::[^}]*)?}", str(vals[i % len(vals)]) if vals else "x", p)
        out.append(p)
    return out


def _crawl(client, db) -> dict[str, str]:
    s = _samples(db)
    bodies = {}
    for path in _get_routes(client.app):
        if path.startswith(("/static", "/api/docs", "/docs", "/api/openapi")) or path in ("/logout",):
            continue
        for p in _fill(path, s):
            r = client.get(p)
            if r.status_code < 500:
                bodies[p] = r.text
            else:
                raise AssertionError(f"{p} answered {r.status_code}")
    return bodies


def _leaks(bodies: dict[str, str], needles: set[str]) -> list[tuple[str, str]]:
    found = []
    for path, body in bodies.items():
        text = _fold(body)
        for n in needles:
            if n in text:
                found.append((path, n[:4] + "…"))
    return found


def test_analyst_never_receives_a_name(city_db, identities):
    client = authed_client(city_db, role="analyst", username="analista_scan")
    bodies = _crawl(client, city_db)
    assert len(bodies) > 15, "the crawl reached too few pages to mean anything"
    leaks = _leaks(bodies, identities)
    assert not leaks, f"names or CURPs reached an analyst: {leaks[:10]}"


def test_investigator_with_purpose_does_see_names(city_db, identities):
    client = authed_client(city_db, role="investigator", username="inv_scan", labels=("vaw", "minor", "financial",
                                                                                      "communications"))
    r = client.post("/purpose", data={"purpose": "Verificación de identidad en carpeta de prueba",
                                      "case_number": "CI-PRUEBA-1", "csrf_token": csrf(client, "/purpose")})
    assert r.status_code == 200
    s = _samples(city_db)
    bodies = {f"/persons/{p}": client.get(f"/persons/{p}").text for p in s["person"]}
    assert _leaks(bodies, identities), "the scan cannot see names even where they must appear"
