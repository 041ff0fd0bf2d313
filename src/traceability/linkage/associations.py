"""Associations: the person–person (and person–phone) edges of the criminal-network graph.

`build_associations(wh, progress=None)` is the linkage step the orchestrator runs after persons, targets
and chains. It rebuilds table `association`: one row per pair of nodes and kind, with the first and last
date, the number of occasions behind the tie, the records behind it (``evidence``: a JSON list of
event_ids) and a sensitivity label derived from those records.

Nodes are ``person_id`` values, or ``phone:<10 digits>`` for a phone with no known owner.
``node_a < node_b`` always (undirected ties).

Kinds, and what one occasion is
-------------------------------
``co_accused``
    Two persons accused (role ``accused``, FGJ imputados) in the same carpeta (``case_key_norm``).
    Occasion: the carpeta. An accused record without a date takes the date of its carpeta.
``co_detained``
    Two persons detained in one police event: SSC detentions sharing the carpeta (or, without one, the
    C5 folio) on the same day. Occasion: the detention event.
``shared_address``
    Two persons whose records give the same normalized address. Empty, placeholder ("SIN DOMICILIO",
    "DOMICILIO CONOCIDO", …) and common addresses (more than ``max_shared`` persons: shelters, offices)
    are left out; legal persons too. Occasion: the address.
``shared_phone``
    Two persons whose records give the same phone, with the same exclusions. Occasion: the phone.
``family``
    A CJM case whose aggressor is recorded with a family or partner relation to the user (``PAREJA``,
    ``EXPAREJA``, ``NOVIO``, ``FAMILIAR``, …; not ``CONOCIDO``/``DESCONOCIDO``). Occasion: the case.
``financial``
    A UIF report's account holder and its counterparty. Occasion: the report.
``communication``
    Calls and messages between two numbers (``attrs.numero_origen``/``numero_destino``). A number maps
    to the person whose records carry it (the one with most records when a few persons share it); a
    number nobody owns, or one shared by more than ``max_shared`` persons, stays a node ``phone:<10>``.
    Occasion: the communication record.
``commission``
    Persons named together (by alias) in one security-commission record. An alias resolves to a person
    when exactly one person's records carry it, or exactly one of them has records in the record's
    alcaldía; otherwise it stays unresolved (counted in the summary, never guessed). Occasion: the record.
``prison``
    Two inmates admitted to the same centre and dormitory whose stays overlap (an open stay lasts to the
    last date in the warehouse). Occasion: the overlapping stay; dates are the overlap.

Sensitivity: the union of the labels of the records behind the edge, plus ``communications`` for
communication edges and ``financial`` for financial edges ('|'-joined, sorted).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

import pandas as pd

KINDS = ("co_accused", "co_detained", "shared_address", "shared_phone", "family", "financial", "communication",
         "commission", "prison")
KIND_LABEL = {"communication": "communications", "financial": "financial"}
FAMILY_RELATIONS = {"PAREJA", "EXPAREJA", "EX PAREJA", "NOVIO", "NOVIA", "EXNOVIO", "ESPOSO", "ESPOSA",
                    "CONCUBINO", "CONCUBINA", "FAMILIAR", "PADRE", "MADRE", "HIJO", "HIJA", "HERMANO",
                    "HERMANA", "PADRASTRO", "MADRASTRA", "TIO", "TIA", "PRIMO", "PRIMA", "ABUELO", "ABUELA",
                    "SUEGRO", "SUEGRA", "CUNADO", "CUÑADO", "CUNADA", "CUÑADA"}
PLACEHOLDER_ADDRESS = re.compile(r"^(SIN DOMICILIO|DOMICILIO CONOCIDO|CONOCIDO|NO PROPORCIONADO|NO PROPORCIONA|"
                                 r"SE IGNORA|IGNORADO|DESCONOCIDO|NO ESPECIFICADO|SIN DATO|SIN DATOS|NA|N A|ND|"
                                 r"S N|SN|NINGUNO|CALLE|CONOCIDO SN)$")
MAX_SHARED = 8          # more persons than this at one address or phone: a shelter, an office, a switchboard
MAX_EVIDENCE = 500      # event_ids kept per edge (n still counts every occasion)
COLUMNS = ["node_a", "node_b", "kind", "first_date", "last_date", "n", "evidence", "sensitivity"]


def phone_node(number: str) -> str:
    return "phone:" + number


def _labels(values: Iterable) -> set[str]:
    out: set[str] = set()
    for v in values:
        if isinstance(v, str) and v:
            out.update(x for x in v.split("|") if x)
    return out


def _mentions(wh) -> pd.DataFrame:
    """Every linked person mention with the fields the edge rules need."""
    df = wh.df("""
        SELECT m.mention_id, m.event_id, m.role, m.phone, m.address_norm, m.alias, m.is_legal_person,
               m.alcaldia AS m_alcaldia, pm.person_id, e.kind, e.alcaldia,
               CAST(coalesce(e.occurred_at, e.reported_at) AS DATE) AS d,
               e.case_key_norm, e.sensitivity,
               json_extract_string(e.attrs, '$.folio_c5') AS folio_c5,
               json_extract_string(e.attrs, '$.relacion_agresor') AS relacion,
               json_extract_string(e.attrs, '$.centro') AS centro,
               json_extract_string(e.attrs, '$.dormitorio') AS dormitorio,
               TRY_CAST(json_extract_string(e.attrs, '$.fecha_egreso') AS DATE) AS egreso
        FROM person_mention m
        JOIN person_membership pm USING (mention_id)
        JOIN event e ON e.event_id = m.event_id
    """)
    # an accused record without a date takes its carpeta's date
    miss = df["d"].isna() & df["case_key_norm"].notna()
    if miss.any():
        cd = wh.df("""SELECT case_key_norm, CAST(min(coalesce(occurred_at, reported_at)) AS DATE) AS cd
                      FROM event WHERE case_key_norm IS NOT NULL GROUP BY 1""")
        df.loc[miss, "d"] = df.loc[miss, "case_key_norm"].map(dict(zip(cd["case_key_norm"], cd["cd"],
                                                                        strict=True)))
    df["d"] = pd.to_datetime(df["d"])
    return df


def _pairs(rows: pd.DataFrame, kind: str, max_persons: int | None = None) -> pd.DataFrame:
    """Edges between the distinct nodes sharing a ``key``.

    ``rows`` has columns key, node, event_id, d (start), d_end (optional), sensitivity. A key with more
    than ``max_persons`` nodes is left out. One occasion per key.
    """
    rows = rows.dropna(subset=["key", "node"])
    if rows.empty:
        return pd.DataFrame(columns=COLUMNS)
    if "d_end" not in rows:
        rows = rows.assign(d_end=rows["d"])
    size = rows.groupby("key")["node"].nunique()
    keep = size[(size >= 2) & ((size <= max_persons) if max_persons else True)].index
    rows = rows[rows["key"].isin(keep)]
    if rows.empty:
        return pd.DataFrame(columns=COLUMNS)
    pk = rows.groupby(["key", "node"], sort=False).agg(
        events=("event_id", lambda s: sorted(set(s))), d0=("d", "min"), d1=("d_end", "max"),
        sens=("sensitivity", lambda s: _labels(s))).reset_index()
    m = pk.merge(pk, on="key", suffixes=("_a", "_b"))
    m = m[m["node_a"] < m["node_b"]]
    return _collapse(m, kind)


def _collapse(m: pd.DataFrame, kind: str, first=None, last=None) -> pd.DataFrame:
    """One edge per node pair from per-occasion rows (events_a/b, d0_a/b, d1_a/b, sens_a/b)."""
    if m.empty:
        return pd.DataFrame(columns=COLUMNS)
    m = m.assign(first=first if first is not None else m[["d0_a", "d0_b"]].min(axis=1),
                 last=last if last is not None else m[["d1_a", "d1_b"]].max(axis=1))
    out = []
    extra = {KIND_LABEL[kind]} if kind in KIND_LABEL else set()
    for (a, b), g in m.groupby(["node_a", "node_b"], sort=True):
        ev: set = set()
        sens = set(extra)
        for ea, eb, sa, sb in zip(g["events_a"], g["events_b"], g["sens_a"], g["sens_b"], strict=True):
            ev.update(ea)
            ev.update(eb)
            sens |= sa | sb
        out.append((a, b, kind, g["first"].min(), g["last"].max(), int(len(g)),
                    json.dumps(sorted(ev)[:MAX_EVIDENCE]), "|".join(sorted(sens)) or None))
    return pd.DataFrame(out, columns=COLUMNS)


def _usable_address(a) -> bool:
    if not isinstance(a, str):
        return False
    a = a.strip()
    return len(a) >= 6 and not PLACEHOLDER_ADDRESS.match(a) and any(c.isdigit() for c in a) | (len(a) >= 12)


def phone_owners(men: pd.DataFrame, max_shared: int = MAX_SHARED) -> dict[str, str]:
    """Phone (10 digits) → the person whose records carry it most (ties: smallest person_id).

    Phones carried by more than ``max_shared`` persons have no owner.
    """
    ph = men[men["phone"].notna() & (men["role"] != "mentioned") & ~men["is_legal_person"].fillna(False)]
    if ph.empty:
        return {}
    c = ph.groupby(["phone", "person_id"]).size().rename("k").reset_index()
    n_owners = c.groupby("phone")["person_id"].nunique()
    c = c[c["phone"].map(n_owners) <= max_shared]
    c = c.sort_values(["phone", "k", "person_id"], ascending=[True, False, True])
    first = c.drop_duplicates("phone")
    return dict(zip(first["phone"], first["person_id"], strict=True))


def _co_accused(men):
    r = men[(men["role"] == "accused") & men["case_key_norm"].notna()]
    return _pairs(r.assign(key=r["case_key_norm"], node=r["person_id"]), "co_accused")


def _co_detained(men):
    r = men[(men["kind"] == "detention") & men["d"].notna()]
    inc = r["case_key_norm"].where(r["case_key_norm"].notna(), "F:" + r["folio_c5"].fillna(""))
    inc = inc.where(inc != "F:", None)
    key = inc + "@" + r["d"].dt.strftime("%Y-%m-%d")
    return _pairs(r.assign(key=key, node=r["person_id"]), "co_detained")


def _shared(men, column, kind, max_shared):
    r = men[(men["role"] != "mentioned") & ~men["is_legal_person"].fillna(False) & men[column].notna()]
    if column == "address_norm":
        r = r[r[column].map(_usable_address).astype(bool)]
    return _pairs(r.assign(key=r[column], node=r["person_id"]), kind, max_persons=max_shared)


def _family(men):
    r = men[(men["kind"] == "cjm_case") & men["role"].isin(["cjm_user", "aggressor"])
            & men["relacion"].fillna("").str.upper().str.strip().isin(FAMILY_RELATIONS)]
    return _pairs(r.assign(key=r["event_id"], node=r["person_id"]), "family")


def _financial(men):
    r = men[(men["kind"] == "uif_report") & men["role"].isin(["account_holder", "counterparty"])]
    return _pairs(r.assign(key=r["event_id"], node=r["person_id"]), "financial")


def _communications(wh, owners: dict[str, str]) -> pd.DataFrame:
    ev = wh.df("""SELECT event_id, CAST(occurred_at AS DATE) AS d, sensitivity,
                         json_extract_string(attrs, '$.numero_origen') AS a,
                         json_extract_string(attrs, '$.numero_destino') AS b
                  FROM event WHERE kind = 'communication'""")
    if ev.empty:
        return pd.DataFrame(columns=COLUMNS)

    def node(x):
        if not isinstance(x, str):
            return None
        digits = re.sub(r"\D", "", x)[-10:]
        if len(digits) != 10:
            return None
        return owners.get(digits) or phone_node(digits)

    ev["na"] = ev["a"].map(node)
    ev["nb"] = ev["b"].map(node)
    ev = ev.dropna(subset=["na", "nb"])
    ev = ev[ev["na"] != ev["nb"]]
    lo = ev[["na", "nb"]].min(axis=1)
    hi = ev[["na", "nb"]].max(axis=1)
    d = pd.to_datetime(ev["d"])
    sens = ev["sensitivity"].map(lambda s: _labels([s]))
    m = pd.DataFrame({"node_a": lo.to_numpy(), "node_b": hi.to_numpy(), "events_a": [[e] for e in ev["event_id"]],
                      "events_b": [[] for _ in range(len(ev))], "d0_a": d.to_numpy(), "d0_b": d.to_numpy(),
                      "d1_a": d.to_numpy(), "d1_b": d.to_numpy(), "sens_a": sens.to_numpy(),
                      "sens_b": [set() for _ in range(len(ev))]})
    return _collapse(m, "communication")


def resolve_aliases(men: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The commission mentions with the person each alias resolves to; and how many stayed unresolved."""
    named = men[(men["role"] == "mentioned") & men["alias"].notna()].copy()
    if named.empty:
        return named.assign(node=pd.Series(dtype=object)), 0
    known = men[(men["role"] != "mentioned") & men["alias"].notna()]
    cands = known.groupby("alias")["person_id"].agg(lambda s: sorted(set(s))).to_dict()
    where: dict[tuple[str, str], set] = {}
    for a, p, alc1, alc2 in zip(known["alias"], known["person_id"], known["alcaldia"], known["m_alcaldia"],
                                strict=True):
        for alc in (alc1, alc2):
            if isinstance(alc, str):
                where.setdefault((a, alc), set()).add(p)

    def one(alias, alc):
        c = cands.get(alias, [])
        if len(c) == 1:
            return c[0]
        if len(c) > 1 and isinstance(alc, str):
            local = where.get((alias, alc), set())
            if len(local) == 1:
                return next(iter(local))
        return None

    named["node"] = [one(a, alc) for a, alc in zip(named["alias"], named["alcaldia"], strict=True)]
    return named, int(named["node"].isna().sum())


def _commission(men):
    named, unresolved = resolve_aliases(men)
    return _pairs(named.assign(key=named["event_id"]), "commission"), unresolved


def _prison(men, end_of_data):
    r = men[(men["kind"] == "prison_admission") & men["centro"].notna() & men["dormitorio"].notna()
            & men["d"].notna()].copy()
    if r.empty:
        return pd.DataFrame(columns=COLUMNS)
    r["key"] = r["centro"].str.upper().str.strip() + "|" + r["dormitorio"].astype(str).str.upper().str.strip()
    r["d_end"] = pd.to_datetime(r["egreso"]).fillna(end_of_data)
    r["node"] = r["person_id"]
    r["sens"] = r["sensitivity"].map(lambda s: _labels([s]))
    r["events"] = r["event_id"].map(lambda e: [e])
    cols = ["key", "node", "events", "d", "d_end", "sens"]
    m = r[cols].merge(r[cols], on="key", suffixes=("_a", "_b"))
    m = m[(m["node_a"] < m["node_b"]) & (m["d_a"] <= m["d_end_b"]) & (m["d_b"] <= m["d_end_a"])]
    if m.empty:
        return pd.DataFrame(columns=COLUMNS)
    m = m.rename(columns={"d_a": "d0_a", "d_b": "d0_b", "d_end_a": "d1_a", "d_end_b": "d1_b"})
    return _collapse(m, "prison", first=m[["d0_a", "d0_b"]].max(axis=1), last=m[["d1_a", "d1_b"]].min(axis=1))


def compute_associations(wh, max_shared: int = MAX_SHARED) -> tuple[pd.DataFrame, dict]:
    """All edges as a frame (columns of table `association`) and a summary, without writing."""
    men = _mentions(wh)
    end = wh.scalar("SELECT CAST(max(coalesce(occurred_at, reported_at)) AS DATE) FROM event")
    end = pd.Timestamp(end) if end is not None else pd.Timestamp.today().normalize()
    owners = phone_owners(men, max_shared)
    commission, unresolved = _commission(men)
    if men.empty:  # communications alone (no person mentions yet): only phone nodes
        empty = pd.DataFrame(columns=COLUMNS)
        parts = {k: empty for k in KINDS}
        parts["communication"] = _communications(wh, owners)
        return _assemble(parts, unresolved)
    parts = {
        "co_accused": _co_accused(men),
        "co_detained": _co_detained(men),
        "shared_address": _shared(men, "address_norm", "shared_address", max_shared),
        "shared_phone": _shared(men, "phone", "shared_phone", max_shared),
        "family": _family(men),
        "financial": _financial(men),
        "communication": _communications(wh, owners),
        "commission": commission,
        "prison": _prison(men, end),
    }
    return _assemble(parts, unresolved)


def _assemble(parts: dict, unresolved: int) -> tuple[pd.DataFrame, dict]:
    frames = [f for f in parts.values() if not f.empty]
    edges = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    for c in ("first_date", "last_date"):
        edges[c] = pd.to_datetime(edges[c]).dt.date
    edges["n"] = edges["n"].astype("int64")
    summary = {k: int(len(v)) for k, v in parts.items()}
    summary["edges"] = int(len(edges))
    summary["unresolved_aliases"] = unresolved
    ends = pd.concat([edges["node_a"], edges["node_b"]]).astype(str).drop_duplicates()
    summary["phone_nodes"] = int(ends.str.startswith("phone:").sum())
    return edges[COLUMNS], summary


def build_associations(wh, progress=None, max_shared: int = MAX_SHARED) -> dict:
    """Rebuild table `association` from the linked warehouse; returns the number of edges per kind."""
    if progress:
        progress(0, description="associations: edges")
    edges, summary = compute_associations(wh, max_shared=max_shared)
    wh.execute("DELETE FROM association")
    if len(edges):
        wh.insert_frame("association", edges, COLUMNS)
    return summary
