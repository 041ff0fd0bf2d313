"""Criminal organizations: groups from the association network, the network of a group or of a person's
neighbourhood (ECharts force graph), key players, brokers, and a focused-deterrence call-in list.

Governance: persons (and phone numbers) appear by pseudonym unless the user sees identities; an edge whose
records carry a label the user does not hold is left out of the computation and of the drawing, and the
page says how many exist and whom to ask."""

from __future__ import annotations

import csv
import io
import threading
from collections import OrderedDict

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from ...analysis import store
from ...analysis.networks import (
    DEFAULT_PARAMS,
    RESULT_NAME,
    Networks,
    compute,
    load_edges,
    parse_kinds,
    visible,
)
from ...governance.pseudonyms import pseudonym
from ...governance.roles import LABEL_STEWARDS, LABELS
from ...linkage.associations import KINDS
from ..deps import UserDep, WarehouseDep
from ..filters import ALCALDIAS, Filters
from ..render import page

router = APIRouter()
NAV = [(80, "/networks", "nav.networks")]

_CACHE: OrderedDict = OrderedDict()
_LOCK = threading.Lock()
MAX_GRAPH_NODES = 400


def _labels(user) -> list | None:
    held = sorted(set(user.labels or ()) & set(LABELS))
    return None if set(held) == set(LABELS) else held


def _params(request: Request, user) -> dict:
    f = Filters.from_request(request)
    q = request.query_params
    try:
        kinds = parse_kinds(q.getlist("kinds") if len(q.getlist("kinds")) > 1 else q.get("kinds"))
    except ValueError as e:
        raise HTTPException(422, str(e)) from None
    try:
        resolution = float(q.get("resolution") or DEFAULT_PARAMS["resolution"])
        seed = int(q.get("seed") or DEFAULT_PARAMS["seed"])
    except ValueError:
        raise HTTPException(422, "resolution must be a number and seed a whole number") from None
    if not 0 < resolution <= 50:
        raise HTTPException(422, "resolution must be above 0 and at most 50")
    return {**DEFAULT_PARAMS, "date_from": f.date_from.isoformat() if f.date_from else None,
            "date_to": f.date_to.isoformat() if f.date_to else None, "kinds": kinds, "resolution": resolution,
            "seed": seed, "labels": _labels(user)}


def result_for(request: Request, wh, user) -> tuple[dict, dict]:
    """(result dict, params): stored if current, else computed and kept for this process."""
    params = _params(request, user)
    stored = store.load(wh, RESULT_NAME, params)
    if stored is not None:
        return stored, params
    key = (str(request.app.state.db_path), wh.data_version(), store.params_hash(params))
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key], params
    d = compute(wh, params) if wh.scalar("SELECT count(*) FROM association") else Networks.from_edges(
        load_edges(wh)).to_dict()
    with _LOCK:
        _CACHE[key] = d
        while len(_CACHE) > 16:
            _CACHE.popitem(last=False)
    return d, params


class Namer:
    """Public ids and labels: pseudonyms for persons and phones unless the user sees identities."""

    def __init__(self, request: Request, user):
        self.secret = request.app.state.settings.secret
        self.identities = bool(user is not None and user.sees_identities)

    def label(self, node: str) -> str:
        if self.identities:
            return node
        p = pseudonym(node, self.secret)
        return "TEL-" + p[2:] if node.startswith("phone:") else p

    def id(self, node: str) -> str:
        """Person ids stay (they open /persons/{id}); a phone number is replaced by its pseudonym."""
        if node.startswith("phone:") and not self.identities:
            return "phone:" + self.label(node)
        return node

    def href(self, node: str) -> str | None:
        return None if node.startswith("phone:") else f"/persons/{node}"


def _public(request: Request, user, d: dict) -> dict:
    n = Namer(request, user)

    def node_row(r: dict) -> dict:
        return {**r, "node_id": n.id(r["node_id"]), "label": n.label(r["node_id"]), "href": n.href(r["node_id"])}

    out = {k: v for k, v in d.items() if k not in ("groups", "key_players", "brokers")}
    out["groups"] = [{**g, "members": [n.id(m) for m in g["members"]],
                      "member_labels": [n.label(m) for m in g["members"]],
                      "records": [{**r, "person_id": n.id(r["person_id"]), "label": n.label(r["person_id"])}
                                  for r in g["records"]],
                      "key_players": [node_row(k) for k in g["key_players"]]} for g in d["groups"]]
    out["key_players"] = [node_row(k) for k in d["key_players"]]
    out["brokers"] = [node_row(k) for k in d["brokers"]]
    out["identities"] = n.identities
    out["stewards"] = {lab: LABEL_STEWARDS.get(lab) for lab in d.get("hidden_edges", {})}
    return out


def _real_id(d: dict, request: Request, user, public_id: str) -> str | None:
    """Back from a public node id to the node (phones were pseudonymized)."""
    if not public_id.startswith("phone:") or (user is not None and user.sees_identities):
        return public_id
    n = Namer(request, user)
    for g in d["groups"]:
        for m in g["members"]:
            if m.startswith("phone:") and n.id(m) == public_id:
                return m
    return None


def graph_view(request: Request, wh, user, group: str | None = None, person: str | None = None) -> dict:
    """Nodes and edges of one group, or of a person's neighbourhood (the person, its neighbours, the ties
    among them), with the window, kinds and labels of the request."""
    d, params = result_for(request, wh, user)
    n = Namer(request, user)
    node_group = {m: g["group_id"] for g in d["groups"] for m in g["members"]}
    edges = load_edges(wh, params["date_from"], params["date_to"], params["kinds"])
    edges, hidden = visible(edges, params["labels"])
    if group:
        g = next((g for g in d["groups"] if g["group_id"] == group), None)
        if g is None:
            raise HTTPException(404, f"no group {group} with these filters")
        keep = set(g["members"])
        e = edges[edges["node_a"].isin(keep) & edges["node_b"].isin(keep)]
        center = None
    else:
        center = _real_id(d, request, user, person or "")
        if not center:
            raise HTTPException(404, "no such node in the network")
        touch = edges[(edges["node_a"] == center) | (edges["node_b"] == center)]
        keep = set(touch["node_a"]) | set(touch["node_b"]) | {center}
        if len(keep) > MAX_GRAPH_NODES:
            keep = set(sorted(keep)[:MAX_GRAPH_NODES]) | {center}
        e = edges[edges["node_a"].isin(keep) & edges["node_b"].isin(keep)]
    all_hidden = {}
    if params["labels"] is not None:
        # hidden ties that touch the nodes drawn: the notice counts them without showing them
        full = load_edges(wh, params["date_from"], params["date_to"], params["kinds"])
        touch_hidden = full[full["node_a"].isin(keep) | full["node_b"].isin(keep)]
        _, all_hidden = visible(touch_hidden, params["labels"])
    del hidden
    deg = {}
    for a, b in zip(e["node_a"], e["node_b"], strict=True):
        deg[a] = deg.get(a, 0) + 1
        deg[b] = deg.get(b, 0) + 1
    nodes = [{"id": n.id(x), "label": n.label(x), "kind": "phone" if x.startswith("phone:") else "person",
              "group_id": node_group.get(x), "href": n.href(x), "ties": deg.get(x, 0), "center": x == center}
             for x in sorted(keep)]
    links = [{"source": n.id(r.node_a), "target": n.id(r.node_b), "kind": r.kind, "n": int(r.n),
              "first_date": _day(r.first_date), "last_date": _day(r.last_date)}
             for r in e.itertuples(index=False)]
    return {"group": group, "person": n.id(center) if center else None, "nodes": nodes, "edges": links,
            "hidden_edges": all_hidden, "stewards": {lab: LABEL_STEWARDS.get(lab) for lab in all_hidden},
            "params": params}


def _day(v) -> str | None:
    import pandas as pd

    return None if v is None or pd.isna(v) else pd.Timestamp(v).date().isoformat()


@router.get("/networks")
def networks_page(request: Request, wh: WarehouseDep, user: UserDep):
    filters = Filters.from_request(request)
    d, params = result_for(request, wh, user)
    pub = _public(request, user, d)
    q = request.query_params
    person = q.get("person") or None
    group = q.get("group") or (pub["groups"][0]["group_id"] if pub["groups"] and not person else None)
    if person:
        from ...governance import audit

        audit.append(request.app.state.state_engine, user.username, "person_view", target=person,
                     purpose=user.purpose, case_number=user.case_number)
    return page(request, "networks.html", data=pub, filters=filters, alcaldias=ALCALDIAS, kinds=KINDS,
                selected_kinds=params["kinds"], group=group, person=person, resolution=params["resolution"])


@router.get("/api/networks/summary")
def networks_summary(request: Request, wh: WarehouseDep, user: UserDep) -> dict:
    return _public(request, user, result_for(request, wh, user)[0])


@router.get("/api/networks/groups")
def networks_groups(request: Request, wh: WarehouseDep, user: UserDep) -> dict:
    d = _public(request, user, result_for(request, wh, user)[0])
    return {"params": d["params"], "data_window": d["data_window"], "groups": d["groups"]}


@router.get("/api/networks/key-players")
def networks_key_players(request: Request, wh: WarehouseDep, user: UserDep) -> dict:
    d = _public(request, user, result_for(request, wh, user)[0])
    return {"params": d["params"], "key_players": d["key_players"], "brokers": d["brokers"]}


@router.get("/api/networks/graph")
def networks_graph(request: Request, wh: WarehouseDep, user: UserDep) -> dict:
    q = request.query_params
    if not q.get("group") and not q.get("person"):
        raise HTTPException(422, "ask for ?group=G1 or ?person=<person_id>")
    if q.get("person"):
        from ...governance import audit

        audit.append(request.app.state.state_engine, user.username, "person_view", target=q.get("person"),
                     purpose=user.purpose, case_number=user.case_number)
    return graph_view(request, wh, user, group=q.get("group"), person=q.get("person"))


@router.get("/api/networks/call-in")
def networks_call_in(request: Request, wh: WarehouseDep, user: UserDep):
    """Focused-deterrence call-in list: each group with its most active members (JSON or ?format=csv)."""
    d, params = result_for(request, wh, user)
    per = request.query_params.get("per_group") or "5"
    if not per.isdigit() or not 1 <= int(per) <= 50:
        raise HTTPException(422, "per_group must be a whole number from 1 to 50")
    n = Namer(request, user)
    rows = []
    for g in d["groups"]:
        recs = sorted(g["records"], key=lambda r: (-(r["fgj_accused"] + r["ssc_detentions"] + r["court_cases"]
                                                    + r["prison_admissions"]), r["person_id"]))
        for rank, r in enumerate(recs[: int(per)], start=1):
            rows.append({"group_id": g["group_id"], "group_size": g["size"], "growing": g["growing"], "rank": rank,
                         "label": n.label(r["person_id"]), "person_id": n.id(r["person_id"]),
                         "records": r["fgj_accused"] + r["ssc_detentions"] + r["court_cases"] + r["prison_admissions"],
                         "fgj_accused": r["fgj_accused"], "ssc_detentions": r["ssc_detentions"],
                         "court_cases": r["court_cases"], "prison_admissions": r["prison_admissions"],
                         "last_date": r["last_date"], "crimes": "|".join(r["crimes"])})
    if request.query_params.get("format") == "csv":
        from ...governance import audit

        audit.append(request.app.state.state_engine, user.username, "export", target="networks_call_in",
                     detail=f"groups={len(d['groups'])} rows={len(rows)}")
        cols = list(rows[0]) if rows else ["group_id", "rank", "label"]
        if not n.identities:
            cols = [c for c in cols if c != "person_id"]
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        return Response(buf.getvalue(), media_type="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="call_in.csv"'})
    return {"params": params, "data_window": d["data_window"], "call_in": rows}
