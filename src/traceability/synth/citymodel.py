"""Build the compact city model the generator ships with, from the real shared data.

Run once (``python -m traceability.synth.citymodel [--shared ../shared]``); the output goes to
``synth/data/`` and is committed, so generating a city never needs ``shared/`` at run time.

Files written
-------------
``cuadrantes.csv``      cuadrante, alcaldia (INEGI code), sector, population (SUMPOB1).
``points.csv.gz``       up to ``POINTS_PER_CUADRANTE`` points drawn uniformly inside each cuadrante polygon,
                        with the colonia (``colonia_cve``) and alcaldía the point falls in.
``colonias.csv``        colonia_cve, colonia_nombre, alcaldia.
``crime_mix.csv.gz``    alcaldia, month (1-12), delito, n: mean carpetas per year 2019-2024 of the real FGJ
                        carpetas (points extract), with ``categoria_delito`` in ``delitos.csv``.
``delitos.csv``         delito, categoria_delito, hour histogram (h00..h23) of the real file.
``municipios.csv.gz``   state (INEGI entity, 2 digits), state_name, municipio (INEGI 5 digits), municipio_name,
                        weight: incidents of 2025 (all types, all months) of the SESNSP municipal file, which
                        weights the volumes of other states in national runs (``--scale`` above 1, ``states.py``).
"""

from __future__ import annotations

import argparse
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
POINTS_PER_CUADRANTE = 120

ALCALDIAS = {
    "09002": "AZCAPOTZALCO", "09003": "COYOACAN", "09004": "CUAJIMALPA DE MORELOS", "09005": "GUSTAVO A MADERO",
    "09006": "IZTACALCO", "09007": "IZTAPALAPA", "09008": "LA MAGDALENA CONTRERAS", "09009": "MILPA ALTA",
    "09010": "ALVARO OBREGON", "09011": "TLAHUAC", "09012": "TLALPAN", "09013": "XOCHIMILCO",
    "09014": "BENITO JUAREZ", "09015": "CUAUHTEMOC", "09016": "MIGUEL HIDALGO", "09017": "VENUSTIANO CARRANZA",
}


def plain(s: str) -> str:
    s = unicodedata.normalize("NFKD", str(s).upper().replace("Ñ", "\0"))
    s = "".join(c for c in s if not unicodedata.combining(c)).replace("\0", "Ñ")
    s = "".join(c if c.isalnum() or c == "Ñ" else " " for c in s)
    return " ".join(s.split())


def _sample_points(geoms, n: int, rng: np.random.Generator):
    import shapely

    out_idx, out_x, out_y = [], [], []
    for i, g in enumerate(geoms):
        x0, y0, x1, y1 = g.bounds
        got_x, got_y, tries = [], [], 0
        while sum(len(a) for a in got_x) < n and tries < 50:
            xs = rng.uniform(x0, x1, 4 * n)
            ys = rng.uniform(y0, y1, 4 * n)
            ok = shapely.contains_xy(g, xs, ys)
            got_x.append(xs[ok])
            got_y.append(ys[ok])
            tries += 1
        xs = np.concatenate(got_x)[:n]
        ys = np.concatenate(got_y)[:n]
        out_idx.append(np.full(len(xs), i))
        out_x.append(xs)
        out_y.append(ys)
    return np.concatenate(out_idx), np.concatenate(out_x), np.concatenate(out_y)


def build(shared: Path, out: Path = DATA, seed: int = 20230101) -> dict:
    import geopandas as gpd

    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    geo = shared / "data" / "geo"
    cua = gpd.read_file(geo / "cuadrantes_poblacion_2023.shp").to_crs(4326)
    cua = cua[cua["Nomenclatu"].notna()].sort_values("Nomenclatu").reset_index(drop=True)
    alc = gpd.read_file(geo / "alcaldias.geojson").to_crs(4326)
    col = gpd.read_file(geo / "colonias.geojson").to_crs(4326)

    idx, xs, ys = _sample_points(list(cua.geometry), POINTS_PER_CUADRANTE, rng)
    pts = gpd.GeoDataFrame({"ci": idx}, geometry=gpd.points_from_xy(xs, ys), crs=4326)
    pts = gpd.sjoin(pts, alc[["cvegeo", "geometry"]], how="left", predicate="within").drop(columns="index_right")
    pts = pts[~pts.index.duplicated()]
    pts = gpd.sjoin(pts, col[["colonia_cve", "geometry"]], how="left", predicate="within").drop(columns="index_right")
    pts = pts[~pts.index.duplicated()]
    # the cuadrante's alcaldía: the most frequent one among its points
    c_alc = pts.dropna(subset=["cvegeo"]).groupby("ci")["cvegeo"].agg(lambda s: s.value_counts().index[0])
    cua["alcaldia"] = c_alc.reindex(range(len(cua))).values
    cua["alcaldia"] = cua["alcaldia"].fillna(
        gpd.sjoin(gpd.GeoDataFrame(geometry=cua.geometry.representative_point(), crs=4326),
                  alc[["cvegeo", "geometry"]], how="left", predicate="within")["cvegeo"].groupby(level=0).first())
    pts["cvegeo"] = pts["cvegeo"].fillna(pts["ci"].map(cua["alcaldia"]))
    pts = pts.dropna(subset=["colonia_cve", "cvegeo"])
    cuadrantes = pd.DataFrame({
        "cuadrante": cua["Nomenclatu"].astype(str), "alcaldia": cua["alcaldia"].astype(str),
        "sector": cua["Sector"].astype(str), "population": cua["SUMPOB1"].fillna(0).round().astype(int),
    })
    cuadrantes.to_csv(out / "cuadrantes.csv", index=False)
    pd.DataFrame({
        "ci": pts["ci"].astype(int), "lat": pts.geometry.y.round(5), "lon": pts.geometry.x.round(5),
        "colonia_cve": pts["colonia_cve"].astype(int), "alcaldia": pts["cvegeo"].str[-2:].astype(int),
    }).sort_values(["ci", "lat", "lon"]).to_csv(out / "points.csv.gz", index=False, compression={"method": "gzip", "mtime": 0})
    colon = gpd.sjoin(gpd.GeoDataFrame(col[["colonia_cve", "colonia_nombre"]],
                                       geometry=col.geometry.representative_point(), crs=4326),
                      alc[["cvegeo", "geometry"]], how="left", predicate="within")
    colon = colon[~colon.index.duplicated()]
    pd.DataFrame({"colonia_cve": colon["colonia_cve"].astype(int),
                  "colonia_nombre": colon["colonia_nombre"].map(plain),
                  "alcaldia": colon["cvegeo"].fillna("")}).sort_values("colonia_cve").to_csv(
        out / "colonias.csv", index=False)

    # crime mix from the real carpetas
    fgj = shared / "data" / "fgj"
    df = pd.read_csv(fgj / "carpetas_puntos_2019_2024.csv.gz",
                     usecols=["alcaldia_hecho", "delito", "fecha_hecho", "hora_hecho", "anio_hecho"],
                     dtype=str)
    by_name = {plain(v): k for k, v in ALCALDIAS.items()}
    df["alcaldia"] = df["alcaldia_hecho"].map(lambda s: by_name.get(plain(s)))
    df["month"] = pd.to_numeric(df["fecha_hecho"].str[5:7], errors="coerce")
    df["year"] = pd.to_numeric(df["fecha_hecho"].str[:4], errors="coerce")
    df = df.dropna(subset=["alcaldia", "month", "delito"])
    df = df[df["year"].between(2019, 2024)]
    n_years = 6
    mix = (df.groupby(["alcaldia", "month", "delito"]).size() / n_years).rename("n").reset_index()
    mix["month"] = mix["month"].astype(int)
    mix["n"] = mix["n"].round(3)
    mix.sort_values(["alcaldia", "month", "delito"]).to_csv(
        out / "crime_mix.csv.gz", index=False, compression={"method": "gzip", "mtime": 0})
    hours = pd.to_numeric(df["hora_hecho"].str[:2], errors="coerce")
    df["h"] = hours.where(hours.between(0, 23), 12).astype(int)
    hist = df.groupby(["delito", "h"]).size().unstack(fill_value=0).reindex(columns=range(24), fill_value=0)
    hist.columns = [f"h{h:02d}" for h in range(24)]
    cats = pd.read_csv(fgj / "categorias_victimas.csv", dtype=str)
    cat_map = dict(zip(cats["Delito"].map(plain), cats["Categoria"], strict=False))
    delitos = hist.reset_index()
    delitos.insert(1, "categoria_delito", delitos["delito"].map(
        lambda d: cat_map.get(plain(d), "HECHO NO DELICTIVO" if plain(d).startswith(("PERDIDA", "HECHO NO"))
                              else "DELITO DE BAJO IMPACTO")))
    delitos.sort_values("delito").to_csv(out / "delitos.csv", index=False)
    return {"cuadrantes": len(cuadrantes), "points": len(pts), "cells": len(mix), "delitos": len(delitos)}


def build_states(shared: Path, out: Path = DATA) -> dict:
    """Per-municipality weights of every state from ``shared/data/sesnsp/sesnsp_municipal_2025_por_tipo.csv``
    (UTF-8 with BOM); municipalities "No Especificado" and with no incident are left out."""
    src = shared / "data" / "sesnsp" / "sesnsp_municipal_2025_por_tipo.csv"
    df = pd.read_csv(src, encoding="utf-8-sig")
    months = ["Ene", "Feb", "Mar", "Abr", "May", "Jun", "Jul", "Ago", "Sep", "Oct", "Nov", "Dic"]
    df["weight"] = df[months].sum(axis=1)
    df = df[~df["Municipio"].map(plain).str.startswith("NO ESPECIFICADO")]
    g = df.groupby(["EntidadID", "Entidad", "MunicipioID", "Municipio"], as_index=False)["weight"].sum()
    g = g[g["weight"] > 0]
    res = pd.DataFrame({"state": g["EntidadID"].map(lambda x: f"{int(x):02d}"), "state_name": g["Entidad"].map(plain),
                        "municipio": g["MunicipioID"].map(lambda x: f"{int(x):05d}"),
                        "municipio_name": g["Municipio"].map(plain), "weight": g["weight"].astype(int)})
    res = res.sort_values(["state", "municipio"]).reset_index(drop=True)
    out.mkdir(parents=True, exist_ok=True)
    res.to_csv(out / "municipios.csv.gz", index=False, compression={"method": "gzip", "mtime": 0})
    return {"states": res["state"].nunique(), "municipios": len(res)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=HERE.parents[2].parent / "shared")
    ap.add_argument("--out", type=Path, default=DATA)
    ap.add_argument("--states-only", action="store_true", help="rebuild only municipios.csv.gz")
    a = ap.parse_args(argv)
    if not a.states_only:
        print(build(a.shared, a.out))
    print(build_states(a.shared, a.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
