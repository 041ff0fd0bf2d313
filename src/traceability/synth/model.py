"""The shipped city model (synth/data/) and the raw vocabularies (taxonomy/data/labels_*.csv)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parent / "data"
TAXONOMY = Path(__file__).resolve().parents[1] / "taxonomy" / "data"

ALCALDIA_NAMES = {
    "09002": "AZCAPOTZALCO", "09003": "COYOACÁN", "09004": "CUAJIMALPA DE MORELOS", "09005": "GUSTAVO A. MADERO",
    "09006": "IZTACALCO", "09007": "IZTAPALAPA", "09008": "LA MAGDALENA CONTRERAS", "09009": "MILPA ALTA",
    "09010": "ÁLVARO OBREGÓN", "09011": "TLÁHUAC", "09012": "TLALPAN", "09013": "XOCHIMILCO",
    "09014": "BENITO JUÁREZ", "09015": "CUAUHTÉMOC", "09016": "MIGUEL HIDALGO", "09017": "VENUSTIANO CARRANZA",
}
# fiscalía prefix of carpeta numbers and agency prefix, per alcaldía
FISCALIA = {
    "09002": ("FIAZ", "AZ"), "09003": ("FICOY", "COY"), "09004": ("FICUJ", "CUJ"), "09005": ("FIGAM", "GAM"),
    "09006": ("FIIZC", "IZC"), "09007": ("FIIZP", "IZP"), "09008": ("FIMC", "MC"), "09009": ("FIMA", "MA"),
    "09010": ("FIAO", "AO"), "09011": ("FITH", "TH"), "09012": ("FITLP", "TLP"), "09013": ("FIXO", "XO"),
    "09014": ("FIBJ", "BJ"), "09015": ("FICUH", "CUH"), "09016": ("FIMH", "MH"), "09017": ("FIVC", "VC"),
}
CJM_SEDE = {
    "09002": "AZCAPOTZALCO", "09005": "AZCAPOTZALCO", "09016": "AZCAPOTZALCO", "09015": "CUAUHTEMOC",
    "09014": "CUAUHTEMOC", "09017": "CUAUHTEMOC", "09006": "IZTAPALAPA", "09007": "IZTAPALAPA",
    "09011": "IZTAPALAPA", "09009": "TLALPAN", "09012": "TLALPAN", "09013": "TLALPAN", "09003": "TLALPAN",
    "09008": "MAGDALENA CONTRERAS", "09010": "ALVARO OBREGON", "09004": "ALVARO OBREGON",
}
CODE_GROUP = {
    "FEMINICIDIO_TENTATIVA": "FEMINICIDIO", "LESIONES_ARMA_FUEGO": "LESIONES_DOLOSAS", "ACOSO_SEXUAL": "ABUSO_SEXUAL",
    "OTROS_SEXUALES": "ABUSO_SEXUAL", "ROBO_CASA_HABITACION_CV": "ROBO_CASA_HABITACION",
    "ROBO_CASA_HABITACION_SV": "ROBO_CASA_HABITACION", "ROBO_NEGOCIO_CV": "ROBO_NEGOCIO",
    "ROBO_NEGOCIO_SV": "ROBO_NEGOCIO", "ROBO_TRANSEUNTE_CV": "ROBO_TRANSEUNTE", "ROBO_TRANSEUNTE_SV": "ROBO_TRANSEUNTE",
    "ROBO_VEHICULO_CV": "ROBO_VEHICULO", "ROBO_VEHICULO_SV": "ROBO_VEHICULO", "ROBO_AUTOPARTES": "ROBO_VEHICULO",
    "ROBO_TRANSPORTE_PUBLICO": "ROBO_TRANSPORTE", "ROBO_TRANSPORTISTA": "ROBO_TRANSPORTE",
    "ROBO_REPARTIDOR": "ROBO_TRANSPORTE", "ABUSO_CONFIANZA": "FRAUDE", "PORTACION_ARMA": "ARMAS",
    "HECHO_NO_DELICTIVO": "NO_DELITO", "ACCIDENTE": "NO_DELITO", "EMERGENCIA_MEDICA": "NO_DELITO",
    "SERVICIO": "NO_DELITO", "FALSA_ALARMA": "NO_DELITO",
}


def crime_group(code: str) -> str:
    return CODE_GROUP.get(code, code)


# Vocabularies used only until taxonomy/data/labels_<source>.csv exists (same label,code columns).
_FALLBACK = {
    "c5_911": [("Robo-Otros", "ROBO_OTROS"), ("Violencia-Familiar", "VIOLENCIA_FAMILIAR"),
               ("Urgencia Médica-Enfermo", "EMERGENCIA_MEDICA"), ("Servicio-Información", "SERVICIO"),
               ("Falsa Alarma", "FALSA_ALARMA"), ("Accidente-Choque sin Lesionados", "ACCIDENTE"),
               ("Delito-Otros", "OTROS_DELITOS")],
    "ssc_detenciones": [("ROBO", "ROBO_OTROS"), ("FALTA ADMINISTRATIVA", "HECHO_NO_DELICTIVO"),
                        ("VIOLENCIA FAMILIAR", "VIOLENCIA_FAMILIAR"), ("NARCOMENUDEO", "NARCOMENUDEO")],
    "cjm_casos": [("FISICA", "VIOLENCIA_FAMILIAR"), ("PSICOLOGICA", "VIOLENCIA_FAMILIAR"),
                  ("SEXUAL", "ABUSO_SEXUAL"), ("ECONOMICA", "VIOLENCIA_FAMILIAR"),
                  ("PATRIMONIAL", "VIOLENCIA_FAMILIAR"), ("FEMINICIDA", "FEMINICIDIO_TENTATIVA")],
    "comisiones_seguridad": [("VENTA DE DROGAS", "NARCOMENUDEO"), ("ROBO", "ROBO_OTROS"),
                             ("EXTORSION", "EXTORSION"), ("RIÑAS", "HECHO_NO_DELICTIVO")],
    "ssa_lesiones": [("VIOLENCIA FAMILIAR", "VIOLENCIA_FAMILIAR"), ("VIOLENCIA NO FAMILIAR", "LESIONES_DOLOSAS"),
                     ("ACCIDENTAL", "ACCIDENTE"), ("AUTOINFLIGIDO", "HECHO_NO_DELICTIVO"),
                     ("SE IGNORA", "HECHO_NO_DELICTIVO"), ("TRATA", "TRATA")],
}


@cache
def labels(source: str) -> pd.DataFrame:
    """The raw vocabulary of a source (label, code, …): the taxonomy's file, else a small fallback."""
    path = TAXONOMY / f"labels_{source}.csv"
    if path.exists():
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    else:
        df = pd.DataFrame(_FALLBACK[source], columns=["label", "code"])
    df["group"] = df["code"].map(crime_group)
    return df


def pick_label(source: str, codes: np.ndarray, rng: np.random.Generator, column: str = "label",
               default_group: str = "OTROS_DELITOS") -> np.ndarray:
    """For each canonical code, a raw label of ``source`` with the same code, else the same crime group."""
    voc = labels(source)
    voc = voc[voc[column] != "*"] if column in voc else voc
    out = np.empty(len(codes), dtype=object)
    codes = np.asarray(codes, dtype=object)
    for code in sorted(set(codes.tolist())):
        m = codes == code
        cand = voc.loc[voc["code"] == code, column].drop_duplicates().tolist()
        if not cand:
            cand = voc.loc[voc["group"] == crime_group(code), column].drop_duplicates().tolist()
        if not cand:
            cand = voc.loc[voc["group"] == default_group, column].drop_duplicates().tolist() or [voc[column].iloc[0]]
        out[m] = np.asarray(cand, dtype=object)[rng.integers(0, len(cand), int(m.sum()))]
    return out


@cache
def fgj_codes() -> dict:
    path = TAXONOMY / "labels_fgj.csv"
    if not path.exists():
        return {}
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    return dict(zip(df["label"], df["code"], strict=False))


def delito_code(delito: str) -> str:
    code = fgj_codes().get(delito)
    if code:
        return code
    d = delito.upper()
    rules = [("FEMINICIDIO", "FEMINICIDIO"), ("VIOLENCIA FAMILIAR", "VIOLENCIA_FAMILIAR"),
             ("CASA HABITACION CON", "ROBO_CASA_HABITACION_CV"), ("CASA HABITACION", "ROBO_CASA_HABITACION_SV"),
             ("NEGOCIO CON", "ROBO_NEGOCIO_CV"), ("NEGOCIO", "ROBO_NEGOCIO_SV"),
             ("TRANSEUNTE", "ROBO_TRANSEUNTE_CV"), ("VEHICULO", "ROBO_VEHICULO_SV"), ("HOMICIDIO CULPOSO",
             "HOMICIDIO_CULPOSO"), ("HOMICIDIO", "HOMICIDIO_DOLOSO"), ("LESIONES CULPOSAS", "LESIONES_CULPOSAS"),
             ("LESIONES", "LESIONES_DOLOSAS"), ("VIOLACION", "VIOLACION"), ("SEXUAL", "ABUSO_SEXUAL"),
             ("NARCOMENUDEO", "NARCOMENUDEO"), ("FRAUDE", "FRAUDE"), ("EXTORSION", "EXTORSION"),
             ("AMENAZA", "AMENAZAS"), ("DAÑO", "DANO_PROPIEDAD"), ("DESPOJO", "DESPOJO"),
             ("PERDIDA DE LA VIDA", "HECHO_NO_DELICTIVO"), ("ROBO", "ROBO_OTROS")]
    for key, code in rules:
        if key in d:
            return code
    return "OTROS_DELITOS"


def _snap_into_city(pts: pd.DataFrame) -> None:
    """Move the few model points that fall outside the city polygons of ``traceability.geo`` (sampled in
    cuadrante polygons that overhang the alcaldía boundary) onto an in-city point of the same cuadrante."""
    from .. import geo

    lat, lon = pts["lat"].to_numpy(), pts["lon"].to_numpy()
    bad = np.flatnonzero(~geo.in_city(lat, lon))
    if not len(bad):
        return
    ci = pts["ci"].to_numpy()
    good = np.ones(len(pts), dtype=bool)
    good[bad] = False
    for i in bad:
        same = np.flatnonzero((ci == ci[i]) & good)
        if not len(same):
            same = np.flatnonzero(good)
        j = same[np.argmin(np.hypot(lat[same] - lat[i], lon[same] - lon[i]))]
        pts.loc[i, ["lat", "lon"]] = (lat[j], lon[j])


@cache
def city() -> dict:
    """The compact city model as numpy arrays."""
    cua = pd.read_csv(DATA / "cuadrantes.csv", dtype={"alcaldia": str})
    pts = pd.read_csv(DATA / "points.csv.gz")
    col = pd.read_csv(DATA / "colonias.csv", dtype={"alcaldia": str}, keep_default_na=False)
    mix = pd.read_csv(DATA / "crime_mix.csv.gz", dtype={"alcaldia": str})
    dl = pd.read_csv(DATA / "delitos.csv")
    pts = pts.sort_values(["ci", "lat", "lon"], kind="stable").reset_index(drop=True)
    _snap_into_city(pts)
    start = np.searchsorted(pts["ci"].to_numpy(), np.arange(len(cua)))
    count = np.bincount(pts["ci"].to_numpy(), minlength=len(cua))
    pop = cua["population"].to_numpy().astype(float) * (count > 0)
    read = lambda f: [s.strip() for s in (DATA / f).read_text(encoding="utf-8").splitlines() if s.strip()]  # noqa: E731
    return {
        "cua": cua, "pts": pts, "pt_start": start, "pt_count": count, "pop": pop,
        "colonias": dict(zip(col["colonia_cve"], col["colonia_nombre"], strict=False)),
        "mix": mix, "delitos": dl, "streets": read("streets.txt"), "aliases": read("aliases.txt"),
        "surnames": pd.read_csv(DATA / "surnames.csv"), "given": pd.read_csv(DATA / "given_names.csv"),
        "nicknames": pd.read_csv(DATA / "nicknames.csv"),
    }
