"""The simulated city: residents, offenders and groups, crimes with planted structure, the justice chain.

Everything here is truth (who did what to whom, when and where); ``emit.py`` turns it into each agency's
records with that agency's habits. One ``numpy.random.Generator`` drives all draws, in a fixed order.

Planted structure
-----------------
* Offending concentration: offender rates are log-normal (sigma ``OFFENDER_SIGMA``); crimes draw their
  offender in proportion to the rate, so a few percent of offenders commit about half of the offences.
* Co-offending groups: a core (2-4) and a periphery (2-8) share a house and a phone; group members
  commit crimes together; in growing groups the periphery joins during the period.
* Repeat victimization (Farrell & Pease): after a crime against a person, household or business, a repeat
  against the same target follows with probability ``REPEAT_P``, after a delay drawn from a mixture of
  exponentials (mean 12 and 110 days), so the risk is highest right after the first crime and decays.
* Near repeat (burglary only): a ROBO A CASA HABITACION spawns, with probability ``NEAR_REPEAT_P``, a
  burglary of another home 15-200 m away within 14 days.
* Violence against women: partner violence that escalates (contacts closer in time, more severe),
  with 911 calls, CJM visits, ER attentions, carpetas, and a few femicides after prior contacts.
* Justice attrition: most carpetas have no accused; few reach court; fewer end in a sentence; prison
  admissions and releases; some released persons reoffend.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .curp import build_curp
from .model import city, crime_group, delito_code

OFFENDER_SIGMA = 2.3
OFFENDERS_PER_OFFENCE = 0.55
REPEAT_P = {"person": 0.10, "household": 0.12, "business": 0.22}
NEAR_REPEAT_P = 0.30
VAW_DELITOS = ("VIOLENCIA FAMILIAR", "FEMINICIDIO", "FEMINICIDIO POR ARMA BLANCA",
               "FEMINICIDIO POR DISPARO DE ARMA DE FUEGO", "FEMINICIDIO POR GOLPES", "TENTATIVA DE FEMINICIDIO")
NO_REPEAT_GROUPS = {"NO_DELITO", "HOMICIDIO_DOLOSO", "HOMICIDIO_CULPOSO", "FEMINICIDIO", "LESIONES_CULPOSAS"}
GROUP_CRIMES = {"ROBO_TRANSEUNTE", "ROBO_NEGOCIO", "ROBO_VEHICULO", "ROBO_TRANSPORTE", "ROBO_CASA_HABITACION",
                "NARCOMENUDEO", "EXTORSION", "ROBO_CUENTAHABIENTE", "ROBO_OTROS", "SECUESTRO"}
VIOLENT = {"HOMICIDIO_DOLOSO", "FEMINICIDIO", "VIOLACION", "SECUESTRO", "ARMAS", "TRATA", "EXTORSION"}
M_PER_DEG_LAT = 110_950.0
M_PER_DEG_LON = 104_850.0  # at 19.4° N
BUSINESS_WORDS = ["ABARROTES", "FARMACIA", "TLAPALERIA", "PAPELERIA", "ESTETICA", "TAQUERIA", "LAVANDERIA",
                  "MISCELANEA", "REFACCIONARIA", "CARNICERIA", "POLLERIA", "FERRETERIA", "CREMERIA", "OPTICA"]
BUSINESS_SUFFIX = ["", " SA DE CV", " S DE RL DE CV", "", ""]


def keep_in_city(base_lat, base_lon, lat, lon, redraw, tries: int = 1):
    """Replace the points of ``lat``/``lon`` outside the city (``traceability.geo.in_city``; NaN is left
    alone) by ``redraw(index)`` up to ``tries`` times, then by the base point."""
    from .. import geo

    lat, lon = np.array(lat, dtype=float), np.array(lon, dtype=float)
    fin = np.isfinite(lat) & np.isfinite(lon)
    bad = np.flatnonzero(fin & ~geo.in_city(np.where(fin, lat, 0.0), np.where(fin, lon, 0.0)))
    for _ in range(tries):
        if not len(bad):
            break
        lat[bad], lon[bad] = redraw(bad)
        bad = bad[~geo.in_city(lat[bad], lon[bad])]
    lat[bad], lon[bad] = np.asarray(base_lat)[bad], np.asarray(base_lon)[bad]
    return lat, lon


class Persons:
    """An append-only table of true persons (columns as numpy arrays)."""

    def __init__(self, world: World):
        self.w = world
        self.cols: dict[str, list] = {k: [] for k in (
            "given", "s1", "s2", "sex", "birth", "phone", "point", "is_offender", "rate", "group_id",
            "is_legal", "business", "alias", "home")}
        self.n = 0

    def add(self, n: int, sex=None, age=(18, 70), point=None, alcaldia=None, is_offender=False, rate=0.0,
            legal=False, home=None) -> np.ndarray:
        rng = self.w.rng
        if n <= 0:
            return np.zeros(0, dtype=np.int64)
        if sex is None:
            sex = np.where(rng.random(n) < 0.5, "H", "M")
        elif isinstance(sex, str):
            sex = np.full(n, sex)
        if point is None:
            point = self.w.sample_points(n, alcaldia)
        lo, hi = age
        age_days = rng.integers(int(lo * 365.25), int(hi * 365.25), n)
        birth = self.w.d0 - age_days  # days relative to simulation start, birth before start
        given, s1, s2 = self.w.names(sex)
        phone = rng.integers(5500000000, 5699999999, n).astype(np.int64)
        ids = np.arange(self.n, self.n + n)
        c = self.cols
        c["given"].append(given)
        c["s1"].append(s1)
        c["s2"].append(s2)
        c["sex"].append(np.asarray(sex, dtype=object))
        c["birth"].append(birth)
        c["phone"].append(phone)
        c["point"].append(np.asarray(point, dtype=np.int64))
        c["is_offender"].append(np.full(n, bool(is_offender)))
        c["rate"].append(np.broadcast_to(np.asarray(rate, dtype=float), (n,)).copy())
        c["group_id"].append(np.full(n, -1))
        c["is_legal"].append(np.full(n, bool(legal)))
        if legal:
            words = np.asarray(BUSINESS_WORDS, dtype=object)[rng.integers(0, len(BUSINESS_WORDS), n)]
            suffix = np.asarray(BUSINESS_SUFFIX, dtype=object)[rng.integers(0, len(BUSINESS_SUFFIX), n)]
            biz = words + " " + s1 + suffix
            c["business"].append(biz)
        else:
            c["business"].append(np.full(n, "", dtype=object))
        c["alias"].append(np.full(n, "", dtype=object))
        # the home (household) id: a person's own unless they live with someone already simulated
        c["home"].append(ids.copy() if home is None else np.asarray(home, dtype=np.int64).copy())
        self.n += n
        return ids

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame({k: np.concatenate(v) if v else [] for k, v in self.cols.items()})
        df.index.name = "pid"
        return df


class World:
    def __init__(self, scale: float, years: int, start: date, seed: int, progress=None):
        self.scale, self.years, self.start = scale, years, start
        self.rng = np.random.default_rng(seed)
        self.progress = progress or (lambda *a, **k: None)
        self.d0 = 0
        self.base = np.datetime64(start.isoformat(), "D")
        end_y, end_m = start.year + years, start.month
        self.end = date(end_y, end_m, min(start.day, 28))
        self.D = (np.datetime64(self.end.isoformat(), "D") - self.base).astype(int)
        self.C = city()
        cua = self.C["cua"]
        self.alc_codes = np.array(sorted(cua["alcaldia"].unique()))
        self.cua_alc = cua["alcaldia"].to_numpy()
        pts = self.C["pts"]
        self.pt_lat, self.pt_lon = pts["lat"].to_numpy(), pts["lon"].to_numpy()
        self.pt_ci = pts["ci"].to_numpy()
        self.pt_col = pts["colonia_cve"].to_numpy()
        self.pt_alc = np.array([f"090{a:02d}" for a in pts["alcaldia"].to_numpy()], dtype=object)
        self.P = Persons(self)
        g = self.C["given"]
        self._given = {s: (g.loc[g.sex == s, "name"].to_numpy(dtype=object),
                           (g.loc[g.sex == s, "weight"] / g.loc[g.sex == s, "weight"].sum()).to_numpy())
                       for s in ("H", "M")}
        sn = self.C["surnames"]
        self._sur = (sn["surname"].to_numpy(dtype=object), (sn["weight"] / sn["weight"].sum()).to_numpy())

    # -- places and names ------------------------------------------------------------------------
    def sample_points(self, n: int, alcaldia=None, uniform_share: float = 0.0) -> np.ndarray:
        """Home or crime points: cuadrante by population (within the alcaldía when given), then a point."""
        rng, C = self.rng, self.C
        out = np.empty(n, dtype=np.int64)
        if alcaldia is None:
            alcaldia = np.full(n, "")
        alcaldia = np.asarray(alcaldia, dtype=object)
        for a in sorted(set(alcaldia.tolist())):
            m = np.flatnonzero(alcaldia == a)
            w = C["pop"] if a == "" else C["pop"] * (self.cua_alc == a)
            w = w + uniform_share * w.mean() * (w > 0)
            ci = rng.choice(len(w), size=len(m), p=w / w.sum())
            out[m] = C["pt_start"][ci] + (rng.random(len(m)) * C["pt_count"][ci]).astype(np.int64)
        return out

    def names(self, sex: np.ndarray):
        rng = self.rng
        n = len(sex)
        given = np.empty(n, dtype=object)
        for s in ("H", "M"):
            m = np.flatnonzero(sex == s)
            names, p = self._given[s]
            a = rng.choice(names, size=len(m), p=p)
            b = rng.choice(names, size=len(m), p=p)
            comp = (rng.random(len(m)) < 0.38) & (a != b)
            given[m] = np.where(comp, a + " " + b, a)
        sur, p = self._sur
        s1 = rng.choice(sur, size=n, p=p)
        s2 = rng.choice(sur, size=n, p=p)
        s2 = np.where(rng.random(n) < 0.01, "", s2)
        return given, s1, s2

    def dates(self, days) -> np.ndarray:
        return self.base + np.asarray(days, dtype="timedelta64[D]")

    def offset_points(self, pts: np.ndarray, lo_m: float, hi_m: float):
        """Points ``lo_m``-``hi_m`` metres from the model points ``pts``, inside the city (see ``in_city``)."""
        rng = self.rng
        n = len(pts)
        r = rng.uniform(lo_m, hi_m, n)
        th = rng.uniform(0, 2 * np.pi, n)
        blat, blon = self.pt_lat[pts], self.pt_lon[pts]
        lat, lon = blat + r * np.sin(th) / M_PER_DEG_LAT, blon + r * np.cos(th) / M_PER_DEG_LON

        def redraw(m):
            k = len(m)
            rr, tt = rng.uniform(lo_m, hi_m, k), rng.uniform(0, 2 * np.pi, k)
            return blat[m] + rr * np.sin(tt) / M_PER_DEG_LAT, blon[m] + rr * np.cos(tt) / M_PER_DEG_LON

        return keep_in_city(blat, blon, lat, lon, redraw)

    def jitter(self, lat, lon, sd_deg: float, decimals: int = 6, rng=None):
        """``lat``/``lon`` plus normal noise (``sd_deg``), rounded, kept inside the city: a point that falls
        outside is drawn once more, then falls back to the un-jittered point."""
        rng = rng or self.rng
        lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
        n = len(lat)
        jlat = np.round(lat + rng.normal(0, sd_deg, n), decimals)
        jlon = np.round(lon + rng.normal(0, sd_deg, n), decimals)

        def redraw(m):
            return (np.round(lat[m] + rng.normal(0, sd_deg, len(m)), decimals),
                    np.round(lon[m] + rng.normal(0, sd_deg, len(m)), decimals))

        return keep_in_city(lat, lon, jlat, jlon, redraw)

    # -- the simulation --------------------------------------------------------------------------
    def run(self) -> World:
        steps = [self._crimes, self._vaw, self._offenders, self._victims, self._justice, self._reoffending,
                 self._calls, self._er, self._civic, self._groups_records, self._finish]
        self.n_steps = len(steps)
        for step in steps:
            step()
            # the emitter's 12 writing steps follow on the same bar
            self.progress(n=1, total=len(steps) + 12, description=step.__name__.strip("_"))
        return self

    def _months(self):
        out = []
        y, m = self.start.year, self.start.month
        for _ in range(12 * self.years):
            first = (np.datetime64(f"{y:04d}-{m:02d}-01", "D") - self.base).astype(int)
            ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
            last = (np.datetime64(f"{ny:04d}-{nm:02d}-01", "D") - self.base).astype(int)
            out.append((m, max(first, 0), min(last, self.D)))
            y, m = ny, nm
        return out

    def _crimes(self):
        rng, C = self.rng, self.C
        mix = C["mix"]
        dl = C["delitos"].set_index("delito")
        self.delito_names = np.array(sorted(set(mix["delito"]) | set(dl.index) | set(VAW_DELITOS)), dtype=object)
        d_index = {d: i for i, d in enumerate(self.delito_names)}
        self.d_code = np.array([delito_code(d) for d in self.delito_names], dtype=object)
        self.d_group = np.array([crime_group(c) for c in self.d_code], dtype=object)
        self.d_cat = np.array([dl["categoria_delito"].get(d, "DELITO DE BAJO IMPACTO") for d in self.delito_names],
                              dtype=object)
        hours = dl.reindex(self.delito_names)[[f"h{h:02d}" for h in range(24)]].fillna(1).to_numpy() + 1
        self.d_hours = hours / hours.sum(axis=1, keepdims=True)
        base = mix[~mix["delito"].isin(VAW_DELITOS)]
        self.vaw_by_alc = mix[mix["delito"] == "VIOLENCIA FAMILIAR"].groupby("alcaldia")["n"].sum()
        self.vaw_total = float(self.vaw_by_alc.sum())
        b_d = base["delito"].map(d_index).to_numpy()
        grp = self.d_group[b_d]
        kind = np.where(grp == "ROBO_CASA_HABITACION", "household", np.where(grp == "ROBO_NEGOCIO", "business", "person"))
        extra = np.array([REPEAT_P[k] for k in kind]) * ~np.isin(grp, list(NO_REPEAT_GROUPS))
        extra = extra + NEAR_REPEAT_P * (grp == "ROBO_CASA_HABITACION")
        lam = base["n"].to_numpy() * self.scale / (1 + extra)
        rows_d, rows_a, rows_day = [], [], []
        months = self._months()
        b_month = base["month"].to_numpy()
        b_alc = base["alcaldia"].to_numpy()
        for (m, first, last) in months:
            sel = np.flatnonzero(b_month == m)
            k = rng.poisson(lam[sel])
            idx = np.repeat(sel, k)
            rows_d.append(b_d[idx])
            rows_a.append(b_alc[idx])
            rows_day.append(rng.integers(first, max(last, first + 1), len(idx)))
        d = np.concatenate(rows_d)
        a = np.concatenate(rows_a)
        day = np.concatenate(rows_day)
        n = len(d)
        pt = self.sample_points(n, a, uniform_share=0.4)
        kind = np.where(self.d_group[d] == "ROBO_CASA_HABITACION", "household",
                        np.where(self.d_group[d] == "ROBO_NEGOCIO", "business", "person"))
        target = np.arange(n)
        cr = pd.DataFrame({"delito": d, "day": day, "point": pt, "lat": self.pt_lat[pt], "lon": self.pt_lon[pt],
                           "kind": kind, "target": target, "parent": -1, "near_origin": -1, "repeat": False})
        # repeats and near repeats, generation by generation
        parents = cr
        next_target = n
        gen_frames = [cr]
        offset = n
        for _ in range(4):
            grp = self.d_group[parents["delito"].to_numpy()]
            kinds = parents["kind"].to_numpy()
            p_rep = np.array([REPEAT_P[k] for k in kinds]) * ~np.isin(grp, list(NO_REPEAT_GROUPS))
            rep = rng.random(len(parents)) < p_rep
            delay = np.where(rng.random(len(parents)) < 0.55, rng.exponential(12, len(parents)),
                             rng.exponential(110, len(parents))).astype(int) + 1
            rep &= parents["day"].to_numpy() + delay < self.D
            r = parents[rep].copy()
            r["day"] = r["day"].to_numpy() + delay[rep]
            r["parent"] = parents.index.to_numpy()[rep]
            r["repeat"] = True
            r["near_origin"] = -1
            pers = r["kind"].to_numpy() == "person"
            if pers.any():
                newpt = self.sample_points(int(pers.sum()), self.pt_alc[r["point"].to_numpy()[pers]])
                r.loc[pers, "point"] = newpt
                r.loc[pers, "lat"] = self.pt_lat[newpt]
                r.loc[pers, "lon"] = self.pt_lon[newpt]
            nr = (grp == "ROBO_CASA_HABITACION") & (rng.random(len(parents)) < NEAR_REPEAT_P)
            nd = rng.integers(1, 15, len(parents))
            nr &= parents["day"].to_numpy() + nd < self.D
            q = parents[nr].copy()
            q["day"] = q["day"].to_numpy() + nd[nr]
            lat, lon = self.offset_points(q["point"].to_numpy(), 15, 200)
            q["lat"], q["lon"] = lat, lon
            q["target"] = np.arange(next_target, next_target + len(q))
            next_target += len(q)
            q["near_origin"] = parents.index.to_numpy()[nr]
            q["parent"] = -1
            q["repeat"] = False
            new = pd.concat([r, q])
            if new.empty:
                break
            new.index = np.arange(offset, offset + len(new))
            offset += len(new)
            gen_frames.append(new)
            parents = new
        self.crimes = pd.concat(gen_frames)
        self.crimes["vaw_woman"] = -1
        self.crimes["offenders"] = None

    def _vaw(self):
        """Women facing escalating partner violence: their contacts with every agency."""
        rng = self.rng
        target_vf = self.vaw_total * self.scale * self.years
        mean_contacts = 4.0
        p_carpeta = 0.36
        n_w = max(5, int(round(target_vf / (mean_contacts * p_carpeta))))
        alc = rng.choice(self.vaw_by_alc.index.to_numpy(), size=n_w, p=(self.vaw_by_alc / self.vaw_total).to_numpy())
        women = self.P.add(n_w, sex="M", age=(16, 62), alcaldia=alc)
        home = np.concatenate(self.P.cols["point"])[women]
        aggr = self.P.add(n_w, sex="H", age=(18, 65), point=home, is_offender=True, rate=0.0,
                          home=np.concatenate(self.P.cols["home"])[women])
        escal = rng.random(n_w) < 0.6
        k = np.minimum(1 + rng.poisson(mean_contacts - 1, n_w), 12)
        rows = []
        for i in range(n_w):
            ki = int(k[i])
            first = rng.integers(0, self.D)
            if escal[i]:
                gaps = rng.exponential(60, ki - 1) * 0.72 ** np.arange(ki - 1)
            else:
                gaps = rng.exponential(70, ki - 1)
            days = first + np.concatenate([[0], np.cumsum(gaps)]).astype(int)
            days = days[days < self.D]
            for j, dd in enumerate(days):
                rows.append((i, int(dd), j, len(days)))
        c = pd.DataFrame(rows, columns=["w", "day", "seq", "n"])
        c["severity"] = np.where(escal[c["w"]], c["seq"] / np.maximum(c["n"] - 1, 1), rng.random(len(c)) * 0.5)
        u = rng.random(len(c))
        c["type"] = np.select([u < 0.34, u < 0.34 + p_carpeta, u < 0.85], ["call", "carpeta", "cjm"], "er")
        c["woman"] = women[c["w"]]
        c["aggressor"] = aggr[c["w"]]
        c["escalating"] = escal[c["w"]]
        # femicides and attempts: women with escalating histories and several prior contacts
        cand = np.flatnonzero(escal & (k >= 4))
        n_fem = max(1, int(round(75 * self.scale * self.years)))
        n_att = max(1, int(round(110 * self.scale * self.years)))
        chosen = rng.permutation(cand)[: n_fem + n_att]
        last_day = c.groupby("w")["day"].max()
        fem_rows = []
        fem_delitos = ["FEMINICIDIO", "FEMINICIDIO POR ARMA BLANCA", "FEMINICIDIO POR DISPARO DE ARMA DE FUEGO",
                       "FEMINICIDIO POR GOLPES"]
        for j, w in enumerate(chosen):
            dd = int(last_day.get(w, 0)) + int(rng.integers(3, 40))
            if dd >= self.D:
                continue
            fem = j < n_fem
            fem_rows.append((w, dd, fem, fem_delitos[rng.integers(0, 4)] if fem else "TENTATIVA DE FEMINICIDIO"))
        self.vaw_women = pd.DataFrame({"woman": women, "aggressor": aggr, "escalating": escal,
                                       "femicide_day": -1, "attempted": False})
        for w, dd, fem, _ in fem_rows:
            if fem:
                self.vaw_women.loc[w, "femicide_day"] = dd
            else:
                self.vaw_women.loc[w, "attempted"] = True
        self.vaw_contacts = c
        # carpetas of the VAW histories join the crimes table
        d_index = {d: i for i, d in enumerate(self.delito_names)}
        cc = c[c["type"] == "carpeta"]
        fem = pd.DataFrame(fem_rows, columns=["w", "day", "fem", "delito"])
        parts = []
        for frame, dl in ((cc, None), (fem, True)):
            if frame.empty:
                continue
            w = frame["w"].to_numpy()
            pt = home[w]
            delito = (np.full(len(frame), d_index["VIOLENCIA FAMILIAR"]) if dl is None
                      else frame["delito"].map(d_index).to_numpy())
            parts.append(pd.DataFrame({
                "delito": delito, "day": frame["day"].to_numpy(), "point": pt, "lat": self.pt_lat[pt],
                "lon": self.pt_lon[pt], "kind": "person", "target": -1, "parent": -1, "near_origin": -1,
                "repeat": False, "vaw_woman": women[w], "offenders": [[int(a)] for a in aggr[w]]}))
        if parts:
            add = pd.concat(parts, ignore_index=True)
            add.index = np.arange(len(self.crimes), len(self.crimes) + len(add))
            self.crimes = pd.concat([self.crimes, add])
        self.crimes = self.crimes.sort_values(["day", "delito", "point"], kind="stable")
        self.crimes.index.name = "cid_old"
        old = self.crimes.index.to_numpy()
        remap = np.empty(old.max() + 1, dtype=np.int64)
        remap[old] = np.arange(len(old))
        self.crimes = self.crimes.reset_index(drop=True)
        for col in ("parent", "near_origin"):
            v = self.crimes[col].to_numpy()
            self.crimes[col] = np.where(v >= 0, remap[np.maximum(v, 0)], -1)
        n = len(self.crimes)
        hrs = (rng.random(n)[:, None] < np.cumsum(self.d_hours[self.crimes["delito"].to_numpy()], axis=1)).argmax(axis=1)
        self.crimes["minute"] = hrs * 60 + rng.integers(0, 60, n)
        rep_delay = np.where(rng.random(n) < 0.6, 0, rng.geometric(0.12, n))
        self.crimes["reported_day"] = np.minimum(self.crimes["day"].to_numpy() + rep_delay, self.D - 1)

    def _offenders(self):
        rng = self.rng
        cr = self.crimes
        grp = self.d_group[cr["delito"].to_numpy()]
        need = (grp != "NO_DELITO") & cr["offenders"].isna().to_numpy()
        n_need = int(need.sum())
        n_off = max(20, int(OFFENDERS_PER_OFFENCE * n_need))
        rates = rng.lognormal(0.0, OFFENDER_SIGMA, n_off)
        # groups
        n_groups = max(6, int(round(220 * self.scale * self.years)))
        order = rng.permutation(n_off)
        pos = 0
        member_rows = []
        group_of = np.full(n_off, -1)
        for g in range(n_groups):
            nc, npf = int(rng.integers(2, 5)), int(rng.integers(2, 9))
            mem = order[pos: pos + nc + npf]
            pos += nc + npf
            growing = rng.random() < 0.4
            for j, o in enumerate(mem):
                core = j < nc
                joined = 0 if core or not growing else int(rng.integers(0, int(self.D * 0.8)))
                member_rows.append((g, int(o), "core" if core else "periphery", joined, growing))
                rates[o] = rates[o] * (3.0 if core else 1.5) + (2.0 if core else 0.5)
                group_of[o] = g
        members = pd.DataFrame(member_rows, columns=["group_id", "o", "role", "joined", "growing"])
        p = rates / rates.sum()
        primary = rng.choice(n_off, size=n_need, p=p)
        days = cr["day"].to_numpy()[need]
        gcrime = np.isin(grp[need], list(GROUP_CRIMES))
        mem_by_group = {g: f for g, f in members.groupby("group_id")}
        joined_of = np.zeros(n_off, dtype=np.int64)
        joined_of[members["o"].to_numpy()] = members["joined"].to_numpy()
        offenders = []
        co_u = rng.random(n_need)
        k_co = rng.integers(1, 3, n_need)
        for i in range(n_need):
            o = int(primary[i])
            g = group_of[o]
            if g < 0:
                offenders.append([o])
                continue
            f = mem_by_group[g]
            active = f[f["joined"].to_numpy() <= days[i]]
            if joined_of[o] > days[i]:
                o = int(active.loc[active["role"] == "core", "o"].iloc[int(co_u[i] * (active["role"] == "core").sum())])
            group = [o]
            if gcrime[i] and co_u[i] < 0.65:
                others = active["o"].to_numpy()
                others = others[others != o]
                if len(others):
                    pick = others[(np.arange(k_co[i]) * 7 + int(co_u[i] * 1000)) % len(others)]
                    group += sorted(set(int(x) for x in pick))
            offenders.append(group)
        used = np.unique(np.concatenate([np.concatenate([np.asarray(x) for x in offenders]) if offenders else [],
                                         members["o"].to_numpy()]).astype(np.int64))
        n_used = len(used)
        minors = rng.random(n_used) < 0.04
        age_hi = np.where(minors, 17.9, 50)
        pids = self.P.add(n_used, sex=np.where(rng.random(n_used) < 0.88, "H", "M"), age=(18, 50),
                          is_offender=True, rate=rates[used])
        # a few minors: shift birth dates
        b = self.P.cols["birth"][-1]
        b[minors] = self.d0 - rng.integers(int(15 * 365.25), int(17.9 * 365.25), int(minors.sum()))
        del age_hi
        opid = np.full(n_off, -1, dtype=np.int64)
        opid[used] = pids
        col = cr["offenders"].to_numpy().copy()
        idx = np.flatnonzero(need)
        for j, i in enumerate(idx):
            col[i] = [int(opid[o]) for o in offenders[j]]
        cr["offenders"] = col
        members["pid"] = opid[members["o"].to_numpy()]
        self.members = members
        # group houses, phones and aliases
        gcol = self.P.cols["group_id"][-1]
        pcol = self.P.cols["point"][-1]
        phcol = self.P.cols["phone"][-1]
        alias_col = self.P.cols["alias"][-1]
        home_col = self.P.cols["home"][-1]
        aliases = np.asarray(self.C["aliases"], dtype=object)
        base_pid = pids[0]
        self.group_house = {}
        self.group_phone = {}
        for g, f in members.groupby("group_id"):
            local = f["pid"].to_numpy() - base_pid
            gcol[local] = g
            house = pcol[local[0]]
            phone = phcol[local[0]]
            self.group_house[g] = house
            self.group_phone[g] = phone
            core = f["role"].to_numpy() == "core"
            share = core | (rng.random(len(f)) < 0.3)
            pcol[local[share]] = house
            home_col[local[share]] = home_col[local[0]]
            sphone = core & (rng.random(len(f)) < 0.5)
            phcol[local[sphone]] = phone
            al = rng.permutation(len(aliases))[: len(f)]
            alias_col[local] = aliases[al % len(aliases)]
        # the offender of a group crime operates near the group house
        self.offence_rows = [(int(c), int(o)) for c, offs in zip(cr.index, cr["offenders"], strict=False)
                             if offs is not None for o in offs]

    def _victims(self):
        rng = self.rng
        cr = self.crimes
        n = len(cr)
        grp = self.d_group[cr["delito"].to_numpy()]
        victim = np.full(n, -1, dtype=np.int64)
        vw = cr["vaw_woman"].to_numpy()
        victim[vw >= 0] = vw[vw >= 0]
        # one victim per target, created at the target's first crime
        tgt = cr["target"].to_numpy()
        kind = cr["kind"].to_numpy()
        need = (victim < 0) & (tgt >= 0)
        first = need & (cr["parent"].to_numpy() < 0)
        idx = np.flatnonzero(first)
        tv = {}
        for k in ("household", "business", "person"):
            m = idx[kind[idx] == k]
            if not len(m):
                continue
            pts = cr["point"].to_numpy()[m]
            if k == "household":
                pid = self.P.add(len(m), age=(20, 80), point=pts)
            elif k == "business":
                pid = self.P.add(len(m), age=(25, 70), point=pts, legal=True)
            else:
                sex = np.where(np.isin(grp[m], ["ABUSO_SEXUAL", "VIOLACION"]) | (rng.random(len(m)) < 0.45), "M", "H")
                same = rng.random(len(m)) < 0.7
                alc = np.where(same, self.pt_alc[pts], "")
                pid = self.P.add(len(m), sex=sex, age=(14, 80), alcaldia=alc)
            for t, p in zip(tgt[m], pid, strict=False):
                tv[int(t)] = int(p)
        for i in np.flatnonzero(need):
            victim[i] = tv.get(int(tgt[i]), -1)
        # near-repeat and orphan targets
        miss = np.flatnonzero((victim < 0) & (grp != "NO_DELITO") | ((victim < 0) & (tgt >= 0)))
        if len(miss):
            pts = cr["point"].to_numpy()[miss]
            pid = self.P.add(len(miss), age=(18, 80), point=pts)
            victim[miss] = pid
            for t, p in zip(tgt[miss], pid, strict=False):
                if t >= 0:
                    tv.setdefault(int(t), int(p))
        rest = np.flatnonzero(victim < 0)
        if len(rest):
            victim[rest] = self.P.add(len(rest), age=(15, 85), alcaldia=self.pt_alc[cr["point"].to_numpy()[rest]])
        cr["victim"] = victim
        # a second victim for some carpetas (never for legal persons)
        extra = (rng.random(n) < 0.22) & (kind != "business") & (vw < 0)
        ei = np.flatnonzero(extra)
        ev = self.P.add(len(ei), age=(10, 80), alcaldia=self.pt_alc[cr["point"].to_numpy()[ei]])
        self.extra_victims = pd.DataFrame({"cid": ei, "pid": ev})
        # an employee as a second (physical) victim of some business robberies
        bi = np.flatnonzero((kind == "business") & (rng.random(n) < 0.35))
        be = self.P.add(len(bi), age=(18, 60), alcaldia=self.pt_alc[cr["point"].to_numpy()[bi]])
        self.extra_victims = pd.concat([self.extra_victims, pd.DataFrame({"cid": bi, "pid": be})]).sort_values(
            ["cid", "pid"], kind="stable").reset_index(drop=True)
        self.targets = pd.DataFrame({"target": tgt, "kind": kind, "cid": np.arange(n), "victim": victim})
        self.targets = self.targets[self.targets["target"] >= 0]

    def _justice(self, crimes: pd.DataFrame | None = None, pending_only: bool = False):
        """Accused, detentions, court cases and prison for the carpetas given (all by default)."""
        rng = self.rng
        cr = self.crimes if crimes is None else crimes
        grp = self.d_group[cr["delito"].to_numpy()]
        p_acc = np.select([grp == "NARCOMENUDEO", grp == "ARMAS", grp == "VIOLENCIA_FAMILIAR",
                           np.isin(grp, ["HOMICIDIO_DOLOSO", "FEMINICIDIO"]), np.char.startswith(grp.astype(str), "ROBO"),
                           grp == "NO_DELITO"], [0.9, 0.85, 0.3, 0.45, 0.12, 0.0], 0.08)
        if pending_only:
            p_acc = np.maximum(p_acc, 0.7)
        acc = rng.random(len(cr)) < p_acc
        rows = []
        for cid, offs, day, g in zip(cr.index[acc], cr["offenders"].to_numpy()[acc], cr["day"].to_numpy()[acc],
                                     grp[acc], strict=False):
            if not offs:
                continue
            for j, o in enumerate(offs):
                if j > 0 and rng.random() > 0.8:
                    continue
                flag = g in ("NARCOMENUDEO", "ARMAS") or rng.random() < 0.55
                det_day = int(day) if rng.random() < 0.75 else int(day) + int(rng.integers(1, 90))
                rows.append((int(cid), int(o), flag, det_day if flag and det_day < self.D else -1, g))
        acc_df = pd.DataFrame(rows, columns=["cid", "pid", "detenido", "det_day", "group"])
        acc_df["detenido"] = acc_df["detenido"] & (acc_df["det_day"] >= 0)
        # SSC detentions: most of the detained in flagrancia
        dmask = acc_df["detenido"].to_numpy() & (rng.random(len(acc_df)) < 0.85)
        det = acc_df[dmask][["cid", "pid", "det_day"]].copy()
        det["civic"] = False
        # court
        p_court = np.where(acc_df["detenido"], 0.45, 0.07)
        court = acc_df[rng.random(len(acc_df)) < p_court].copy()
        nC = len(court)
        aud = np.where(court["detenido"], court["det_day"] + rng.integers(1, 3, nC),
                       self.crimes.loc[court["cid"], "reported_day"].to_numpy() + rng.integers(30, 300, nC))
        court["aud_day"] = aud
        court = court[court["aud_day"] < self.D].copy()
        nC = len(court)
        court["vinculado"] = rng.random(nC) < 0.85
        violent = court["group"].isin(list(VIOLENT)).to_numpy()
        u = rng.random(nC)
        court["medida"] = np.where(violent, "PRISION PREVENTIVA OFICIOSA",
                                   np.select([u < 0.3, u < 0.7], ["PRISION PREVENTIVA JUSTIFICADA", "OTRA"], "NINGUNA"))
        court.loc[~court["vinculado"], "medida"] = "NINGUNA"
        res_day = court["aud_day"].to_numpy() + rng.integers(60, 500, nC)
        u = rng.random(nC)
        sent = np.select([u < 0.55, u < 0.70, u < 0.85, u < 0.93], ["CONDENATORIA", "ACUERDO REPARATORIO",
                                                                     "SUSPENSION CONDICIONAL", "ABSOLUTORIA"],
                         "SOBRESEIMIENTO")
        sent = np.where(court["vinculado"], sent, "SOBRESEIMIENTO")
        done = res_day < self.D
        court["res_day"] = np.where(done, res_day, -1)
        court["sentido"] = np.where(done, sent, "")
        pena = np.where(violent, rng.integers(60, 480, nC), rng.integers(6, 72, nC))
        court["pena"] = np.where(court["sentido"] == "CONDENATORIA", pena, -1)
        # prison
        pre = court["medida"].str.startswith("PRISION PREVENTIVA").to_numpy() & court["vinculado"].to_numpy()
        conv = (court["sentido"] == "CONDENATORIA").to_numpy()
        adm = pre | conv
        pr = court[adm].copy()
        pre, conv = pre[adm], conv[adm]
        pr["in_day"] = np.where(pre, pr["aud_day"], pr["res_day"])
        out_day = np.where(conv, pr["in_day"].to_numpy() + (pr["pena"].to_numpy() * 30.4 * rng.uniform(0.4, 1.0, len(pr))).astype(int),
                           np.where(pr["res_day"].to_numpy() >= 0, pr["res_day"].to_numpy(), 10 ** 7))
        # short preventive stays for some non-violent cases
        short = pre & ~conv & (rng.random(len(pr)) < 0.3)
        out_day = np.where(short, pr["in_day"].to_numpy() + rng.integers(20, 200, len(pr)), out_day)
        pr["out_day"] = np.where(out_day < self.D, out_day, -1)
        pr["motivo_egreso"] = np.where(pr["out_day"] < 0, "",
                                       np.where(conv, np.where(rng.random(len(pr)) < 0.6, "COMPURGADO", "PRELIBERACION"),
                                                "LIBERTAD"))
        pr["situacion"] = np.where(conv, "SENTENCIADO", "PROCESADO")
        for name, frame in (("accused", acc_df), ("detentions", det), ("court", court), ("prison", pr)):
            old = getattr(self, name, None)
            setattr(self, name, frame if old is None else pd.concat([old, frame], ignore_index=True))

    def _reoffending(self):
        rng = self.rng
        rel = self.prison[self.prison["out_day"] >= 0]
        re = rel[rng.random(len(rel)) < 0.4]
        day = re["out_day"].to_numpy() + rng.exponential(100, len(re)).astype(int) + 5
        re = re[day < self.D]
        day = day[day < self.D]
        if not len(re):
            self.reoffences = pd.DataFrame(columns=["pid", "cid"])
            return
        orig = self.crimes.loc[re["cid"].to_numpy()]
        home = np.concatenate(self.P.cols["point"])[re["pid"].to_numpy()]
        pt = self.sample_points(len(re), self.pt_alc[home])
        new = pd.DataFrame({
            "delito": orig["delito"].to_numpy(), "day": day, "point": pt, "lat": self.pt_lat[pt],
            "lon": self.pt_lon[pt], "kind": "person", "target": -1, "parent": -1, "near_origin": -1,
            "repeat": False, "vaw_woman": -1, "offenders": [[int(p)] for p in re["pid"]],
            "minute": rng.integers(0, 1440, len(re)), "reported_day": day,
        })
        new["victim"] = self.P.add(len(new), age=(16, 80), alcaldia=self.pt_alc[pt])
        new.index = np.arange(len(self.crimes), len(self.crimes) + len(new))
        self.crimes = pd.concat([self.crimes, new])
        self.offence_rows += [(int(c), int(p)) for c, p in zip(new.index, re["pid"], strict=False)]
        self.reoffences = pd.DataFrame({"pid": re["pid"].to_numpy(), "cid": new.index.to_numpy()})
        self._justice(new, pending_only=True)

    def _calls(self):
        """911 incidents: calls about carpetas, about crimes never reported, VAW calls, and the rest."""
        rng = self.rng
        cr = self.crimes
        n_cr = len(cr)
        grp = self.d_group[cr["delito"].to_numpy()]
        p_call = np.select([np.isin(grp, ["HOMICIDIO_DOLOSO", "FEMINICIDIO", "LESIONES_DOLOSAS", "ARMAS"]),
                            np.isin(grp, ["ROBO_TRANSEUNTE", "ROBO_NEGOCIO", "ROBO_CASA_HABITACION", "ROBO_VEHICULO"]),
                            grp == "VIOLENCIA_FAMILIAR", grp == "NO_DELITO"], [0.85, 0.35, 0.3, 0.2], 0.1)
        det_cids = set(self.detentions["cid"].tolist())
        has = (rng.random(n_cr) < p_call) | np.isin(np.arange(n_cr), sorted(det_cids)) & (rng.random(n_cr) < 0.7)
        ci = np.flatnonzero(has)
        calls = [pd.DataFrame({
            "cid": ci, "day": cr["day"].to_numpy()[ci],
            "minute": np.minimum(cr["minute"].to_numpy()[ci] + rng.integers(1, 40, len(ci)), 1439),
            "code": self.d_code[cr["delito"].to_numpy()[ci]], "point": cr["point"].to_numpy()[ci],
            "caller": np.where(rng.random(len(ci)) < 0.5, cr["victim"].to_numpy()[ci], -1),
            "linea_mujeres": False, "cierre": "A"})]
        vc = self.vaw_contacts[self.vaw_contacts["type"] == "call"]
        home = np.concatenate(self.P.cols["point"])
        lm = rng.random(len(vc)) < 0.4
        calls.append(pd.DataFrame({
            "cid": -1, "day": vc["day"].to_numpy(), "minute": rng.integers(0, 1440, len(vc)),
            "code": "VIOLENCIA_FAMILIAR", "point": home[vc["woman"].to_numpy()],
            "caller": np.where(rng.random(len(vc)) < 0.75, vc["woman"].to_numpy(), -1),
            "linea_mujeres": lm, "cierre": np.where(rng.random(len(vc)) < 0.7, "A", "N")}))
        total = int(round(1_500_000 * self.scale * self.years))
        n_unrep = int(0.14 * total)
        codes_pool = self.d_code[cr["delito"].to_numpy()]
        codes_pool = codes_pool[grp != "NO_DELITO"]
        uc = codes_pool[rng.integers(0, len(codes_pool), n_unrep)] if len(codes_pool) else np.full(n_unrep, "ROBO_OTROS")
        pts = self.sample_points(n_unrep, uniform_share=0.5)
        named = rng.random(n_unrep) < 0.35
        callers = np.full(n_unrep, -1, dtype=np.int64)
        callers[named] = self.P.add(int(named.sum()), age=(16, 80), point=pts[named])
        calls.append(pd.DataFrame({
            "cid": -1, "day": rng.integers(0, self.D, n_unrep), "minute": rng.integers(0, 1440, n_unrep),
            "code": uc, "point": pts, "caller": callers, "linea_mujeres": False,
            "cierre": np.where(rng.random(n_unrep) < 0.55, "A", "N")}))
        n_rest = max(0, total - sum(len(c) for c in calls))
        kinds = np.array(["EMERGENCIA_MEDICA", "SERVICIO", "FALSA_ALARMA", "HECHO_NO_DELICTIVO", "ACCIDENTE"])
        rc = kinds[rng.choice(5, n_rest, p=[0.3, 0.25, 0.15, 0.2, 0.1])]
        pts = self.sample_points(n_rest, uniform_share=0.5)
        named = rng.random(n_rest) < 0.25
        callers = np.full(n_rest, -1, dtype=np.int64)
        callers[named] = self.P.add(int(named.sum()), age=(16, 85), point=pts[named])
        u = rng.random(n_rest)
        cierre = np.select([rc == "FALSA_ALARMA", u < 0.5, u < 0.7, u < 0.8], ["F", "A", "N", "D"], "I")
        calls.append(pd.DataFrame({
            "cid": -1, "day": rng.integers(0, self.D, n_rest), "minute": rng.integers(0, 1440, n_rest),
            "code": rc, "point": pts, "caller": callers, "linea_mujeres": False, "cierre": cierre}))
        k = pd.concat(calls, ignore_index=True)
        k = k.sort_values(["day", "minute", "point"], kind="stable").reset_index(drop=True)
        k["close_min"] = k["minute"] + rng.integers(5, 240, len(k))
        self.calls = k
        # the call of each carpeta (for chains and SSC folio_c5)
        kc = k[k["cid"] >= 0]
        self.call_of_crime = pd.Series(kc.index.to_numpy(), index=kc["cid"].to_numpy())

    def _er(self):
        """ER attentions, each with the crime code the simulation means the record to carry (``code``)."""
        rng = self.rng
        vc = self.vaw_contacts[self.vaw_contacts["type"] == "er"]
        sev = vc["severity"].to_numpy()
        sexual = (sev > 0.5) & (rng.random(len(vc)) < 0.12)
        parts = [pd.DataFrame({"pid": vc["woman"].to_numpy(), "day": vc["day"].to_numpy(), "kind": "vaw",
                               "severity": sev, "aggressor": vc["aggressor"].to_numpy(),
                               "code": np.where(sexual, "ABUSO_SEXUAL", "VIOLENCIA_FAMILIAR")})]
        # an ER attention for each attempted femicide (day of the carpeta): partner violence for the ER
        cr = self.crimes
        att = cr[(cr["vaw_woman"] >= 0) & (self.delito_names[cr["delito"].to_numpy()] == "TENTATIVA DE FEMINICIDIO")]
        parts.append(pd.DataFrame({"pid": att["vaw_woman"].to_numpy(), "day": att["day"].to_numpy(), "kind": "vaw",
                                   "severity": 1.0, "aggressor": [o[0] for o in att["offenders"]],
                                   "code": "VIOLENCIA_FAMILIAR"}))
        grp = self.d_group[cr["delito"].to_numpy()]
        les = cr[(grp == "LESIONES_DOLOSAS") & (rng.random(len(cr)) < 0.5)]
        parts.append(pd.DataFrame({"pid": les["victim"].to_numpy(), "day": les["day"].to_numpy(),
                                   "kind": "assault", "severity": rng.random(len(les)), "aggressor": -1,
                                   "code": self.d_code[les["delito"].to_numpy()]}))
        # victims of sexual crimes seen at the ER (outside partner histories): sexual assault for the ER
        sx = cr[np.isin(grp, ["ABUSO_SEXUAL", "VIOLACION"]) & (cr["vaw_woman"].to_numpy() < 0)
                & (rng.random(len(cr)) < 0.25)]
        parts.append(pd.DataFrame({"pid": sx["victim"].to_numpy(), "day": sx["day"].to_numpy(), "kind": "sexual",
                                   "severity": rng.random(len(sx)), "aggressor": -1, "code": "ABUSO_SEXUAL"}))
        n_acc = int(round(25000 * self.scale * self.years))
        acc = self.P.add(n_acc, age=(1, 90))
        parts.append(pd.DataFrame({"pid": acc, "day": rng.integers(0, self.D, n_acc), "kind": "accident",
                                   "severity": rng.random(n_acc), "aggressor": -1,
                                   "code": np.where(rng.random(n_acc) < 0.9, "ACCIDENTE", "HECHO_NO_DELICTIVO")}))
        e = pd.concat(parts, ignore_index=True)
        self.er = e.sort_values(["day", "pid"], kind="stable").reset_index(drop=True)

    def _civic(self):
        rng = self.rng
        n = int(round(30000 * self.scale * self.years))
        off = self.P.frame()
        pool = np.flatnonzero(off["is_offender"].to_numpy() & (off["rate"].to_numpy() > 0))
        from_off = rng.random(n) < 0.4
        pid = np.empty(n, dtype=np.int64)
        pid[from_off] = pool[rng.integers(0, len(pool), int(from_off.sum()))] if len(pool) else -1
        pid[~from_off] = self.P.add(int((~from_off).sum()), sex=np.where(rng.random(int((~from_off).sum())) < 0.85, "H", "M"),
                                    age=(18, 60))
        det = pd.DataFrame({"cid": -1, "pid": pid, "det_day": rng.integers(0, self.D, n), "civic": True})
        self.detentions = pd.concat([self.detentions, det], ignore_index=True)
        self.detentions = self.detentions.sort_values(["det_day", "pid", "cid"], kind="stable").reset_index(drop=True)

    def _groups_records(self):
        """UIF reports, commission records and communications around each group."""
        rng = self.rng
        uif, com, comm = [], [], []
        phones = np.concatenate(self.P.cols["phone"])
        for g, f in self.members.groupby("group_id"):
            pids = f["pid"].to_numpy()
            core = pids[f["role"].to_numpy() == "core"]
            for _ in range(int(rng.integers(1, 6))):
                a = int(core[rng.integers(0, len(core))])
                b = int(pids[rng.integers(0, len(pids))])
                uif.append((a, b if b != a else -1, int(rng.integers(0, self.D)), g))
            house = self.group_house[g]
            for _ in range(int(rng.integers(1, 4))):
                k = int(rng.integers(1, min(4, len(pids)) + 1))
                named = pids[rng.permutation(len(pids))[:k]]
                com.append((g, tuple(int(x) for x in named), int(rng.integers(0, self.D)), house))
            unknown = rng.integers(5500000000, 5699999999, 3)
            nums = np.concatenate([phones[pids], unknown])
            n_rec = int(rng.integers(30, 150))
            a = rng.integers(0, len(nums), n_rec)
            b = (a + rng.integers(1, len(nums), n_rec)) % len(nums)
            t0 = int(rng.integers(0, max(1, self.D - 120)))
            for x, y, t in zip(a, b, rng.integers(t0 * 1440, min(self.D, t0 + 120) * 1440, n_rec), strict=False):
                comm.append((g, int(nums[x]), int(nums[y]), int(t)))
        # reports about other people, commission records without a group
        n_o = int(round(3000 * self.scale * self.years))
        ppl = self.P.add(2 * n_o, age=(25, 70))
        for i in range(n_o):
            uif.append((int(ppl[2 * i]), int(ppl[2 * i + 1]) if rng.random() < 0.7 else -1,
                        int(rng.integers(0, self.D)), -1))
        n_c = int(round(2000 * self.scale * self.years))
        for _ in range(n_c):
            com.append((-1, (), int(rng.integers(0, self.D)), int(self.sample_points(1)[0])))
        self.uif = pd.DataFrame(uif, columns=["holder", "counterparty", "day", "group_id"]).sort_values(
            ["day", "holder"], kind="stable").reset_index(drop=True)
        self.commissions = pd.DataFrame(com, columns=["group_id", "named", "day", "point"]).sort_values(
            ["day", "group_id"], kind="stable").reset_index(drop=True)
        self.comms = pd.DataFrame(comm, columns=["group_id", "a", "b", "minute"]).sort_values(
            ["minute", "a", "b"], kind="stable").reset_index(drop=True)

    def _finish(self):
        p = self.P.frame()
        rng = self.rng
        n = len(p)
        birth = self.dates(p["birth"].to_numpy())
        by = birth.astype("datetime64[Y]").astype(int) + 1970
        diff = np.where(by >= 2000, np.asarray(list("ABCDEFGHIJ"), dtype=object)[rng.integers(0, 10, n)],
                        rng.integers(0, 10, n).astype(str).astype(object))
        state = np.where(rng.random(n) < 0.8, "DF", np.asarray(["MC", "PL", "HG", "VZ", "OC", "GR", "MN"],
                                                                dtype=object)[rng.integers(0, 7, n)])
        bl = birth.astype(object)
        curp = [build_curp(g, a, b, d, s, st, df) if not leg else ""
                for g, a, b, d, s, st, df, leg in zip(p["given"], p["s1"], p["s2"], bl, p["sex"], state, diff,
                                                       p["is_legal"], strict=False)]
        p["curp"] = curp
        p["number"] = self._house_numbers(p)
        p["birth_date"] = birth
        self.persons = p

    def _house_numbers(self, p: pd.DataFrame) -> np.ndarray:
        """Street number of each person's home: distinct homes on one street of one alcaldía get distinct
        numbers (odd/even sides, in an order scrambled by home id); people sharing a home share it."""
        home = p["home"].to_numpy()
        pt = p["point"].to_numpy()
        n_str = len(self.C["streets"])
        street = (pt * 7919 + 13) % n_str  # the street of a model point (emit.Emitter.pt_streetname)
        homes, first = np.unique(home, return_index=True)
        h_pt = pt[first]
        key = pd.DataFrame({"alc": self.pt_alc[h_pt], "street": street[first],
                            "scr": (homes.astype(np.uint64) * np.uint64(2654435761)) % np.uint64(2 ** 32),
                            "home": homes})
        key = key.sort_values(["alc", "street", "scr", "home"], kind="stable")
        rank = key.groupby(["alc", "street"], sort=False).cumcount().to_numpy()
        num = np.empty(len(homes), dtype=np.int64)
        num[key.index.to_numpy()] = 1 + 2 * rank + (key["scr"].to_numpy() % 2).astype(np.int64)
        return num[np.searchsorted(homes, home)]
