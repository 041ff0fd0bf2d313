"""Build the package's geography from ``shared/data/geo``: ``python -m traceability.geo.build [SRC]``.

Writes three gzipped GeoJSON layers into ``geo/data/`` (coordinates rounded to 6 decimals, about
0.1 m, then validated), so the package runs without ``shared/``:

- ``alcaldias.geojson.gz``: ``alcaldia`` (INEGI cvegeo ``09002``..``09017``), ``name``;
- ``colonias.geojson.gz``: ``colonia`` (``colonia_cve`` as a string), ``name``, ``alcaldia`` (the
  alcaldía holding most of the colonia's area: the source file carries none);
- ``cuadrantes.geojson.gz``: ``cuadrante`` (SSC ``Nomenclatu``, e.g. ``P-1.3.8``), ``alcaldia``,
  ``sector``, ``zona``, ``population`` (``SUMPOB1``), from ``cuadrantes_poblacion_2023.shp``.

Sources: CentroGeo (alcaldías, colonias; Apache-2.0), SSC CDMX (cuadrantes and population).
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

DATA = Path(__file__).parent / "data"
DEFAULT_SRC = Path(__file__).resolve().parents[4] / "shared" / "data" / "geo"
PRECISION = 1e-6


def _clean(geom):
    import shapely

    g = shapely.set_precision(shapely.make_valid(geom), PRECISION)
    if g.geom_type == "GeometryCollection":
        g = shapely.union_all([p for p in g.geoms if p.geom_type in ("Polygon", "MultiPolygon")])
    return g


def _write(path: Path, features: list[dict]) -> int:
    fc = {"type": "FeatureCollection", "features": features}
    text = json.dumps(fc, ensure_ascii=False, separators=(",", ":"))
    with gzip.GzipFile(path, "wb", compresslevel=9, mtime=0) as f:  # mtime=0: byte-identical rebuilds
        f.write(text.encode("utf-8"))
    return path.stat().st_size


def _feature(props: dict, geom) -> dict:
    import shapely

    return {"type": "Feature", "properties": props, "geometry": json.loads(shapely.to_geojson(geom))}


def build(src: Path = DEFAULT_SRC, out: Path = DATA) -> dict[str, int]:
    import geopandas as gpd
    import shapely

    from . import alcaldia_code

    out.mkdir(parents=True, exist_ok=True)
    sizes = {}

    alc = gpd.read_file(src / "alcaldias.geojson")
    alc["geometry"] = [_clean(g) for g in alc.geometry]
    alc = alc.sort_values("cvegeo").reset_index(drop=True)
    sizes["alcaldias"] = _write(out / "alcaldias.geojson.gz", [
        _feature({"alcaldia": r.cvegeo, "name": r.nomgeo}, r.geometry) for r in alc.itertuples()])

    col = gpd.read_file(src / "colonias.geojson")
    col["geometry"] = [_clean(g) for g in col.geometry]
    # the colonia's alcaldía: the one with the largest overlap (areas in a metric CRS)
    alc_m = alc.to_crs(32614)
    col_m = col.to_crs(32614)
    tree = shapely.STRtree(alc_m.geometry.values)
    owners = []
    for g in col_m.geometry.values:
        cand = tree.query(g, predicate="intersects")
        if len(cand) == 0:
            owners.append(None)
            continue
        areas = [g.intersection(alc_m.geometry.values[i]).area for i in cand]
        owners.append(alc_m.cvegeo.values[cand[max(range(len(cand)), key=areas.__getitem__)]])
    col["alcaldia"] = owners
    col = col.sort_values("colonia_cve").reset_index(drop=True)
    sizes["colonias"] = _write(out / "colonias.geojson.gz", [
        _feature({"colonia": str(int(r.colonia_cve)), "name": r.colonia_nombre, "alcaldia": r.alcaldia}, r.geometry)
        for r in col.itertuples()])

    cua = gpd.read_file(src / "cuadrantes_poblacion_2023.shp")
    cua["geometry"] = [_clean(g) for g in cua.geometry]
    cua["alcaldia"] = [alcaldia_code(d) for d in cua.Deleg]
    missing = sorted(set(cua.Deleg[cua.alcaldia.isna()]))
    if missing:
        raise ValueError(f"cuadrantes: alcaldía names not recognised: {missing}")
    cua = cua.sort_values("Nomenclatu").reset_index(drop=True)
    sizes["cuadrantes"] = _write(out / "cuadrantes.geojson.gz", [
        _feature({"cuadrante": r.Nomenclatu, "alcaldia": r.alcaldia, "sector": r.Sector, "zona": r.Zona,
                  "population": int(r.SUMPOB1) if r.SUMPOB1 == r.SUMPOB1 else None}, r.geometry)
        for r in cua.itertuples()])
    return sizes


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    src = Path(argv[0]) if argv else DEFAULT_SRC
    if not src.is_dir():
        raise SystemExit(f"{src}: no such folder (give the path of shared/data/geo)")
    for layer, size in build(src).items():
        print(f"{layer}: {size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
