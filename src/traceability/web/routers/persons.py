"""Persons: search, the 360° view (every record of every agency on one timeline), and the explanation of
any link (the match-weight waterfall).

Persons appear by pseudonym (`governance.pseudonyms.pseudonym`) unless the user sees identities; only then
can one search by name, and only then are names shown. A record whose sensitivity labels the user does not
hold is shown as restricted (its source and date, no detail).
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from ...errors import TraceabilityError
from ...governance.pseudonyms import pseudonym
from ...governance.roles import may_see
from ...linkage.explain import explain, weakest_link
from ..deps import UserDep, WarehouseDep
from ..render import page

router = APIRouter()
NAV = [(20, "/persons", "nav.persons")]
MAX_RESULTS = 50


def _sees(user) -> bool:
    return bool(getattr(user, "sees_identities", False))


def _labels(user) -> set:
    return set(getattr(user, "labels", set()) or set())


def _pseudonym_index(request: Request, wh) -> dict[str, str]:
    """pseudonym -> person_id, cached per data version (HMACs of every person id)."""
    version = wh.data_version()
    cache = getattr(request.app.state, "person_pseudonyms", None)
    if cache and cache[0] == version:
        return cache[1]
    secret = request.app.state.settings.secret
    index = {pseudonym(pid, secret): pid for (pid,) in wh.query("SELECT person_id FROM person")}
    request.app.state.person_pseudonyms = (version, index)
    return index


def resolve_key(request: Request, wh, key: str) -> str | None:
    """A person_id from a person_id or a pseudonym."""
    key = (key or "").strip()
    if not key:
        return None
    if wh.scalar("SELECT count(*) FROM person WHERE person_id = ?", [key]):
        return key
    return _pseudonym_index(request, wh).get(key.upper())


def _person_row(request: Request, user, r: dict) -> dict:
    secret = request.app.state.settings.secret
    out = {"pseudonym": pseudonym(r["person_id"], secret), "n_mentions": r["n_mentions"],
           "first_seen": r["first_seen"], "last_seen": r["last_seen"], "sources": r.get("sources")}
    out["key"] = out["pseudonym"]
    if _sees(user):
        out["person_id"] = r["person_id"]
        out["name"] = r.get("name")
    return out


def search_persons(request: Request, wh, user, q: str | None) -> dict:
    q = (q or "").strip()
    base = ("SELECT p.person_id, p.n_mentions, p.first_seen, p.last_seen, "
            "string_agg(DISTINCT m.source, ', ' ORDER BY m.source) AS sources, "
            "any_value(concat_ws(' ', m.given_names, m.surname_1, m.surname_2)) AS name "
            "FROM person p JOIN person_membership pm USING (person_id) JOIN person_mention m USING (mention_id) ")
    mode = "top"
    if not q:
        rows = wh.query_dicts(base + "GROUP BY ALL ORDER BY p.n_mentions DESC, p.person_id LIMIT ?", [MAX_RESULTS])
    else:
        pid = resolve_key(request, wh, q)
        if pid:
            mode = "id"
            rows = wh.query_dicts(base + "WHERE p.person_id = ? GROUP BY ALL", [pid])
        elif _sees(user):
            mode = "name"
            like = "%" + "%".join(q.upper().split()) + "%"
            rows = wh.query_dicts(
                base + "WHERE p.person_id IN (SELECT pm2.person_id FROM person_membership pm2 JOIN person_mention m2 "
                "USING (mention_id) WHERE concat_ws(' ', m2.given_names, m2.surname_1, m2.surname_2) LIKE ? "
                "OR m2.alias LIKE ?) GROUP BY ALL ORDER BY p.n_mentions DESC LIMIT ?", [like, like, MAX_RESULTS])
        else:
            mode = "none"
            rows = []
    return {"q": q, "mode": mode, "identities": _sees(user),
            "persons": [_person_row(request, user, r) for r in rows],
            "n_persons": int(wh.scalar("SELECT count(*) FROM person") or 0)}


def person_view(request: Request, wh, user, key: str) -> dict:
    pid = resolve_key(request, wh, key)
    if pid is None:
        raise HTTPException(404, "no person with that id or pseudonym: search on /persons")
    sees, labels = _sees(user), _labels(user)
    p = wh.query_dicts("SELECT * FROM person WHERE person_id = ?", [pid])[0]
    recs = wh.query_dicts(
        "SELECT m.mention_id, m.source, m.source_key, m.role, m.event_date, e.occurred_at, e.kind, e.crime, "
        "e.alcaldia, pm.match_probability, m.sensitivity, e.sensitivity AS event_sensitivity, m.given_names, "
        "m.surname_1, m.surname_2, m.alias, m.sex, m.age, m.birth_date "
        "FROM person_membership pm JOIN person_mention m USING (mention_id) LEFT JOIN event e USING (event_id) "
        "WHERE pm.person_id = ? ORDER BY coalesce(e.occurred_at, m.event_date), m.mention_id", [pid])
    records = []
    for r in recs:
        visible = may_see(labels, r["sensitivity"]) and may_see(labels, r["event_sensitivity"])
        item = {"mention_id": r["mention_id"], "source": r["source"], "role": r["role"],
                "date": r["occurred_at"] or r["event_date"], "match_probability": r["match_probability"],
                "restricted": not visible}
        if visible:
            item.update({"source_key": r["source_key"], "kind": r["kind"], "crime": r["crime"],
                         "alcaldia": r["alcaldia"], "age": r["age"], "sex": r["sex"]})
            if sees:
                item.update({"name": " ".join(x for x in (r["given_names"], r["surname_1"], r["surname_2"]) if x),
                             "alias": r["alias"], "birth_date": r["birth_date"]})
        records.append(item)
    weak = weakest_link(wh, pid)
    history = wh.query_dicts("SELECT run_id, changed_at, change, other_person_id FROM person_history "
                             "WHERE person_id = ? OR other_person_id = ? ORDER BY changed_at", [pid, pid])
    secret = request.app.state.settings.secret
    for h in history:
        other = h.pop("other_person_id")
        h["other"] = (other if sees else pseudonym(other, secret)) if other else None
    out = {"pseudonym": pseudonym(pid, secret), "n_mentions": p["n_mentions"], "first_seen": p["first_seen"],
           "last_seen": p["last_seen"], "records": records, "weakest_link": weak, "history": history,
           "identities": sees}
    if sees:
        out["person_id"] = pid
        try:
            from ...governance import audit

            audit.append(request.app.state.state_engine, user.username, "person_view", target=pid,
                         purpose=getattr(user, "purpose", None), case_number=getattr(user, "case_number", None))
        except Exception:  # the audit store is governance's; a missing one must not hide the page
            pass
    return out


@router.get("/persons")
def persons_page(request: Request, wh: WarehouseDep, user: UserDep):
    return page(request, "persons.html", data=search_persons(request, wh, user, request.query_params.get("q")))


@router.get("/api/persons")
def persons_api(request: Request, wh: WarehouseDep, user: UserDep, q: str | None = None) -> dict:
    return search_persons(request, wh, user, q)


@router.get("/api/persons/explain")
def explain_api(a: str, b: str, wh: WarehouseDep, user: UserDep) -> dict:
    try:
        return explain(wh, a, b)
    except TraceabilityError as e:
        raise HTTPException(404, str(e)) from None


@router.get("/api/persons/{key}")
def person_api(key: str, request: Request, wh: WarehouseDep, user: UserDep) -> dict:
    return person_view(request, wh, user, key)


@router.get("/persons/{key}")
def person_page(key: str, request: Request, wh: WarehouseDep, user: UserDep):
    return page(request, "person.html", data=person_view(request, wh, user, key))
