"""The whole repeat-offender analysis in one result object, shared by the CLI, the API and the page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from .concentration import PUBLISHED, Concentration, concentration_by
from .fairness import FairnessCheck
from .hidden import hidden_offenders
from .histories import OffenderHistories
from .ranking import RFGRanking
from .reoffending import Incapacitation, Reoffending

RESULT_NAME = "offenders"
DEFAULT_PARAMS = {"basis": "accusations", "crime": None, "alcaldia": None, "date_from": None, "date_to": None,
                  "top": 100, "n_boot": 499, "seed": 20030101, "fairness_top_share": 0.05}


def deterrence_lists(wh, ranking: RFGRanking, per_group: int = 5) -> dict:
    """Most active members (by RFG score) of each criminal group, for focused-deterrence call-ins.

    Groups come from the networks analysis (``analysis.networks``) when it exists: a module offering
    ``groups(wh) -> list[{group_id, members: [person_id, ...]}]``, or a stored result ``networks`` with a
    ``groups`` list. Until then the lists are empty and ``available`` says why.
    """
    groups = None
    try:
        import importlib

        mod = importlib.import_module("traceability.analysis.networks")
        fn = getattr(mod, "groups", None)
        if callable(fn):
            groups = fn(wh)
    except Exception:  # noqa: BLE001 — optional dependency on another area
        groups = None
    if groups is None:
        try:
            rows = wh.query("SELECT result FROM analysis_result WHERE name = 'networks' ORDER BY created_at DESC "
                            "LIMIT 1")
            if rows:
                import json

                groups = json.loads(rows[0][0]).get("groups")
        except Exception:  # noqa: BLE001
            groups = None
    if not groups:
        return {"available": False, "reason": "the networks analysis (criminal groups) has not been run",
                "groups": []}
    score = ranking.table.set_index("person_id")
    out = []
    for g in groups:
        members = [m if isinstance(m, str) else m.get("person_id") for m in g.get("members", [])]
        ranked = [{"person_id": p, "score": float(score.loc[p, "score"]), "offences": int(score.loc[p, "offences"]),
                   "rank": int(score.loc[p, "rank"])} for p in members if p in score.index]
        ranked.sort(key=lambda r: -r["score"])
        out.append({"group_id": g.get("group_id"), "members": len(members), "ranked_members": len(ranked),
                    "most_active": ranked[:per_group]})
    return {"available": True, "groups": out, "per_group": per_group, "basis": ranking.basis}


@dataclass
class RepeatOffenders:
    """Histories, concentration, RFG ranking, fairness, hidden offenders and reoffending, for one filter set.

    Attributes
    ----------
    histories : OffenderHistories
    offences : DataFrame
        The offences counting under ``basis`` and the filters.
    concentration : Concentration
    ranking : RFGRanking
    fairness : FairnessCheck
    hidden : dict
        Zelterman and Chao on the detention counts (always detentions, whatever the ranking basis).
    reoffending : dict of Reoffending (``release``, ``first_detention``)
    incapacitation : Incapacitation
    """

    histories: OffenderHistories
    basis: str = "accusations"
    crime: str | None = None
    alcaldia: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    top: int = 100
    n_boot: int = 499
    seed: int = 20030101
    fairness_top_share: float = 0.05
    weights: dict | None = None
    survival: bool = True
    data_version: str | None = None
    deterrence: dict = field(default_factory=lambda: {"available": False, "groups": []})

    @classmethod
    def from_warehouse(cls, wh, **params) -> RepeatOffenders:
        survival = params.pop("survival", True)
        obj = cls(OffenderHistories.from_warehouse(wh), data_version=wh.data_version(), survival=survival, **params)
        obj.deterrence = deterrence_lists(wh, obj.ranking)
        return obj

    def __post_init__(self):
        h = self.histories
        sel = dict(crime=self.crime, alcaldia=self.alcaldia, date_from=self.date_from, date_to=self.date_to)
        self.offences = h.select(basis=self.basis, **sel)
        per = self.offences.groupby("person_id").agg(n=("offence_key", "size"), harm=("harm", "sum"))
        self.concentration = Concentration(per["n"].to_numpy(), per["harm"].to_numpy())
        self.concentration_by = {by: concentration_by(self.offences, by) for by in ("crime_group", "alcaldia", "year")}
        self.ranking = RFGRanking(self.offences, as_of=self.date_to, weights=self.weights, basis=self.basis,
                                  params={k: (v.isoformat() if isinstance(v, date) else v) for k, v in sel.items()})
        self.fairness = FairnessCheck(self.ranking, h, top_share=self.fairness_top_share)
        detained = h.select(basis="detentions", **sel)
        self.hidden = hidden_offenders(detained, n_boot=self.n_boot, seed=self.seed)
        self.reoffending = {}
        self.incapacitation = None
        if self.survival:
            end = pd.Timestamp(self.date_to) if self.date_to else None
            for start in ("release", "first_detention"):
                self.reoffending[start] = Reoffending(h, start=start, end=end)
            self.incapacitation = Incapacitation(h, end=end)

    @property
    def params(self) -> dict:
        return {"basis": self.basis, "crime": self.crime, "alcaldia": self.alcaldia,
                "date_from": self.date_from.isoformat() if self.date_from else None,
                "date_to": self.date_to.isoformat() if self.date_to else None, "top": self.top,
                "n_boot": self.n_boot, "seed": self.seed, "fairness_top_share": self.fairness_top_share,
                "weights_version": self.ranking.version, "harm_source": self.histories.harm_source}

    @property
    def data_window(self) -> dict:
        d = self.offences["date"].dropna()
        return {"from": self.date_from.isoformat() if self.date_from else
                (d.min().date().isoformat() if len(d) else None),
                "to": self.date_to.isoformat() if self.date_to else (d.max().date().isoformat() if len(d) else None),
                "first_offence": d.min().date().isoformat() if len(d) else None,
                "last_offence": d.max().date().isoformat() if len(d) else None}

    def to_dict(self) -> dict:
        c = self.concentration.to_dict()
        hid = self.hidden
        return clean({
            "offenders": self.concentration.n_offenders,
            "offences": self.concentration.n_offences,
            "basis": self.basis,
            "concentration": c,
            "concentration_by": self.concentration_by,
            "published_context": PUBLISHED,
            "hidden_offenders": {"n_observed": hid["n_observed"], "zelterman": hid["zelterman"], "chao": hid["chao"],
                                 "frequencies": hid["frequencies"], "by_crime_group": hid.get("by_crime_group", []),
                                 "params": hid["params"], "counts": "detained offences per person"},
            "ranking": self.ranking.rows(self.top),
            "ranking_params": self.ranking.describe(),
            "fairness": self.fairness.to_dict(),
            "reoffending": {k: v.to_dict() for k, v in self.reoffending.items()},
            "incapacitation": self.incapacitation.to_dict() if self.incapacitation else None,
            "deterrence": self.deterrence,
            "histories": self.histories.summary(),
            "params": self.params,
            "data_window": self.data_window,
            "data_version": self.data_version,
        })

    def rows(self) -> list[dict]:
        return self.ranking.rows(self.top)


def clean(obj):
    """JSON-safe: numpy scalars to Python, NaN and infinities to None, timestamps to ISO dates."""
    import math

    import numpy as np

    if isinstance(obj, dict):
        return {str(k): clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [clean(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, pd.Timestamp):
        return None if pd.isna(obj) else obj.date().isoformat()
    if obj is pd.NaT:
        return None
    return obj


def _coerce(params: dict) -> dict:
    p = dict(params)
    for k in ("date_from", "date_to"):
        if isinstance(p.get(k), str):
            p[k] = date.fromisoformat(p[k])
    return p


def compute(wh, params: dict | None = None) -> dict:
    """The JSON result for these parameters: the stored one if current, else computed now."""
    from .. import store

    p = {**DEFAULT_PARAMS, **(params or {})}
    stored = store.load(wh, RESULT_NAME, p)
    if stored is not None:
        return stored
    d = RepeatOffenders.from_warehouse(wh, **_coerce(p)).to_dict()
    d["_computed_live"] = True
    return d


def materialize(wh) -> None:
    """Store the default result (basis accusations, no filters) for the page."""
    from .. import store

    d = RepeatOffenders.from_warehouse(wh, **_coerce(DEFAULT_PARAMS)).to_dict()
    store.save(wh, RESULT_NAME, DEFAULT_PARAMS, d)
