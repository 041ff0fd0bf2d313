"""National runs: other states simulated on the city template, weighted by the SESNSP municipal counts.

``generate_city(out, scale)`` with ``scale`` above 1 writes Mexico City at scale 1.0 into ``out`` (byte-identical
to a scale-1.0 run of the same seed) and the remaining ``scale - 1`` city-years, split over the other 31 states
in proportion to their 2025 SESNSP incidents (``data/municipios.csv.gz``), into ``out/states/<state>/`` with the
same formats and truth files. The whole country is about ``national_scale()`` (≈ 9.6) city-years.

Each state reuses the simulated city (people, offending, repeats, VAW, the justice chain) and relabels its
places: the model's cuadrantes, in nomenclature order, are cut into contiguous blocks whose shares of expected
carpetas follow the municipalities' weights, so volumes per municipality follow SESNSP. The alcaldía/municipio
columns carry the municipality's name; colonias, cuadrantes and coordinates are empty (no geometry ships for
other states); carpeta numbers use fiscalía ``FGE<state>``; every other record key starts with ``E<state>-``;
true person ids are offset by ``state × 10^8`` so truth files of several states can be stacked.
``out/states/states.csv`` lists ``state, state_name, scale, seed, municipios, carpetas, calls_911, persons``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from .model import DATA

CDMX = "09"
PID_OFFSET = 100_000_000


@cache
def municipios() -> pd.DataFrame:
    return pd.read_csv(DATA / "municipios.csv.gz", dtype={"state": str, "municipio": str})


def state_weights() -> pd.Series:
    return municipios().groupby("state")["weight"].sum()


def national_scale() -> float:
    """City-years of the whole country (all states' incidents over Mexico City's)."""
    w = state_weights()
    return float(w.sum() / w[CDMX])


def allocate(scale: float, states=None) -> dict[str, float]:
    """Scale of each simulated state: Mexico City ``min(scale, 1)``, the rest of ``scale`` over the other states
    (all, or those listed in ``states``) in proportion to their weight. States below 0.002 are dropped."""
    out = {CDMX: min(float(scale), 1.0)}
    rest = float(scale) - out[CDMX]
    if rest <= 0:
        return out
    w = state_weights().drop(CDMX)
    if states is not None:
        w = w[w.index.isin([f"{int(s):02d}" for s in states])]
    share = rest * w / w.sum()
    out.update({s: round(float(v), 6) for s, v in share.items() if v >= 0.002})
    return out


@dataclass
class Region:
    state: str
    state_name: str
    key_prefix: str
    pid_offset: int
    pt_mun: np.ndarray  # municipio code of each model point
    names: dict
    fiscalia: dict
    sede: str


def crime_volume(C: dict) -> np.ndarray:
    """Expected carpetas per cuadrante: the alcaldía's total of the crime mix spread as ``World.sample_points``
    spreads crimes (population plus a 0.4 uniform share)."""
    pop = C["pop"]
    alc = C["cua"]["alcaldia"].to_numpy()
    tot = C["mix"].groupby("alcaldia")["n"].sum()
    vol = np.zeros(len(pop))
    for a, n in tot.items():
        w = pop * (alc == a)
        w = w + 0.4 * w.mean() * (w > 0)
        if w.sum() > 0:
            vol += n * w / w.sum()
    return vol


def region(state: str, C: dict) -> Region:
    """The state's relabelling of the city model ``C`` (``model.city()``)."""
    m = municipios()
    m = m[m["state"] == state].sort_values("municipio").reset_index(drop=True)
    if m.empty:
        raise ValueError(f"no municipalities for state {state}")
    cua = C["cua"]
    order = np.argsort(cua["cuadrante"].to_numpy().astype(str), kind="stable")
    vol = crime_volume(C)[order]
    cum = np.cumsum(vol) / vol.sum()
    # the cuadrante at the middle of its crime share goes to the municipality whose weight share holds it
    mid = cum - vol / vol.sum() / 2
    edges = np.cumsum(m["weight"].to_numpy()) / m["weight"].sum()
    mun_of_cua = np.empty(len(cua), dtype=object)
    mun_of_cua[order] = m["municipio"].to_numpy()[np.minimum(np.searchsorted(edges, mid), len(m) - 1)]
    pt_mun = mun_of_cua[C["pts"]["ci"].to_numpy()]
    name = m["state_name"].iloc[0]
    return Region(state=state, state_name=name, key_prefix=f"E{state}-", pid_offset=int(state) * PID_OFFSET,
                  pt_mun=pt_mun, names=dict(zip(m["municipio"], m["municipio_name"], strict=True)),
                  fiscalia={c: (f"FGE{state}", f"M{c[2:]}") for c in m["municipio"]}, sede=name)
