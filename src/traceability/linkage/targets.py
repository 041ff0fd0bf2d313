"""Victim targets for repeat victimization: persons, households and businesses.

A *target* is what a repeat victimization is counted against (DESIGN.md §6, "Repeat victimization";
Lamm Weisel 2005, Farrell & Pease 1993). `build_targets(wh)` rebuilds the tables `target` and
`target_membership` from the events, the person mentions and (when person resolution ran) the
`person_membership` table.

Rules
-----
**Persons** (`kind = 'person'`). One target per resolved person who appears as a victim: mentions with
role `victim`, `cjm_user` or `patient` that are not legal persons. The person is the mention's
`person_membership.person_id`; a mention not resolved (or no resolution run) is its own person
(`m:<mention_id>`). A mention joined to its person with a match probability below
``person_same_p`` (default 0.95) is an "almost the same victim" member: `match = 'near'`.

**Households** (`kind = 'household'`). Crimes against a home: every crime of the burglary group
(`ROBO_CASA_HABITACION`), and any other victim crime whose place is the victim's own home (the event's
normalized address equals the victim's `address_norm`). The home is the event's point (else the victim's
point) and the event's normalized address (else the victim's); an address is compared only within its alcaldía. Points are projected to metres
(`geo.to_metric` when available, else UTM 14N, EPSG:32614) and grouped without chaining: the point with
most neighbours within ``same_m`` (default 10 m) leads a group of every ungrouped point within ``same_m``
of it, and so on. Groups that share a normalized address with a house number are merged. Crimes without
a point or an address cannot form a household and are left out (counted in the summary).

**Businesses** (`kind = 'business'`). Legal-person victims (`is_legal_person`) by normalized business
name (upper case, accents and punctuation removed, company forms such as ``S.A. DE C.V.``, ``S. DE R.L.``,
``S.C.``, ``A.C.`` stripped); a name whose victims' points lie more than ``branch_m`` (200 m) apart is
split into branches (premises) by the same point grouping. Crimes of the business-robbery group
(`ROBO_NEGOCIO`) with no legal-person victim are commercial premises: grouped by point like households,
and joined to a named business whose premises lie within ``same_m``.

**"Almost the same victim"** (`match = 'near'`). A household or business group whose leader point lies
within ``near_m`` (default 50 m) of another group's leader is a near member of it: each of its crimes gets
a `near` membership row in the other target with `distance_m` (the crime's distance to that target's
point). `same` rows carry `distance_m` to their own target's point.

**One crime, one row.** When both the carpeta (`fgj_carpetas`) and its victim entries (`fgj_victimas`)
are loaded, a place crime is taken from the victim entry (it carries the person) and the carpeta row with
the same `case_key_norm` is not counted again. The real open data carry no identities and (for the
portal carpetas) no carpeta number: their events with coordinates still give place targets, so repeats
of places run on real and synthetic data alike. Points geocoded to a street segment or a colonia
centroid in the portal can pile many unrelated crimes on one "household"; the summary reports the largest
group so the analyst can judge.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np
import pandas as pd

VICTIM_ROLES = ("victim", "cjm_user", "patient")
HOUSEHOLD_GROUPS = ("ROBO_CASA_HABITACION",)
BUSINESS_GROUPS = ("ROBO_NEGOCIO",)
PLACE_KINDS = ("carpeta_crime", "victim_record")

_COMPANY_FORMS = [
    r"\bS\s*A\s*P\s*I\s*DE\s*C\s*V\b", r"\bS\s*A\s*B\s*DE\s*C\s*V\b", r"\bS\s*A\s*DE\s*C\s*V\b",
    r"\bS\s*DE\s*R\s*L\s*DE\s*C\s*V\b", r"\bS\s*DE\s*R\s*L\s*MI\b", r"\bS\s*DE\s*R\s*L\b",
    r"\bS\s*A\s*S\b", r"\bS\s*A\b", r"\bS\s*C\b", r"\bA\s*C\b", r"\bI\s*A\s*P\b", r"\bS\s*C\s*P\b",
    r"\bSOCIEDAD ANONIMA DE CAPITAL VARIABLE\b", r"\bSOCIEDAD ANONIMA\b", r"\bSOCIEDAD CIVIL\b",
    r"\bASOCIACION CIVIL\b",
]
_ADDRESS_WORDS = {
    "CALLE": "", "C": "", "AVENIDA": "AV", "AVE": "AV", "AV": "AV", "CALZADA": "CALZ", "CALZ": "CALZ",
    "NUMERO": "", "NUM": "", "NO": "", "N": "", "EXT": "", "EXTERIOR": "", "COLONIA": "COL", "COL": "COL",
    "PRIVADA": "PRIV", "PRIV": "PRIV", "CERRADA": "CDA", "CDA": "CDA", "ANDADOR": "AND", "MZ": "MZ",
    "MANZANA": "MZ", "LT": "LT", "LOTE": "LT", "DEPARTAMENTO": "DEPTO", "DEPTO": "DEPTO", "DPTO": "DEPTO",
    "INTERIOR": "INT", "INT": "INT", "SN": "SN",
}


# -- normalization --------------------------------------------------------------------------------------
def _ascii_upper(s: str) -> str:
    s = unicodedata.normalize("NFKD", str(s).upper().replace("Ñ", "\0"))
    s = "".join(c for c in s if not unicodedata.combining(c)).replace("\0", "Ñ")
    return s


def business_key(name) -> str | None:
    """Normalized business name: accents, punctuation and company forms (S.A. DE C.V. …) removed.

    >>> business_key("Abarrotes La Güera, S.A. de C.V.")
    'ABARROTES LA GUERA'
    """
    if name is None or (isinstance(name, float) and np.isnan(name)):
        return None
    s = _ascii_upper(name)
    s = re.sub(r"[^A-Z0-9Ñ ]+", " ", s)
    s = re.sub(r"\s+", " ", s).strip()
    for pat in _COMPANY_FORMS:
        s = re.sub(pat + r"\s*$", "", s).strip()
    s = re.sub(r"\s+", " ", s).strip()
    return s or None


def address_key(addr) -> str | None:
    """Normalized street address for household matching; None unless it carries a house number."""
    if addr is None or (isinstance(addr, float) and np.isnan(addr)):
        return None
    s = _ascii_upper(addr)
    s = re.sub(r"[^A-Z0-9Ñ ]+", " ", s)
    words = [_ADDRESS_WORDS.get(w, w) for w in s.split()]
    words = [w for w in words if w]
    if not any(any(ch.isdigit() for ch in w) for w in words):
        return None
    return " ".join(words)


# -- geometry -------------------------------------------------------------------------------------------
def to_metric(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Project WGS84 lon/lat to metres (the city's metric projection; UTM 14N when geo has none)."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    try:
        from ..geo import to_metric as geo_to_metric  # written in parallel; used when present

        x, y = geo_to_metric(lat, lon)  # geo's signature is (lat, lon)
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    except (ImportError, AttributeError, TypeError):
        pass
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:4326", "EPSG:32614", always_xy=True)
    x, y = tr.transform(lon, lat)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def leader_groups(xy: np.ndarray, radius: float) -> np.ndarray:
    """Group points without chaining: returns for each point the index of its group's leader.

    The ungrouped point with most neighbours within `radius` becomes a leader and takes every ungrouped
    point within `radius` of it; a group is therefore at most 2 × radius across. Deterministic.
    """
    n = len(xy)
    leader = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return leader
    from scipy.spatial import cKDTree

    tree = cKDTree(xy)
    neigh = tree.query_ball_point(xy, r=radius)
    counts = np.array([len(v) for v in neigh])
    order = np.lexsort((np.arange(n), -counts))
    for i in order:
        if leader[i] >= 0:
            continue
        for j in neigh[i]:
            if leader[j] < 0:
                leader[j] = i
        leader[i] = i
    return leader


class _UnionFind:
    def __init__(self, items):
        self.parent = {i: i for i in items}

    def find(self, a):
        p = self.parent
        while p[a] != a:
            p[a] = p[p[a]]
            a = p[a]
        return a

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra


def _stable_id(prefix: str, *parts) -> str:
    h = hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:12]
    return f"{prefix}:{h}"


# -- inputs ---------------------------------------------------------------------------------------------
def _groups(codes: pd.Series) -> pd.Series:
    from .chains import crime_group

    uniq = {c: crime_group(c) for c in codes.dropna().unique()}
    return codes.map(uniq)


def _place_crimes(wh) -> pd.DataFrame:
    """One row per crime against a place candidate (victim entry preferred over the carpeta row)."""
    roles = ", ".join(f"'{r}'" for r in VICTIM_ROLES)
    victims = wh.df(
        "SELECT e.event_id, m.mention_id, e.kind, e.source, e.crime, e.occurred_at, e.case_key_norm, "
        "e.alcaldia, e.cuadrante, e.address_norm AS ev_addr, e.lat AS ev_lat, e.lon AS ev_lon, "
        "m.address_norm AS m_addr, m.alcaldia AS m_alcaldia, m.lat AS m_lat, m.lon AS m_lon, m.is_legal_person, "
        "m.business_name "
        "FROM event e JOIN person_mention m ON m.event_id = e.event_id "
        f"WHERE m.role IN ({roles})")
    places = wh.df(
        "SELECT e.event_id, NULL AS mention_id, e.kind, e.source, e.crime, e.occurred_at, e.case_key_norm, "
        "e.alcaldia, e.cuadrante, e.address_norm AS ev_addr, e.lat AS ev_lat, e.lon AS ev_lon, "
        "NULL AS m_addr, NULL AS m_alcaldia, NULL AS m_lat, NULL AS m_lon, false AS is_legal_person, "
        "NULL AS business_name "
        "FROM event e WHERE e.kind IN ('carpeta_crime', 'victim_record') "
        "AND NOT EXISTS (SELECT 1 FROM person_mention m WHERE m.event_id = e.event_id "
        f"  AND m.role IN ({roles}))")
    df = pd.concat([victims, places], ignore_index=True) if len(places) else victims
    if df.empty:
        return df
    df["crime_group"] = _groups(df["crime"])
    # a carpeta row whose carpeta already has a victim entry is the same crime: drop it
    keyed_victims = set(df.loc[(df["kind"] == "victim_record") & df["case_key_norm"].notna(), "case_key_norm"])
    dup = (df["kind"] == "carpeta_crime") & df["case_key_norm"].isin(keyed_victims)
    return df.loc[~dup].reset_index(drop=True)


# -- builders -------------------------------------------------------------------------------------------
def _person_targets(wh, person_same_p: float) -> tuple[list[dict], list[dict]]:
    roles = ", ".join(f"'{r}'" for r in VICTIM_ROLES)
    has_pm = bool(wh.scalar("SELECT count(*) FROM person_membership"))
    pm_join = "LEFT JOIN person_membership pm ON pm.mention_id = m.mention_id" if has_pm else ""
    pm_cols = "pm.person_id, pm.match_probability" if has_pm else "NULL AS person_id, NULL AS match_probability"
    rows = wh.query_dicts(
        f"SELECT m.mention_id, m.event_id, {pm_cols}, m.address_norm, m.lat, m.lon, m.alcaldia, "
        "e.cuadrante "
        f"FROM person_mention m JOIN event e ON e.event_id = m.event_id {pm_join} "
        f"WHERE m.role IN ({roles}) AND NOT coalesce(m.is_legal_person, false) "
        "ORDER BY m.mention_id")
    targets: dict[str, dict] = {}
    members = []
    for r in rows:
        pid = r["person_id"] or f"m:{r['mention_id']}"
        tid = f"person:{pid}"
        if tid not in targets:
            targets[tid] = {"target_id": tid, "kind": "person", "label": None, "person_id": pid,
                            "address_norm": r["address_norm"], "lat": r["lat"], "lon": r["lon"],
                            "alcaldia": r["alcaldia"], "cuadrante": r["cuadrante"]}
        p = r["match_probability"]
        near = p is not None and p < person_same_p
        members.append({"target_id": tid, "event_id": r["event_id"], "mention_id": r["mention_id"],
                        "match": "near" if near else "same", "distance_m": None})
    return list(targets.values()), members


def _place_targets(df: pd.DataFrame, kind: str, same_m: float, near_m: float,
                   name_col: str | None = None, branch_m: float = 200.0) -> tuple[list[dict], list[dict], int]:
    """Targets from crimes with a point and/or an address key (households, businesses)."""
    if df.empty:
        return [], [], 0
    df = df.reset_index(drop=True).copy()
    has_pt = df["lat"].notna() & df["lon"].notna()
    x = np.full(len(df), np.nan)
    y = np.full(len(df), np.nan)
    if has_pt.any():
        x[has_pt.values], y[has_pt.values] = to_metric(df.loc[has_pt, "lon"], df.loc[has_pt, "lat"])
    bad = ~(np.isfinite(x) & np.isfinite(y))
    x[bad], y[bad] = np.nan, np.nan
    df["x"], df["y"] = x, y
    df.loc[bad, ["lat", "lon"]] = np.nan
    usable = has_pt | df["addr_key"].notna() | (df[name_col].notna() if name_col else False)
    dropped = int((~usable).sum())
    df = df.loc[usable].reset_index(drop=True)
    uf = _UnionFind(range(len(df)))
    pts = df.index[df["x"].notna()].to_numpy()
    if name_col:
        # businesses: one group per name, split into branches when the premises lie far apart
        for _, g in df.groupby(name_col, dropna=True, sort=True):
            idx = g.index.to_numpy()
            gp = idx[g["x"].notna().to_numpy()]
            if len(gp) > 1:
                xy = df.loc[gp, ["x", "y"]].to_numpy()
                span = np.hypot(*(xy.max(axis=0) - xy.min(axis=0)))
            else:
                span = 0.0
            if span <= branch_m:
                for i in idx[1:]:
                    uf.union(idx[0], i)
            else:
                lead = leader_groups(df.loc[gp, ["x", "y"]].to_numpy(), same_m)
                for k, i in enumerate(gp):
                    uf.union(gp[lead[k]], i)
                nopt = idx[g["x"].isna().to_numpy()]
                for i in nopt:  # no point: joins the name's first branch
                    uf.union(gp[0], i)
        # nameless premises (business robberies) join by point
        nameless = df.index[df[name_col].isna() & df["x"].notna()].to_numpy()
        named_pts = df.index[df[name_col].notna() & df["x"].notna()].to_numpy()
        if len(nameless):
            lead = leader_groups(df.loc[nameless, ["x", "y"]].to_numpy(), same_m)
            for k, i in enumerate(nameless):
                uf.union(nameless[lead[k]], i)
            if len(named_pts):
                from scipy.spatial import cKDTree

                tree = cKDTree(df.loc[named_pts, ["x", "y"]].to_numpy())
                d, j = tree.query(df.loc[nameless, ["x", "y"]].to_numpy(), k=1)
                for i, dist, jj in zip(nameless, d, j, strict=True):
                    if dist <= same_m:
                        uf.union(named_pts[jj], i)
    elif len(pts):
        lead = leader_groups(df.loc[pts, ["x", "y"]].to_numpy(), same_m)
        for k, i in enumerate(pts):
            uf.union(pts[lead[k]], i)
    # a shared address with a house number is the same home or premises
    for _, g in df[df["addr_key"].notna()].groupby("addr_key", sort=True):
        idx = g.index.to_numpy()
        for i in idx[1:]:
            uf.union(idx[0], i)
    df["root"] = [uf.find(i) for i in range(len(df))]

    targets, members = [], []
    centre: dict[int, tuple[float, float]] = {}
    for root, g in df.groupby("root", sort=True):
        first = g.sort_values(["event_id"]).iloc[0]
        tid = _stable_id(kind, first["event_id"], first.get("mention_id") or "")
        gp = g[g["x"].notna()]
        if len(gp):
            cx, cy = float(gp["x"].median()), float(gp["y"].median())
            lat, lon = float(gp["lat"].median()), float(gp["lon"].median())
            centre[root] = (cx, cy)
        else:
            lat = lon = None
        addr = g["addr_key"].dropna()
        label = None
        if name_col:
            names = g[name_col].dropna()
            label = names.mode().iloc[0] if len(names) else None
        targets.append({"target_id": tid, "kind": kind, "label": label, "person_id": None,
                        "address_norm": addr.mode().iloc[0] if len(addr) else None, "lat": lat, "lon": lon,
                        "alcaldia": g["alcaldia"].dropna().mode().iloc[0] if g["alcaldia"].notna().any() else None,
                        "cuadrante": g["cuadrante"].dropna().mode().iloc[0]
                        if g["cuadrante"].notna().any() else None})
        df.loc[g.index, "target_id"] = tid
        for _, r in g.iterrows():
            dist = None
            if root in centre and pd.notna(r["x"]):
                dist = float(np.hypot(r["x"] - centre[root][0], r["y"] - centre[root][1]))
            members.append({"target_id": tid, "event_id": r["event_id"], "mention_id": r["mention_id"],
                             "match": "same", "distance_m": dist})
    # "almost the same": another group's crimes within near_m of this target's point
    roots = list(centre)
    if len(roots) > 1:
        from scipy.spatial import cKDTree

        cxy = np.array([centre[r] for r in roots])
        tree = cKDTree(cxy)
        tid_of = dict(zip(df["root"], df["target_id"], strict=False))
        by_root = {r: g for r, g in df.groupby("root")}
        for a, b in sorted(tree.query_pairs(r=near_m)):
            for src, dst in ((roots[a], roots[b]), (roots[b], roots[a])):
                g = by_root[src]
                for _, r in g.iterrows():
                    if pd.isna(r["x"]):
                        continue
                    dist = float(np.hypot(r["x"] - centre[dst][0], r["y"] - centre[dst][1]))
                    if dist <= near_m:
                        members.append({"target_id": tid_of[dst], "event_id": r["event_id"],
                                        "mention_id": r["mention_id"], "match": "near", "distance_m": dist})
    return targets, members, dropped


def build_targets(wh, progress=None, same_m: float = 10.0, near_m: float = 50.0, branch_m: float = 200.0,
                  person_same_p: float = 0.95) -> dict:
    """Rebuild `target` and `target_membership` (see the module docstring for the rules).

    Parameters
    ----------
    same_m : metres within which two crimes are at the same home or premises.
    near_m : metres within which another home/premises is "almost the same victim" (`match = 'near'`).
    branch_m : a business name whose premises span more than this is split into branches.
    person_same_p : person-membership probability below which a mention is a `near` member.

    Returns
    -------
    dict with the number of targets and memberships per kind.
    """
    if progress:
        progress(0, description="targets: persons")
    p_targets, p_members = _person_targets(wh, person_same_p)

    df = _place_crimes(wh)
    h_targets: list[dict] = []
    h_members: list[dict] = []
    b_targets: list[dict] = []
    b_members: list[dict] = []
    dropped = 0
    largest = 0
    if not df.empty:
        df["lat"] = df["ev_lat"].where(df["ev_lat"].notna(), df["m_lat"])
        df["lon"] = df["ev_lon"].where(df["ev_lat"].notna(), df["m_lon"])
        ev_key = df["ev_addr"].map(address_key)
        m_key = df["m_addr"].map(address_key)
        # the same street and number is the same home only within one alcaldía
        ev_key = ev_key.where(ev_key.isna(), df["alcaldia"].fillna("") + "|" + ev_key.fillna(""))
        m_key = m_key.where(m_key.isna(), df["m_alcaldia"].fillna(df["alcaldia"]).fillna("") + "|"
                            + m_key.fillna(""))
        df["addr_key"] = ev_key.where(ev_key.notna(), m_key)
        legal = df["is_legal_person"].fillna(False).astype(bool)
        at_home = ev_key.notna() & (ev_key.str.split("|").str[-1] == m_key.str.split("|").str[-1])
        hh = df[~legal & (df["crime_group"].isin(HOUSEHOLD_GROUPS) | at_home)]
        if progress:
            progress(0, description="targets: households")
        h_targets, h_members, d1 = _place_targets(hh, "household", same_m, near_m)
        df["biz_name"] = df["business_name"].map(business_key).where(legal, None)
        biz = df[(legal & df["biz_name"].notna()) | (~legal & df["crime_group"].isin(BUSINESS_GROUPS))].copy()
        biz.loc[~biz["is_legal_person"].fillna(False).astype(bool), "biz_name"] = None
        # a business robbery's place is its premises: the victim's home address is not used
        bk = biz["ev_addr"].map(address_key)
        biz["addr_key"] = bk.where(bk.isna(), biz["alcaldia"].fillna("") + "|" + bk.fillna(""))
        biz = biz.drop_duplicates(subset=["event_id", "mention_id"])
        if progress:
            progress(0, description="targets: businesses")
        b_targets, b_members, d2 = _place_targets(biz, "business", same_m, near_m, name_col="biz_name",
                                                  branch_m=branch_m)
        dropped = d1 + d2
        sizes = pd.Series([m["target_id"] for m in h_members + b_members if m["match"] == "same"]).value_counts()
        largest = int(sizes.max()) if len(sizes) else 0

    targets = pd.DataFrame(p_targets + h_targets + b_targets,
                           columns=["target_id", "kind", "label", "person_id", "address_norm", "lat", "lon",
                                    "alcaldia", "cuadrante"])
    members = pd.DataFrame(p_members + h_members + b_members,
                           columns=["target_id", "event_id", "mention_id", "match", "distance_m"])
    targets = targets.drop_duplicates("target_id")
    members = members.drop_duplicates(["target_id", "event_id", "mention_id", "match"])
    wh.execute("BEGIN TRANSACTION")
    try:
        wh.execute("DELETE FROM target_membership")
        wh.execute("DELETE FROM target")
        if len(targets):
            wh.insert_frame("target", targets)
        if len(members):
            members["mention_id"] = members["mention_id"].astype(object).where(members["mention_id"].notna(), None)
            wh.insert_frame("target_membership", members)
        wh.execute("COMMIT")
    except Exception:
        wh.execute("ROLLBACK")
        raise
    kinds = targets["kind"].value_counts().to_dict()
    return {
        "targets": int(len(targets)),
        "persons": int(kinds.get("person", 0)),
        "households": int(kinds.get("household", 0)),
        "businesses": int(kinds.get("business", 0)),
        "memberships": int(len(members)),
        "near_memberships": int((members["match"] == "near").sum()) if len(members) else 0,
        "place_crimes_without_place": dropped,
        "largest_place_target": largest,
    }
