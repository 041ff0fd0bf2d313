"""The synthetic city keeps its own promises (planted truth, formats, determinism)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from traceability.synth.curp import build_curp, curp_check_digit, is_valid_curp

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
M_LAT, M_LON = 110_950.0, 104_850.0


def _read(path: Path) -> pd.DataFrame:
    if path.suffix == ".xlsx":
        return pd.read_excel(path, dtype=str)
    if path.suffix == ".jsonl":
        return pd.read_json(path, lines=True, dtype=str)
    enc = "latin-1" if "c5_911" in path.name else "utf-8-sig"
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=enc)


def _files(city: Path, source: str) -> list[Path]:
    return sorted(city.glob(f"{source}/*.csv")) + sorted(city.glob(f"{source}.*"))


def test_curp_check_digit_known_and_built():
    # check digit computed by hand: weights 18..2 over the 0-9A-NÑO-Z alphabet
    body = "HECG900517MDFRRD0"
    total = sum("0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ".index(c) * (18 - i) for i, c in enumerate(body))
    assert curp_check_digit(body) == str((10 - total % 10) % 10)
    from datetime import date

    c = build_curp("MARÍA GUADALUPE", "HERNÁNDEZ", "DE LA CRUZ", date(1990, 5, 17), "M")
    assert c.startswith("HECG900517MDF") and is_valid_curp(c)
    assert not is_valid_curp(c[:17] + str((int(c[17]) + 1) % 10))
    assert build_curp("JOSÉ LUIS", "PEÑA", "", date(2003, 1, 2), "H", differentiator="A").startswith("PEXL030102H")


def test_curps_in_truth_and_sources_are_valid(synth_city):
    p = pd.read_csv(synth_city / "truth/persons.csv", dtype=str, keep_default_na=False)
    cu = p.loc[p["curp"] != "", "curp"]
    assert len(cu) > 1000 and cu.map(is_valid_curp).all()
    v = _read(synth_city / "fgj_victimas.csv")
    assert v.loc[v["curp"] != "", "curp"].map(is_valid_curp).all()


def test_surnames_skewed_like_real_ones(synth_city):
    p = pd.read_csv(synth_city / "truth/persons.csv", dtype=str, keep_default_na=False)
    p = p[p["is_legal_person"] == "0"]
    share = p["surname_1"].value_counts(normalize=True)
    assert share.index[0] == "HERNANDEZ" and 0.04 < share.iloc[0] < 0.12
    assert (p["given_names"].str.contains(" ")).mean() > 0.2  # compound given names


def _readme_columns() -> dict[str, list[str]]:
    readme = SHARED / "formats" / "README.md"
    if not readme.exists():
        pytest.skip("shared/formats/README.md not present")
    text = readme.read_text(encoding="utf-8")
    out = {}
    for sec in re.split(r"^## ", text, flags=re.M)[1:]:
        m = re.match(r"`(\w+)`", sec)
        if not m:
            continue
        lists = [[c.strip().split(" (")[0].strip() for c in re.split(r",\s*(?![^()]*\))", b)]
                 for b in re.findall(r"`([^`\n]+)`", sec) if ", " in b]
        out[m.group(1)] = lists
    return out


def test_every_format_has_exactly_the_readme_columns(synth_city):
    from traceability.synth.emit import C5_OLD, COLUMNS

    spec = _readme_columns()
    assert len(COLUMNS) == 12
    for source, cols in COLUMNS.items():
        lists = spec[source]
        if source == "fgj_carpetas":
            portal24 = next(x for x in lists if x[0] == "anio_inicio")
            expected = ["id_carpeta", *portal24, "calle_hecho"]
        elif source == "c5_911":
            expected = lists[0] + ["nombre_llamante", "telefono_llamante", "linea_mujeres"]
        elif source == "fgj_victimas":
            expected = next(x for x in lists if x[0] == "id_victima")
        else:
            expected = lists[0]
        assert cols == expected, source
        files = _files(synth_city, source)
        assert files, source
        for f in files:
            header = list(_read(f).columns)
            if source == "c5_911" and header != expected:
                assert header == C5_OLD, f.name
            else:
                assert header == expected, f.name
    assert any(_read(f).columns.tolist() == C5_OLD for f in _files(synth_city, "c5_911"))
    raw = (synth_city / "cjm_casos.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")


def test_labels_come_from_the_taxonomy_vocabularies(synth_city):
    from traceability.synth.model import labels

    pairs = [("c5_911", "incidente_c4", "c5_911"), ("ssc_detenciones", "motivo", "ssc_detenciones"),
             ("comisiones_seguridad", "tema", "comisiones_seguridad"), ("ssa_lesiones", "intencionalidad", "ssa_lesiones")]
    for source, col, voc in pairs:
        vals = set(pd.concat([_read(f)[col] for f in _files(synth_city, source)]))
        assert vals <= set(labels(voc)["label"]), source
    cjm = _read(synth_city / "cjm_casos.csv")
    tipos = {t for v in cjm["tipo_violencia"] for t in v.split("|")}
    assert tipos <= set(labels("cjm_casos")["label"])


def test_truth_covers_every_person_mention(synth_city):
    m = pd.read_csv(synth_city / "truth/person_mentions.csv", dtype=str, keep_default_na=False)
    persons = pd.read_csv(synth_city / "truth/persons.csv", dtype=str, keep_default_na=False)
    assert set(m["true_person_id"]) <= set(persons["true_person_id"])
    keycol = {"fgj_victimas": "id_victima", "fgj_imputados": "id_imputado", "ssc_detenciones": "id_detencion",
              "tsj_causas": "id_registro", "penitenciario": "id_ingreso", "cjm_casos": "folio",
              "ssa_lesiones": "id_atencion", "uif_reportes": "id_reporte", "c5_911": "folio"}
    for source, key in keycol.items():
        df = pd.concat([_read(f) for f in _files(synth_city, source)])
        if source == "c5_911":
            df = df[df["nombre_llamante"] != ""]
        got = set(m.loc[m["source"] == source, "source_key"])
        assert set(df[key]) <= got, source
    cjm = _read(synth_city / "cjm_casos.csv")
    agg = set(m.loc[(m["source"] == "cjm_casos") & (m["role"] == "aggressor"), "source_key"])
    assert agg == set(cjm.loc[cjm["nombre_agresor"] != "", "folio"])
    uif = _read(synth_city / "uif_reportes.csv")
    cp = set(m.loc[(m["source"] == "uif_reportes") & (m["role"] == "counterparty"), "source_key"])
    assert cp == set(uif.loc[uif["contraparte_nombre"] != "", "id_reporte"])
    com = _read(synth_city / "comisiones_seguridad.csv")
    n_alias = com["alias_mencionados"].map(lambda s: len([a for a in s.split("|") if a])).sum()
    assert (m["source"] == "comisiones_seguridad").sum() == n_alias


def test_offending_is_concentrated(synth_city):
    o = pd.read_csv(synth_city / "truth/offences.csv")
    counts = np.sort(o["true_person_id"].value_counts().to_numpy())[::-1]
    top = counts[: max(1, round(0.05 * len(counts)))].sum() / counts.sum()
    assert 0.35 <= top <= 0.65, top


def test_repeat_victimization_share_and_decay(synth_city):
    te = pd.read_csv(synth_city / "truth/target_events.csv", parse_dates=["day"]).sort_values(["target_id", "day"])
    per = te.groupby("target_id").size()
    assert 0.04 < (per > 1).mean() < 0.30
    gaps = te.groupby("target_id")["day"].diff().dt.days.dropna().to_numpy()
    # risk per day decays: the first month holds far more repeats per day than months 4-12
    early = ((gaps >= 0) & (gaps < 30)).sum() / 30
    late = ((gaps >= 90) & (gaps < 365)).sum() / 275
    assert early > 4 * late


def _knox_ratio(df: pd.DataFrame, rng, perms: int = 30, dmax=200.0, tmax=14) -> float:
    lat, lon = df["latitud"].astype(float).to_numpy(), df["longitud"].astype(float).to_numpy()
    day = pd.to_datetime(df["fecha_hecho"]).to_numpy().astype("datetime64[D]").astype(int)
    dy = (lat[:, None] - lat[None, :]) * M_LAT
    dx = (lon[:, None] - lon[None, :]) * M_LON
    close = np.triu(np.hypot(dx, dy) < dmax, 1)
    i, j = np.nonzero(close)

    def count(d):
        return int((np.abs(d[i] - d[j]) <= tmax).sum())

    obs = count(day)
    exp = np.mean([count(rng.permutation(day)) for _ in range(perms)])
    return obs / max(exp, 0.5)


def test_near_repeat_for_burglary_only(synth_city):
    car = pd.concat([_read(f) for f in _files(synth_city, "fgj_carpetas")])
    car = car[(car["latitud"] != "") & (car["longitud"] != "")]
    rng = np.random.default_rng(1)
    burg = car[car["delito"].str.startswith("ROBO A CASA HABITACION")]
    assert len(pd.read_csv(synth_city / "truth/near_repeat.csv")) > 0
    assert _knox_ratio(burg, rng) > 3
    street = car[car["delito"].str.startswith("ROBO A TRANSEUNTE")]
    assert len(street) > 100
    assert _knox_ratio(street, rng) < 2


def test_vaw_histories_and_justice_attrition(synth_city):
    vaw = pd.read_csv(synth_city / "truth/vaw.csv", dtype=str, keep_default_na=False)
    assert (vaw["femicide_date"] != "").sum() >= 1
    c5 = pd.concat([_read(f) for f in _files(synth_city, "c5_911")])
    assert (c5["linea_mujeres"] == "SI").sum() > 0
    les = _read(synth_city / "ssa_lesiones.csv")
    assert (les["cie10_causa_externa"] == "Y07.0").sum() > 0
    n_car = sum(len(_read(f)) for f in _files(synth_city, "fgj_carpetas"))
    imp = _read(synth_city / "fgj_imputados.csv")
    tsj = _read(synth_city / "tsj_causas.csv")
    pen = _read(synth_city / "penitenciario.xlsx")
    assert imp["id_carpeta"].nunique() < 0.35 * n_car
    assert len(tsj) < len(imp)
    assert (tsj["sentido"] == "CONDENATORIA").sum() < len(tsj)
    assert 0 < len(pen) < len(tsj) + 1 and (pen["fecha_egreso"].fillna("") != "").any()


def test_crime_mix_per_alcaldia_close_to_real(synth_city):
    real_mix = Path(__file__).resolve().parents[2] / "src/traceability/synth/data/crime_mix.csv.gz"
    if not (SHARED / "data/fgj/carpetas_puntos_2019_2024.csv.gz").exists():
        pytest.skip("shared carpetas not present")
    real = pd.read_csv(real_mix, dtype={"alcaldia": str}).groupby("alcaldia")["n"].sum()
    real = real / real.sum()
    car = pd.concat([_read(f) for f in _files(synth_city, "fgj_carpetas")])
    from traceability.synth.citymodel import ALCALDIAS, plain

    code = {v: k for k, v in ALCALDIAS.items()}
    got = car["alcaldia_hecho"].map(lambda s: code[plain(s)]).value_counts(normalize=True)
    diff = (got.reindex(real.index, fill_value=0) - real).abs()
    assert diff.max() < 0.03, diff.sort_values().tail(3)


@pytest.mark.slow
def test_same_seed_same_bytes(synth_city, tmp_path):
    from traceability.synth import generate_city

    def digest(d: Path) -> dict:
        return {str(p.relative_to(d)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.rglob("*"))
                if p.is_file()}

    generate_city(tmp_path / "again", scale=0.03, years=1, seed=7)
    assert digest(tmp_path / "again") == digest(synth_city)
    json.dumps(digest(synth_city))


def test_prison_admissions_carry_birth_dates(synth_city):
    """Every inmate has a birth date (a negative day number is a date before the start, not a missing one)."""
    import openpyxl

    wb = openpyxl.load_workbook(synth_city / "penitenciario.xlsx", read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    col = rows[0].index("fecha_nacimiento")
    births = [r[col] for r in rows[1:]]
    assert births and all(b is not None for b in births)
    assert all(1900 < b.year < 2015 for b in births)
