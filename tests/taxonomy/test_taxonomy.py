"""Crime taxonomy: every real label maps, codes and groups follow docs/contracts.md, weights are sane."""

from __future__ import annotations

import csv
import glob

import pandas as pd
import pytest

from tests.conftest import shared_path
from traceability import taxonomy
from traceability.errors import UsageError
from traceability.taxonomy import DATA, label_key, map_label, map_series

# docs/contracts.md, "Crime codes": crime_group -> codes
CONTRACT = {
    "HOMICIDIO_DOLOSO": ["HOMICIDIO_DOLOSO"],
    "HOMICIDIO_CULPOSO": ["HOMICIDIO_CULPOSO"],
    "FEMINICIDIO": ["FEMINICIDIO", "FEMINICIDIO_TENTATIVA"],
    "LESIONES_DOLOSAS": ["LESIONES_DOLOSAS", "LESIONES_ARMA_FUEGO"],
    "LESIONES_CULPOSAS": ["LESIONES_CULPOSAS"],
    "VIOLACION": ["VIOLACION"],
    "ABUSO_SEXUAL": ["ABUSO_SEXUAL", "ACOSO_SEXUAL", "OTROS_SEXUALES"],
    "VIOLENCIA_FAMILIAR": ["VIOLENCIA_FAMILIAR"],
    "SECUESTRO": ["SECUESTRO"],
    "PRIVACION_LIBERTAD": ["PRIVACION_LIBERTAD"],
    "TRATA": ["TRATA"],
    "EXTORSION": ["EXTORSION"],
    "AMENAZAS": ["AMENAZAS"],
    "ROBO_CASA_HABITACION": ["ROBO_CASA_HABITACION_CV", "ROBO_CASA_HABITACION_SV"],
    "ROBO_NEGOCIO": ["ROBO_NEGOCIO_CV", "ROBO_NEGOCIO_SV"],
    "ROBO_TRANSEUNTE": ["ROBO_TRANSEUNTE_CV", "ROBO_TRANSEUNTE_SV"],
    "ROBO_VEHICULO": ["ROBO_VEHICULO_CV", "ROBO_VEHICULO_SV", "ROBO_AUTOPARTES"],
    "ROBO_TRANSPORTE": ["ROBO_TRANSPORTE_PUBLICO", "ROBO_TRANSPORTISTA", "ROBO_REPARTIDOR"],
    "ROBO_CUENTAHABIENTE": ["ROBO_CUENTAHABIENTE"],
    "ROBO_OTROS": ["ROBO_OTROS"],
    "FRAUDE": ["FRAUDE", "ABUSO_CONFIANZA"],
    "DANO_PROPIEDAD": ["DANO_PROPIEDAD"],
    "DESPOJO": ["DESPOJO"],
    "NARCOMENUDEO": ["NARCOMENUDEO"],
    "ARMAS": ["PORTACION_ARMA"],
    "OTROS_DELITOS": ["OTROS_DELITOS"],
    "NO_DELITO": ["HECHO_NO_DELICTIVO", "ACCIDENTE", "EMERGENCIA_MEDICA", "SERVICIO", "FALSA_ALARMA"],
}


def test_codes_and_groups_are_the_contract():
    df = taxonomy.codes()
    got = {g: sorted(df.code[df.crime_group == g]) for g in df.crime_group.unique()}
    assert got == {g: sorted(c) for g, c in CONTRACT.items()}
    assert df.code.is_unique
    for group, codes in CONTRACT.items():
        for code in codes:
            assert taxonomy.crime_group(code) == group


def test_columns_of_the_contract():
    df = taxonomy.codes()
    for col in ["code", "crime_group", "name_es", "name_en", "inegi_class", "high_impact", "harm_days", "article"]:
        assert col in df.columns
    assert (df.version == taxonomy.VERSION).all() and taxonomy.VERSION


def test_harm_weights_present_and_sane():
    df = taxonomy.codes()
    assert df.harm_days.notna().all() and (df.harm_days >= 0).all()
    for code in df.code:
        assert isinstance(taxonomy.harm_days(code), int)
    # non-crimes weigh nothing; every crime weighs something and cites its law (or says why not)
    crimes = df[df.crime_group != "NO_DELITO"]
    assert (df[df.crime_group == "NO_DELITO"].harm_days == 0).all()
    assert (crimes.harm_days > 0).all()
    assert ((crimes.article.str.len() > 0) | (crimes.note.str.len() > 0)).all()
    # the ordering any crime-harm index must respect
    h = taxonomy.harm_days
    assert h("SECUESTRO") > h("FEMINICIDIO") > h("HOMICIDIO_DOLOSO") > h("HOMICIDIO_CULPOSO")
    assert h("ROBO_CASA_HABITACION_CV") > h("ROBO_CASA_HABITACION_SV") > h("ROBO_OTROS")
    assert h("VIOLACION") > h("ABUSO_SEXUAL")
    assert h("LESIONES_ARMA_FUEGO") > h("LESIONES_DOLOSAS") > h("LESIONES_CULPOSAS")
    assert h(None) is None and taxonomy.crime_group(None) is None
    with pytest.raises(UsageError, match="unknown crime code"):
        h("NOPE")


def test_special_groups():
    assert taxonomy.BURGLARY_GROUP == "ROBO_CASA_HABITACION"
    assert taxonomy.GENDER_VIOLENCE_GROUPS == {"FEMINICIDIO", "VIOLACION", "ABUSO_SEXUAL", "VIOLENCIA_FAMILIAR",
                                               "TRATA"}
    assert set(taxonomy.GENDER_VIOLENCE_GROUPS) <= set(taxonomy.groups())
    assert taxonomy.is_gender_violence("ACOSO_SEXUAL") and not taxonomy.is_gender_violence("ROBO_OTROS")


@pytest.mark.parametrize("source,name", [
    ("c5_911", "labels_c5_911.csv"), ("ssc_detenciones", "labels_ssc_detenciones.csv"),
    ("comisiones_seguridad", "labels_comisiones_seguridad.csv"), ("fgj_carpetas", "labels_fgj.csv"),
    ("cjm_casos", "labels_cjm_casos.csv"),
])
def test_every_vocabulary_label_maps_to_its_code(source, name):
    with open(DATA / name, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows
    keys = [label_key(r["label"]) for r in rows]
    assert len(keys) == len(set(keys)), "a label is listed twice (after normalization)"
    for r in rows:
        assert r["code"] in set(taxonomy.codes().code)
        assert map_label(source, r["label"]) == r["code"]
        assert map_label(source, r["label"].lower()) == r["code"]


def test_c5_vocabulary_covers_every_group_and_the_non_crimes():
    with open(DATA / "labels_c5_911.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    groups = {taxonomy.crime_group(r["code"]) for r in rows}
    assert groups == set(CONTRACT)
    assert {r["categoria"] for r in rows} == {"Delito", "Emergencia", "Urgencias Medicas", "Falsa Alarma",
                                              "Servicio"}
    assert 40 <= len(rows) <= 80


def test_accents_case_spacing_and_double_encoding():
    assert map_label("fgj_carpetas", "ROBO A CASA HABITACIÓN SIN VIOLENCIA") == "ROBO_CASA_HABITACION_SV"
    assert map_label("fgj_carpetas", "robo a casa habitacion  sin violencia ") == "ROBO_CASA_HABITACION_SV"
    assert map_label("fgj_victimas", "VIOLACIÃ<U+0093>N") == "VIOLACION"            # R-escaped mojibake
    assert map_label("fgj_victimas", "DAÃ\u0091O EN PROPIEDAD AJENA INTENCIONAL") == "DANO_PROPIEDAD"
    assert map_label("c5_911", "ROBO - TRANSEUNTE C/V") == "ROBO_TRANSEUNTE_CV"
    assert map_label("c5_911", "Robo-Transeúnte S/V") == "ROBO_TRANSEUNTE_SV"
    assert map_label("fgj_carpetas", "") is None and map_label("fgj_carpetas", None) is None
    assert map_label("fgj_carpetas", "DELITO INVENTADO") is None
    with pytest.raises(UsageError, match="known sources"):
        map_label("nope", "ROBO")


def test_categoria_delito():
    assert map_label("fgj_categoria", "ROBO A CASA HABITACIÓN CON VIOLENCIA") == "ROBO_CASA_HABITACION_CV"
    assert map_label("fgj_categoria", "VIOLACIÃ<U+0093>N") == "VIOLACION"
    assert map_label("fgj_categoria", "DELITO DE BAJO IMPACTO") is None   # not a crime type on purpose


def test_er_rules_icd10():
    m = lambda raw: map_label("ssa_lesiones", raw)  # noqa: E731
    assert m("VIOLENCIA FAMILIAR|FISICA|Y07.0") == "VIOLENCIA_FAMILIAR"
    assert m("SE IGNORA||Y07.0") == "VIOLENCIA_FAMILIAR"        # spouse or partner decides
    assert m("VIOLENCIA FAMILIAR|SEXUAL|Y05") == "ABUSO_SEXUAL"
    assert m("VIOLENCIA NO FAMILIAR|FISICA|X93") == "LESIONES_ARMA_FUEGO"
    assert m("VIOLENCIA NO FAMILIAR|FISICA|X95.9") == "LESIONES_ARMA_FUEGO"
    assert m("VIOLENCIA NO FAMILIAR|FISICA|X99") == "LESIONES_DOLOSAS"
    assert m("SE IGNORA||Y09") == "LESIONES_DOLOSAS"             # X85-Y09 range, inclusive
    assert m("SE IGNORA||Y10") == "HECHO_NO_DELICTIVO"
    assert m("AUTOINFLIGIDO||X70") == "HECHO_NO_DELICTIVO"
    assert m("ACCIDENTAL||V89.2") == "ACCIDENTE"
    assert m("TRATA") == "TRATA"
    assert m("VIOLENCIA FAMILIAR") == "VIOLENCIA_FAMILIAR"       # intentionality alone
    assert m("NADA||") is None


def test_er_rule_examples_follow_their_rule():
    with open(DATA / "labels_ssa_lesiones.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            intent = "SE IGNORA" if r["label"] == "*" else r["label"]
            tipo = "" if r["tipo_violencia"] == "*" else r["tipo_violencia"]
            got = map_label("ssa_lesiones", f"{intent}|{tipo}|{r['example_cie10_causa_externa']}")
            assert got is not None
            assert taxonomy.crime_group(got) is not None


def test_cjm_most_severe_type_decides():
    assert map_label("cjm_casos", "PSICOLOGICA|FISICA") == "VIOLENCIA_FAMILIAR"
    assert map_label("cjm_casos", "FISICA|SEXUAL|PSICOLOGICA") == "ABUSO_SEXUAL"
    assert map_label("cjm_casos", "ECONOMICA|FEMINICIDA") == "FEMINICIDIO_TENTATIVA"
    assert taxonomy.map_cjm("FISICA", "COMUNITARIA") == "LESIONES_DOLOSAS"
    assert taxonomy.map_cjm("FISICA", "PAREJA") == "VIOLENCIA_FAMILIAR"


def test_map_series_matches_map_label():
    s = pd.Series(["NARCOMENUDEO", None, "ROBO A TRANSEUNTE", "xx", "NARCOMENUDEO"])
    assert map_series("ssc_detenciones", s).tolist() == ["NARCOMENUDEO", None, "ROBO_TRANSEUNTE_SV", None,
                                                         "NARCOMENUDEO"]


# -- the real files --------------------------------------------------------------------------------------
def test_every_label_of_the_real_carpetas_file_maps():
    path = shared_path("data", "fgj", "carpetas_puntos_2019_2024.csv.gz")
    labels = pd.read_csv(path, usecols=["delito"], dtype=str).delito.dropna().unique()
    assert len(labels) == 321
    missing = [lab for lab in labels if map_label("fgj_carpetas", lab) is None]
    assert missing == []


def test_every_label_of_the_victims_and_liberty_files_maps():
    fgj = shared_path("data", "fgj")
    files = glob.glob(str(fgj / "victimas_*" / "*.csv")) + [str(fgj / "carpetas_privacion_libertad_2016_2025.csv")]
    seen = 0
    for f in files:
        df = pd.read_csv(f, dtype=str)
        df.columns = [c.strip().lower() for c in df.columns]
        for lab in df["delito"].dropna().unique():
            seen += 1
            assert map_label("fgj_victimas", lab) is not None, (f, lab)
        for col in ("categoria", "categoria_delito"):
            if col in df:
                for lab in df[col].dropna().unique():
                    assert label_key(lab) == "DELITO DE BAJO IMPACTO" or map_label("fgj_categoria", lab), (f, lab)
    assert seen > 100
    cats = pd.read_csv(fgj / "categorias_victimas.csv", dtype=str)
    assert all(map_label("fgj_victimas", lab) for lab in cats.Delito.dropna())
    assert all(map_label("fgj_carpetas", lab) for lab in pd.read_csv(fgj / "categorias_carpetas.csv").incidente)


def test_high_impact_categories_agree_with_fgj():
    """Where the victims files pair a delito with a high-impact category, our codes agree."""
    fgj = shared_path("data", "fgj")
    pairs = set()
    for f in glob.glob(str(fgj / "victimas_*" / "*.csv")):
        df = pd.read_csv(f, dtype=str)
        df.columns = [c.strip().lower() for c in df.columns]
        col = "categoria" if "categoria" in df else "categoria_delito" if "categoria_delito" in df else None
        if col:
            pairs |= set(zip(df["delito"], df[col], strict=True))
    checked = 0
    for delito, cat in pairs:
        if label_key(cat) in ("DELITO DE BAJO IMPACTO", "HECHO NO DELICTIVO") or not isinstance(delito, str):
            continue
        code, cat_code = map_label("fgj_victimas", delito), map_label("fgj_categoria", cat)
        assert taxonomy.codes().set_index("code").high_impact[code], (delito, cat)
        if label_key(cat) != "HOMICIDIO DOLOSO":  # FGJ counts femicides as homicides
            assert taxonomy.crime_group(code) == taxonomy.crime_group(cat_code), (delito, cat)
        checked += 1
    assert checked > 20
