"""The nine internal-agency adapters on small hand-written extracts (synthetic people only).

Each test writes a CSV with the agency's habits (accents or not, DD/MM/YYYY or ISO dates, H/M or HOMBRE/MUJER or
Masculino/Femenino, carpeta numbers copied with dashes, spaces and missing prefixes, whole names, legal persons,
aliases, phones with +52 and spaces, empty fields) and checks the exact canonical values that come out: events,
mentions (names split, roles, ids), attrs, sensitivity labels, and rejections with their line and column.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from traceability.sources.base import EVENT_COLUMNS, MENTION_COLUMNS
from traceability.sources.registry import load_builtin

INTERNAL = ("ssc_detenciones", "fgj_imputados", "tsj_causas", "penitenciario", "cjm_casos", "ssa_lesiones",
            "uif_reportes", "comisiones_seguridad", "comunicaciones")
ZOCALO = ("19.4326", "-99.1332")          # Plaza de la Constitución, Cuauhtémoc (09015)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.lstrip("\n").encode(encoding))
    return path


def normalize(source: str, path: Path):
    """Read the file as the framework does, detect the adapter's version by header, normalize."""
    from traceability.sources.readers import read_table

    table = read_table(path)
    adapter = load_builtin()[source]
    version = adapter.detect(table.header)
    assert version is not None, f"{source} does not recognise {table.header}"
    out = adapter.normalize(table.frame, version)
    assert list(out.events.columns) == EVENT_COLUMNS
    assert list(out.mentions.columns) == MENTION_COLUMNS
    return out


def by_key(frame: pd.DataFrame, column: str = "source_key") -> dict[str, dict]:
    return {r[column]: r for r in frame.to_dict("records")}


def attrs(event: dict) -> dict:
    return json.loads(event["attrs"])


def rejections(out) -> list[tuple[int, str | None, str | None]]:
    return [(r.line, r.column, r.value) for r in out.rejections]


def is_null(v) -> bool:
    return v is None or (not isinstance(v, (list, str)) and pd.isna(v))


# -- registry and schemas ------------------------------------------------------------------------------------

def test_every_internal_adapter_is_registered_with_its_declared_header():
    reg = load_builtin()
    for source in INTERNAL:
        adapter = reg[source]
        assert adapter.source == source
        (version,) = adapter.versions
        assert version.key == version.columns[0]
        assert version.required == frozenset(version.columns)
        # a header written in capitals with spaces is still recognised; one missing a column is not
        assert adapter.detect([f" {c.upper()} " for c in version.columns]) == version
        assert adapter.detect(list(version.columns[1:])) is None


def test_no_two_internal_sources_claim_the_same_header():
    reg = load_builtin()
    for source in INTERNAL:
        header = list(reg[source].versions[0].columns)
        claimed = [s for s, a in reg.items() if a.detect(header) is not None]
        assert claimed == [source]


# -- ssc_detenciones ------------------------------------------------------------------------------------------

SSC = f"""
id_detencion,fecha_detencion,hora_detencion,nombre,apellido_paterno,apellido_materno,alias,sexo,edad,fecha_nacimiento,curp,domicilio,alcaldia_detencion,colonia_detencion,cuadrante,latitud,longitud,motivo,folio_c5,id_carpeta,autoridad_disposicion,unidad_policial
SSC-001,15/03/2024,23:40,José Luis,Pérez,de la Cruz,“el Chino”,HOMBRE,17,01/05/2006,pelj060501hdfrrs09,Av. Siempre Viva No. 5,CUAUHTEMOC,Centro,,{ZOCALO[0]},{ZOCALO[1]},ROBO A NEGOCIO,C5/20240315/0001,CI-FICUH/CUH-1/UI-1 C/D/00123/03-2024,Ministerio Público,UPC Centro
SSC-002,2024-03-16,06:30:00:00,MARIA,LOPEZ,,,M,,,,,Iztapalapa,SANTA CRUZ MEYEHUALCO PBLO,p-1.3.8,,,FALTA ADMINISTRATIVA,,,JUEZ CIVICO,
SSC-002,2024-03-16,,MARIA,LOPEZ,,,M,,,,,Iztapalapa,,,,,FALTA ADMINISTRATIVA,,,JUEZ CIVICO,
,2024-03-16,,PEDRO,SOLIS,,,H,,,,,GAM,,,,,RIÑA,,,JUEZ CIVICO,
SSC-005,2024-02-30,10:00,PEDRO,SOLIS,,,H,,,,,GAM,,,,,RIÑA,,,JUEZ CIVICO,
SSC-006,2024-02-03,10:00,PEDRO,SOLIS,,,H,,,,,GAM,,,25.0,-99.1,RIÑA,,,JUEZ CIVICO,
SSC-007,2024-02-03,25:99,PEDRO,SOLIS,,,H,veinte,,,,GAM,,,,,RIÑA,,,JUEZ CIVICO,
"""


def test_ssc_detenciones(tmp_path):
    out = normalize("ssc_detenciones", write(tmp_path, "detenciones.csv", SSC))
    ev = by_key(out.events)
    assert sorted(ev) == ["SSC-001", "SSC-002"]
    d1 = ev["SSC-001"]
    assert d1["event_id"] == "ssc_detenciones:SSC-001" and d1["kind"] == "detention"
    assert d1["occurred_at"] == pd.Timestamp("2024-03-15 23:40")
    assert d1["crime_raw"] == "ROBO A NEGOCIO" and d1["crime"] == "ROBO_NEGOCIO_SV"
    assert (d1["lat"], d1["lon"]) == (19.4326, -99.1332)
    assert d1["alcaldia"] == "09015"                       # from the point, not the written name
    assert d1["colonia"] and d1["cuadrante"]
    assert d1["case_key"] == "CI-FICUH/CUH-1/UI-1 C/D/00123/03-2024"
    assert d1["case_key_norm"] == "CUH1UI1/123/2024-03"
    assert attrs(d1) == {"folio_c5": "C5/20240315/0001", "autoridad_disposicion": "MINISTERIO PUBLICO",
                         "unidad_policial": "UPC CENTRO"}
    assert d1["sensitivity"] == "minor"
    assert d1["_line"] == 2
    d2 = ev["SSC-002"]
    assert d2["occurred_at"] == pd.Timestamp("2024-03-16 06:30")   # the "06:30:00:00" habit
    assert d2["crime"] == "HECHO_NO_DELICTIVO"
    assert d2["alcaldia"] == "09007" and d2["colonia"] == "977" and d2["cuadrante"] == "P-1.3.8"
    assert is_null(d2["lat"]) and is_null(d2["case_key_norm"]) and is_null(d2["sensitivity"])

    m = by_key(out.mentions)
    assert len(out.mentions) == 2
    p1 = m["SSC-001"]
    assert p1["mention_id"] == "ssc_detenciones:SSC-001:detainee:1" and p1["role"] == "detainee"
    assert (p1["given_names"], p1["surname_1"], p1["surname_2"]) == ("JOSE LUIS", "PEREZ", "DE LA CRUZ")
    assert p1["alias"] == "EL CHINO" and p1["sex"] == "H" and p1["age"] == 17
    assert str(p1["birth_date"]) == "2006-05-01" and str(p1["event_date"]) == "2024-03-15"
    assert p1["curp"] == "PELJ060501HDFRRS09" and p1["address_norm"] == "AVENIDA SIEMPRE VIVA 5"
    assert p1["sensitivity"] == "minor" and p1["is_legal_person"] is False
    p2 = m["SSC-002"]
    assert (p2["given_names"], p2["surname_1"], p2["surname_2"], p2["sex"]) == ("MARIA", "LOPEZ", None, "M")
    assert is_null(p2["age"]) and is_null(p2["birth_date"])

    assert rejections(out) == [(4, "id_detencion", "SSC-002"), (5, "id_detencion", ""),
                               (6, "fecha_detencion", "2024-02-30"), (7, "latitud", "25.0,-99.1"),
                               (8, "hora_detencion", "25:99")]
    reasons = [r.reason for r in out.rejections]
    assert reasons[0] == "duplicate key within file (first at line 3)" and reasons[1] == "missing key"
    assert "outside the city" in reasons[3]


# -- fgj_imputados --------------------------------------------------------------------------------------------

IMPUTADOS = """
id_imputado,id_carpeta,nombre,apellido_paterno,apellido_materno,alias,sexo,edad,fecha_nacimiento,curp,domicilio,colonia_domicilio,alcaldia_domicilio,telefono,detenido,fecha_detencion,delito
IMP-1,FIZP/IZP-3/UI-1 S/D/0123/3-24,ana,gómez,ruíz,,Femenino,,01/02/2008,,Calle 5 Mz 3 Lt 2,Santa Cruz Meyehualco (Pblo),Iztapalapa,+52 55 1234 5678,SI,2024-03-15,ROBO A NEGOCIO SIN VIOLENCIA
IMP-2,IZP-3 UI-1 123 03 2024,Pedro,Nuñez,,El Güero,Masculino,30,,NUPE940101HDFXXX01,,,COYOACÁN,55 8765 4321,NO,,ROBO A NEGOCIO SIN VIOLENCIA
IMP-3,,Pedro,Nuñez,,,Masculino,30x,,,,,,,NO,,FRAUDE
IMP-4,,Pedro,Nuñez,,,Masculino,130,,,,,,,NO,,FRAUDE
"""


def test_fgj_imputados(tmp_path):
    out = normalize("fgj_imputados", write(tmp_path, "imputados.csv", IMPUTADOS))
    ev = by_key(out.events)
    assert sorted(ev) == ["IMP-1", "IMP-2"]
    e1, e2 = ev["IMP-1"], ev["IMP-2"]
    assert e1["kind"] == "accused_record" and e1["occurred_at"] == pd.Timestamp("2024-03-15")
    assert is_null(e2["occurred_at"])                     # no detention: the carpeta gives the date downstream
    # the same carpeta, copied two ways, gets one key
    assert e1["case_key_norm"] == e2["case_key_norm"] == "IZP3UI1/123/2024-03"
    assert e1["crime_raw"] == "ROBO A NEGOCIO SIN VIOLENCIA" and e1["crime"] == "ROBO_NEGOCIO_SV"
    assert attrs(e1) == {"detenido": True, "fecha_detencion": "2024-03-15"}
    assert attrs(e2) == {"detenido": False, "fecha_detencion": None}
    assert is_null(e1["alcaldia"])                        # the home is not the place of the crime
    assert e1["sensitivity"] == "minor" and is_null(e2["sensitivity"])

    m = by_key(out.mentions)
    a1, a2 = m["IMP-1"], m["IMP-2"]
    assert a1["mention_id"] == "fgj_imputados:IMP-1:accused:1" and a1["role"] == "accused"
    assert (a1["given_names"], a1["surname_1"], a1["surname_2"], a1["sex"]) == ("ANA", "GOMEZ", "RUIZ", "M")
    assert a1["age"] == 16                                # from the birth date at the detention
    assert a1["phone"] == "5512345678" and a1["alcaldia"] == "09007"
    assert a1["address_norm"] == "CALLE 5 MANZANA 3 LOTE 2" and a1["colonia"] == "977"                      # colonia_cve of the name in 09007
    assert (a2["surname_1"], a2["alias"], a2["sex"], a2["age"]) == ("NUÑEZ", "EL GUERO", "H", 30)
    assert a2["phone"] == "5587654321" and a2["alcaldia"] == "09003" and a2["curp"] == "NUPE940101HDFXXX01"
    assert is_null(a2["event_date"])

    assert rejections(out) == [(4, "edad", "30x"), (5, "edad", "130")]


# -- tsj_causas -----------------------------------------------------------------------------------------------

TSJ = """
id_registro,causa_penal,juzgado,id_carpeta,nombre_completo,sexo,fecha_nacimiento,delito,fecha_audiencia_inicial,vinculacion_proceso,medida_cautelar,fecha_resolucion,sentido,pena_prision_meses
TSJ-1,CP 0123/24,Juzgado 12 Penal,IZP-3-UI-1-00123-03-2024,PÉREZ DE LA CRUZ JOSÉ LUIS,H,1990-05-01,ROBO A NEGOCIO SIN VIOLENCIA,2024-04-01,SI,PRISIÓN PREVENTIVA OFICIOSA,2024-10-01,CONDENATORIA,36
TSJ-2,456/2024,JUZGADO 3 PENAL,,HERNÁNDEZ GARCÍA MARÍA GUADALUPE,MUJER,,FRAUDE,02/04/2024,NO,NINGUNA,,,
TSJ-3,5/2024,,,LOPEZ LUIS,H,,FRAUDE,,SI,,,,
TSJ-4,6/2024,,,LOPEZ LUIS,H,,FRAUDE,2024-04-03,SI,,,CONDENATORIA,tres
"""


def test_tsj_causas(tmp_path):
    out = normalize("tsj_causas", write(tmp_path, "causas.csv", TSJ))
    ev = by_key(out.events)
    assert sorted(ev) == ["TSJ-1", "TSJ-2"]
    t1, t2 = ev["TSJ-1"], ev["TSJ-2"]
    assert t1["kind"] == "court_case" and t1["occurred_at"] == pd.Timestamp("2024-04-01")
    assert t2["occurred_at"] == pd.Timestamp("2024-04-02")
    assert t1["case_key_norm"] == "IZP3UI1/123/2024-03" and is_null(t2["case_key"])
    assert t1["crime"] == "ROBO_NEGOCIO_SV"
    assert attrs(t1) == {"causa_penal": "CP 0123/24", "causa_norm": "123/2024", "juzgado": "JUZGADO 12 PENAL",
                         "vinculacion_proceso": True, "medida_cautelar": "PRISION PREVENTIVA OFICIOSA",
                         "fecha_resolucion": "2024-10-01", "sentido": "CONDENATORIA", "pena_prision_meses": 36}
    assert attrs(t2)["pena_prision_meses"] is None and attrs(t2)["vinculacion_proceso"] is False
    assert attrs(t2)["causa_norm"] == "456/2024"

    m = by_key(out.mentions)
    d1, d2 = m["TSJ-1"], m["TSJ-2"]
    assert d1["mention_id"] == "tsj_causas:TSJ-1:defendant:1" and d1["role"] == "defendant"
    # "PATERNO MATERNO NOMBRE"
    assert (d1["given_names"], d1["surname_1"], d1["surname_2"]) == ("JOSE LUIS", "PEREZ", "DE LA CRUZ")
    assert (d2["given_names"], d2["surname_1"], d2["surname_2"]) == ("MARIA GUADALUPE", "HERNANDEZ", "GARCIA")
    assert d1["sex"] == "H" and d2["sex"] == "M"
    assert d1["age"] == 33 and str(d1["birth_date"]) == "1990-05-01" and str(d1["event_date"]) == "2024-04-01"

    assert rejections(out) == [(4, "fecha_audiencia_inicial", ""), (5, "pena_prision_meses", "tres")]


# -- penitenciario --------------------------------------------------------------------------------------------

PENITENCIARIO = """
id_ingreso,expediente,nombre,apellido_paterno,apellido_materno,alias,fecha_nacimiento,sexo,centro,dormitorio,fecha_ingreso,fecha_egreso,motivo_egreso,causa_penal,juzgado,delito,situacion_juridica
ING-1,EXP-0001,Juan,Pérez,,EL FLACO,01/05/1990,HOMBRE,PENITENCIARÍA,D-3,2024-04-02,,,CP-0123/2024,JUZGADO 12 PENAL,ROBO A NEGOCIO SIN VIOLENCIA,PROCESADO
ING-2,EXP-0002,Rosa,Ibáñez,Muñoz,,1985-01-01,MUJER,CENTRO FEMENIL DE REINSERCIÓN SOCIAL,A,2023-01-10,2024-01-10,COMPURGADO,77/2022,,FRAUDE,SENTENCIADO
ING-3,EXP-0003,Juan,Pérez,,,1990-05-01,HOMBRE,PENITENCIARIA,D-3,2024-04-02,2024-01-01,LIBERTAD,123/2024,,FRAUDE,PROCESADO
ING-4,EXP-0004,Juan,Pérez,,,1990-05-01,HOMBRE,PENITENCIARIA,D-3,,,,123/2024,,FRAUDE,PROCESADO
"""


def test_penitenciario(tmp_path):
    out = normalize("penitenciario", write(tmp_path, "ingresos.csv", PENITENCIARIO))
    ev = by_key(out.events)
    assert sorted(ev) == ["ING-1", "ING-2"]
    i1, i2 = ev["ING-1"], ev["ING-2"]
    assert i1["kind"] == "prison_admission" and i1["occurred_at"] == pd.Timestamp("2024-04-02")
    assert is_null(i1["case_key"]) and is_null(i1["case_key_norm"])
    assert attrs(i1) == {"expediente": "EXP-0001", "centro": "PENITENCIARIA", "dormitorio": "D-3",
                         "fecha_egreso": None, "motivo_egreso": None, "causa_penal": "CP-0123/2024",
                         "causa_norm": "123/2024", "juzgado": "JUZGADO 12 PENAL", "situacion_juridica": "PROCESADO"}
    a2 = attrs(i2)
    assert a2["centro"] == "CENTRO FEMENIL DE REINSERCION SOCIAL" and a2["fecha_egreso"] == "2024-01-10"
    assert a2["motivo_egreso"] == "COMPURGADO" and a2["causa_norm"] == "77/2022" and a2["juzgado"] is None

    m = by_key(out.mentions)
    assert m["ING-1"]["mention_id"] == "penitenciario:ING-1:inmate:1"
    assert (m["ING-1"]["given_names"], m["ING-1"]["surname_1"], m["ING-1"]["alias"]) == ("JUAN", "PEREZ", "EL FLACO")
    assert (m["ING-2"]["surname_1"], m["ING-2"]["surname_2"], m["ING-2"]["sex"]) == ("IBAÑEZ", "MUÑOZ", "M")
    assert m["ING-1"]["age"] == 33 and m["ING-2"]["age"] == 38

    assert rejections(out) == [(4, "fecha_egreso", "2024-01-01"), (5, "fecha_ingreso", "")]


# -- cjm_casos ------------------------------------------------------------------------------------------------

CJM = """
folio,sede,fecha_atencion,nombre_usuaria,apellidos_usuaria,edad,fecha_nacimiento,telefono,domicilio,colonia,alcaldia,tipo_violencia,modalidad,nombre_agresor,relacion_agresor,servicios,id_carpeta,medidas_proteccion
CJM-IZP-1,CJM Iztapalapa,05/06/2024,María Guadalupe,Hernández de la O,34,,+52 (55) 1234-5678,Cda. Pino 4,Centro,Iztapalapa,FISICA|PSICOLOGICA,PAREJA,Juan Carlos Pérez López,EXPAREJA,ASESORÍA JURÍDICA,CI-FIZP/IZP-3/UI-1 S/D/00123/03-2024,SI
CJM-TLP-2,CJM TLALPAN,2024-06-07,Rosa,López,,1990-02-01,,,,TLALPAN,SEXUAL,COMUNITARIA,,DESCONOCIDO,,,NO
CJM-TLP-3,CJM TLALPAN,31/06/2024,Rosa,López,,,,,,TLALPAN,SEXUAL,COMUNITARIA,,DESCONOCIDO,,,NO
"""


def test_cjm_casos(tmp_path):
    out = normalize("cjm_casos", write(tmp_path, "cjm.csv", CJM))
    ev = by_key(out.events)
    assert sorted(ev) == ["CJM-IZP-1", "CJM-TLP-2"]
    c1, c2 = ev["CJM-IZP-1"], ev["CJM-TLP-2"]
    assert c1["kind"] == "cjm_case" and c1["occurred_at"] == pd.Timestamp("2024-06-05")
    assert c1["sensitivity"] == c2["sensitivity"] == "vaw"
    assert c1["crime_raw"] == "FISICA|PSICOLOGICA" and c1["crime"] == "VIOLENCIA_FAMILIAR"
    assert c2["crime"] == "ABUSO_SEXUAL"
    assert c1["case_key_norm"] == "IZP3UI1/123/2024-03" and is_null(c2["case_key"])
    assert c1["alcaldia"] == "09007" and c2["alcaldia"] == "09012"
    assert attrs(c1) == {"sede": "CJM IZTAPALAPA", "tipo_violencia": ["FISICA", "PSICOLOGICA"],
                         "modalidad": "PAREJA", "relacion_agresor": "EXPAREJA", "servicios": "ASESORIA JURIDICA",
                         "medidas_proteccion": True}
    assert attrs(c2)["tipo_violencia"] == ["SEXUAL"] and attrs(c2)["medidas_proteccion"] is False

    ms = out.mentions
    assert sorted(ms["mention_id"]) == ["cjm_casos:CJM-IZP-1:aggressor:1", "cjm_casos:CJM-IZP-1:cjm_user:1",
                                        "cjm_casos:CJM-TLP-2:cjm_user:1"]
    m = by_key(ms, "mention_id")
    u1 = m["cjm_casos:CJM-IZP-1:cjm_user:1"]
    assert (u1["given_names"], u1["surname_1"], u1["surname_2"]) == ("MARIA GUADALUPE", "HERNANDEZ", "DE LA O")
    assert (u1["sex"], u1["age"], u1["phone"], u1["alcaldia"]) == ("M", 34, "5512345678", "09007")
    assert u1["address_norm"] == "CERRADA PINO 4" and is_null(u1["colonia"]) and u1["sensitivity"] == "vaw"
    ag = m["cjm_casos:CJM-IZP-1:aggressor:1"]
    assert (ag["given_names"], ag["surname_1"], ag["surname_2"]) == ("JUAN CARLOS", "PEREZ", "LOPEZ")
    assert ag["role"] == "aggressor" and ag["sensitivity"] == "vaw" and str(ag["event_date"]) == "2024-06-05"
    u2 = m["cjm_casos:CJM-TLP-2:cjm_user:1"]
    assert (u2["surname_1"], u2["surname_2"], u2["age"]) == ("LOPEZ", None, 34)   # age from the birth date

    assert rejections(out) == [(4, "fecha_atencion", "31/06/2024")]


# -- ssa_lesiones ---------------------------------------------------------------------------------------------

SSA = """
id_atencion,clues,unidad_medica,fecha_atencion,hora_atencion,nombre,apellido_paterno,apellido_materno,sexo,edad,domicilio,alcaldia_residencia,sitio_ocurrencia,fecha_evento,intencionalidad,tipo_violencia,agente_lesion,area_anatomica,consecuencia,cie10,cie10_causa_externa,relacion_agresor,sexo_agresor,aviso_ministerio_publico,destino
L-1,DFSSA001234,Hospital General Iztapalapa,2024-05-02,03:15,Laura,Ruiz,,F,29,,Iztapalapa,VIVIENDA,2024-05-01,VIOLENCIA FAMILIAR,FISICA,GOLPE,CARA,CONTUSION,S00.8,Y07.0,PAREJA,H,SI,DOMICILIO
L-2,DFSSA001234,Hospital General Iztapalapa,02/05/2024,,José,Ruiz,,H,29,,Álvaro Obregón,VIA PUBLICA,,ACCIDENTAL,,CAIDA,,,,W19,,,NO,DOMICILIO
L-3,DFSSA001234,Hospital General Iztapalapa,2024-05-03,,Ana,Mora,,M,15,,Tlalpan,VIA PUBLICA,2024-05-03,VIOLENCIA NO FAMILIAR,SEXUAL,GOLPE,,,,Y05,DESCONOCIDO,H,SI,HOSPITALIZACION
L-4,DFSSA001234,Hospital General Iztapalapa,2024-05-02,,Pepe,Ruiz,,H,29,,,VIA PUBLICA,2024-05-04,ACCIDENTAL,,CAIDA,,,,W19,,,NO,DOMICILIO
"""


def test_ssa_lesiones(tmp_path):
    out = normalize("ssa_lesiones", write(tmp_path, "lesiones.csv", SSA))
    ev = by_key(out.events)
    assert sorted(ev) == ["L-1", "L-2", "L-3"]
    l1, l2, l3 = ev["L-1"], ev["L-2"], ev["L-3"]
    assert l1["kind"] == "er_attention"
    assert l1["occurred_at"] == pd.Timestamp("2024-05-01") and l1["reported_at"] == pd.Timestamp("2024-05-02 03:15")
    assert l2["occurred_at"] == pd.Timestamp("2024-05-02")        # no fecha_evento: the attention date
    assert l1["crime"] == "VIOLENCIA_FAMILIAR" and l2["crime"] == "ACCIDENTE" and l3["crime"] == "ABUSO_SEXUAL"
    assert l1["sensitivity"] == "vaw" and is_null(l2["sensitivity"]) and l3["sensitivity"] == "vaw"
    assert l1["alcaldia"] == "09007" and l2["alcaldia"] == "09010"
    assert attrs(l1) == {
        "clues": "DFSSA001234", "unidad_medica": "HOSPITAL GENERAL IZTAPALAPA", "fecha_atencion": "2024-05-02",
        "sitio_ocurrencia": "VIVIENDA", "intencionalidad": "VIOLENCIA FAMILIAR", "tipo_violencia": "FISICA",
        "agente_lesion": "GOLPE", "area_anatomica": "CARA", "consecuencia": "CONTUSION", "cie10": "S00.8",
        "cie10_causa_externa": "Y07.0", "relacion_agresor": "PAREJA", "sexo_agresor": "H",
        "aviso_ministerio_publico": True, "destino": "DOMICILIO"}

    m = by_key(out.mentions)
    assert m["L-1"]["mention_id"] == "ssa_lesiones:L-1:patient:1" and m["L-1"]["role"] == "patient"
    assert (m["L-1"]["given_names"], m["L-1"]["sex"], m["L-1"]["age"]) == ("LAURA", "M", 29)
    assert (m["L-2"]["given_names"], m["L-2"]["sex"]) == ("JOSE", "H")
    assert m["L-1"]["sensitivity"] == "vaw" and str(m["L-1"]["event_date"]) == "2024-05-01"

    assert rejections(out) == [(5, "fecha_evento", "2024-05-04")]


# -- uif_reportes ---------------------------------------------------------------------------------------------

UIF = """
id_reporte,fecha_reporte,tipo,institucion,titular_nombre,titular_rfc,titular_curp,contraparte_nombre,contraparte_rfc,monto_mxn,instrumento,descripcion
UIF-1,2024-01-10,INUSUAL,Banco Ejemplo,José Luis Pérez García,pegl800101ab1,PEGL800101HDFRRS01,"Comercializadora del Valle, S.A. de C.V.",CVA010101AB1,"$1,250,000.50",TRANSFERENCIA,Depósitos fraccionados en efectivo
UIF-2,10/01/2024,RELEVANTE,BANCO EJEMPLO,Inmobiliaria Sol SA de CV,ISO0101019Z9,,María Pérez,,500,EFECTIVO,
UIF-3,11/01/2024,INTERNA PREOCUPANTE,BANCO EJEMPLO,Ana Ruiz,,,,,mucho,EFECTIVO,
"""


def test_uif_reportes(tmp_path):
    out = normalize("uif_reportes", write(tmp_path, "uif.csv", UIF))
    ev = by_key(out.events)
    assert sorted(ev) == ["UIF-1", "UIF-2"]
    u1 = ev["UIF-1"]
    assert u1["kind"] == "uif_report" and u1["occurred_at"] == pd.Timestamp("2024-01-10")
    assert u1["sensitivity"] == "financial" and is_null(u1["crime"])
    assert attrs(u1) == {"tipo": "INUSUAL", "institucion": "BANCO EJEMPLO", "monto_mxn": 1250000.5,
                         "instrumento": "TRANSFERENCIA", "descripcion": "Depósitos fraccionados en efectivo"}
    assert ev["UIF-2"]["occurred_at"] == pd.Timestamp("2024-01-10")

    m = by_key(out.mentions, "mention_id")
    assert sorted(m) == ["uif_reportes:UIF-1:account_holder:1", "uif_reportes:UIF-1:counterparty:1",
                         "uif_reportes:UIF-2:account_holder:1", "uif_reportes:UIF-2:counterparty:1"]
    h1 = m["uif_reportes:UIF-1:account_holder:1"]
    assert (h1["given_names"], h1["surname_1"], h1["surname_2"]) == ("JOSE LUIS", "PEREZ", "GARCIA")
    assert (h1["rfc"], h1["curp"], h1["is_legal_person"]) == ("PEGL800101AB1", "PEGL800101HDFRRS01", False)
    c1 = m["uif_reportes:UIF-1:counterparty:1"]
    assert c1["is_legal_person"] is True and c1["business_name"] == "COMERCIALIZADORA DEL VALLE SA DE CV"
    assert is_null(c1["given_names"]) and is_null(c1["surname_1"]) and c1["rfc"] == "CVA010101AB1"
    h2 = m["uif_reportes:UIF-2:account_holder:1"]
    assert h2["is_legal_person"] is True and h2["business_name"] == "INMOBILIARIA SOL SA DE CV"
    c2 = m["uif_reportes:UIF-2:counterparty:1"]
    assert (c2["given_names"], c2["surname_1"], c2["is_legal_person"]) == ("MARIA", "PEREZ", False)
    assert all(r["sensitivity"] == "financial" for r in m.values())

    assert rejections(out) == [(4, "monto_mxn", "mucho")]


# -- comisiones_seguridad --------------------------------------------------------------------------------------

COMISIONES = f"""
id_registro,fecha_sesion,alcaldia,colonia,cuadrante,tema,descripcion,grupo_mencionado,alias_mencionados,lugar,latitud,longitud
COM-1,2024-02-01,Iztapalapa,Centro,,VENTA DE DROGAS,"Venden en la esquina, dicen que es ""el Chino"" ",Los Talleres,el Chino| LA TÍA ||El Güero,Esquina de Reforma y Juárez,,
COM-2,01/02/2024,GAM,,,RIÑAS,,,,,{ZOCALO[0]},{ZOCALO[1]}
COM-3,2024-02-01,GAM,,,RIÑAS,,,EL CHINO,,19.5,
COM-4,2024-02-01,GAM,,,RIÑAS,,,,,{ZOCALO[1]},{ZOCALO[0]}
COM-5,2024-02-01,GAM,,,RIÑAS,,,,,0,0
"""


def test_comisiones_seguridad(tmp_path):
    out = normalize("comisiones_seguridad", write(tmp_path, "comisiones.csv", COMISIONES))
    ev = by_key(out.events)
    assert sorted(ev) == ["COM-1", "COM-2", "COM-4", "COM-5"]
    c1, c2 = ev["COM-1"], ev["COM-2"]
    assert (ev["COM-4"]["lat"], ev["COM-4"]["lon"]) == (19.4326, -99.1332)   # written longitude first
    assert is_null(ev["COM-5"]["lat"]) and ev["COM-5"]["alcaldia"] == "09005"  # (0, 0) is no point
    assert c1["kind"] == "commission_report" and c1["occurred_at"] == pd.Timestamp("2024-02-01")
    assert c1["crime"] == "NARCOMENUDEO" and c2["crime"] == "HECHO_NO_DELICTIVO" and c2["crime_raw"] == "RIÑAS"
    assert c1["alcaldia"] == "09007" and is_null(c1["lat"]) and is_null(c1["colonia"])   # no colonia "CENTRO" there
    assert c2["alcaldia"] == "09015" and c2["cuadrante"] and c2["colonia"]     # the point wins over "GAM"
    assert attrs(c1) == {"tema": "VENTA DE DROGAS", "grupo_mencionado": "LOS TALLERES",
                         "alias_mencionados": ["EL CHINO", "LA TIA", "EL GUERO"],
                         "lugar": "Esquina de Reforma y Juárez",
                         "descripcion": 'Venden en la esquina, dicen que es "el Chino"'}
    assert attrs(c2)["alias_mencionados"] is None

    ms = out.mentions
    assert list(ms["mention_id"]) == ["comisiones_seguridad:COM-1:mentioned:1",
                                      "comisiones_seguridad:COM-1:mentioned:2",
                                      "comisiones_seguridad:COM-1:mentioned:3"]
    assert list(ms["alias"]) == ["EL CHINO", "LA TIA", "EL GUERO"]
    assert set(ms["role"]) == {"mentioned"}
    for c in ("given_names", "surname_1", "surname_2", "curp", "phone", "sex"):
        assert ms[c].isna().all()
    assert [str(d) for d in ms["event_date"]] == ["2024-02-01"] * 3

    assert [(r.line, r.column, r.reason) for r in out.rejections] == [(4, "longitud", "only one of latitude/longitude given")]


# -- comunicaciones -------------------------------------------------------------------------------------------

COMUNICACIONES = """
id_registro,orden_judicial,fecha_hora,numero_origen,numero_destino,tipo,duracion_segundos
COM-0001,OJ-123/2024,2024-03-01 10:15:00,+52 55 1234 5678,5587654321,LLAMADA,125
COM-0002,OJ-123/2024,01/03/2024 10:16:00,044 55 1234 5678,+52 1 55 8765 4321,Mensaje,
COM-0003,OJ-123/2024,2024-03-01 10:17:00,1234,5587654321,MENSAJE,
COM-0004,OJ-123/2024,2024-03-01 10:17:00,5512345678,,MENSAJE,
COM-0005,OJ-123/2024,2024-03-01 10:17:00,5512345678,5587654321,LLAMADA,-4
"""


def test_comunicaciones(tmp_path):
    out = normalize("comunicaciones", write(tmp_path, "comunicaciones.csv", COMUNICACIONES))
    ev = by_key(out.events)
    assert sorted(ev) == ["COM-0001", "COM-0002"]
    e1, e2 = ev["COM-0001"], ev["COM-0002"]
    assert e1["kind"] == "communication" and e1["occurred_at"] == pd.Timestamp("2024-03-01 10:15")
    assert e2["occurred_at"] == pd.Timestamp("2024-03-01 10:16")
    assert e1["case_key"] == "OJ-123/2024" and e1["sensitivity"] == "communications"
    assert attrs(e1) == {"numero_origen": "5512345678", "numero_destino": "5587654321", "tipo": "LLAMADA",
                         "duracion_segundos": 125}
    assert attrs(e2) == {"numero_origen": "5512345678", "numero_destino": "5587654321", "tipo": "MENSAJE",
                         "duracion_segundos": None}
    assert out.mentions.empty
    assert rejections(out) == [(4, "numero_origen", "1234"), (5, "numero_destino", ""),
                               (6, "duracion_segundos", "-4")]


# -- encodings and containers -------------------------------------------------------------------------------

def test_latin1_and_bom_files_give_the_same_rows(tmp_path):
    a = normalize("cjm_casos", write(tmp_path, "cjm_latin1.csv", CJM, encoding="latin-1"))
    b = normalize("cjm_casos", write(tmp_path, "cjm_bom.csv", CJM, encoding="utf-8-sig"))
    c = normalize("cjm_casos", write(tmp_path, "cjm.csv", CJM))
    for x in (a, b):
        pd.testing.assert_frame_equal(x.events, c.events)
        pd.testing.assert_frame_equal(x.mentions, c.mentions)


def test_an_empty_file_of_a_known_header_gives_empty_frames(tmp_path):
    for source in INTERNAL:
        header = ",".join(load_builtin()[source].versions[0].columns)
        out = normalize(source, write(tmp_path, f"{source}.csv", header + "\n"))
        assert out.events.empty and out.mentions.empty and out.rejections == []


# -- end to end through the ingest framework --------------------------------------------------------------------

def _xlsx(path: Path, header: list[str], rows: list[list]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_ingest_paths_end_to_end_csv_xlsx_jsonl(tmp_path, wh):
    import datetime as dt

    from traceability.sources import ingest_paths

    drop = tmp_path / "drop"
    drop.mkdir()
    write(drop, "detenciones_2024_03.csv", SSC)
    write(drop, "cjm_2024_06.csv", CJM, encoding="latin-1")
    write(drop, "uif_2024_01.csv", UIF, encoding="utf-8-sig")
    write(drop, "causas.csv", TSJ)
    header = list(load_builtin()["penitenciario"].versions[0].columns)
    _xlsx(drop / "ingresos.xlsx", header, [
        ["ING-10", "EXP-10", "Juan", "Pérez", "López", "el Flaco", dt.datetime(1990, 5, 1), "H",
         "RECLUSORIO PREVENTIVO VARONIL NORTE", "D-3", dt.datetime(2024, 4, 2), None, None, "123/2024",
         "JUZGADO 12 PENAL", "ROBO A NEGOCIO SIN VIOLENCIA", "PROCESADO"],
        ["ING-11", "EXP-11", "Rosa", "Ibáñez", "", "", "01/01/1985", "MUJER", "CENTRO FEMENIL DE REINSERCIÓN SOCIAL",
         "A", "2023-01-10", "2024-01-10", "COMPURGADO", "77/2022", "", "FRAUDE", "SENTENCIADO"],
        ["ING-12", "EXP-12", "Rosa", "Ibáñez", "", "", "", "MUJER", "PENITENCIARIA", "A", "", "", "", "", "",
         "FRAUDE", "PROCESADO"],
    ])
    records = [
        {"id_registro": "R-1", "orden_judicial": "OJ-9/2024", "fecha_hora": "2024-03-01T10:15:00",
         "numero_origen": "+52 55 1234 5678", "numero_destino": 5587654321, "tipo": "LLAMADA",
         "duracion_segundos": 125},
        {"id_registro": "R-2", "orden_judicial": "OJ-9/2024", "fecha_hora": "2024-03-01 10:16:00",
         "numero_origen": "5587654321", "numero_destino": "55 1234 5678", "tipo": "MENSAJE",
         "duracion_segundos": None},
        {"id_registro": "R-3", "orden_judicial": "OJ-9/2024", "fecha_hora": "2024-13-01 10:16:00",
         "numero_origen": "5587654321", "numero_destino": "5512345678", "tipo": "MENSAJE",
         "duracion_segundos": None},
    ]
    (drop / "comunicaciones.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")

    reports = {Path(r.file).name: r for r in ingest_paths(wh, [drop], log=lambda *a, **k: None)}
    expected = {  # file: (source, read, loaded, quarantined)
        "detenciones_2024_03.csv": ("ssc_detenciones", 7, 2, 5),
        "cjm_2024_06.csv": ("cjm_casos", 3, 2, 1),
        "uif_2024_01.csv": ("uif_reportes", 3, 2, 1),
        "causas.csv": ("tsj_causas", 4, 2, 2),
        "ingresos.xlsx": ("penitenciario", 3, 2, 1),
        "comunicaciones.jsonl": ("comunicaciones", 3, 2, 1),
    }
    for name, (source, read, loaded, quarantined) in expected.items():
        r = reports[name]
        assert r.error is None, (name, r.error)
        assert (r.source, r.rows_read, r.rows_loaded, r.rows_quarantined) == (source, read, loaded, quarantined), name

    counts = {(s, role): n for s, role, n in wh.query(
        "SELECT source, role, count(*) FROM person_mention GROUP BY ALL")}
    assert counts == {("ssc_detenciones", "detainee"): 2, ("cjm_casos", "cjm_user"): 2,
                      ("cjm_casos", "aggressor"): 1, ("uif_reportes", "account_holder"): 2,
                      ("uif_reportes", "counterparty"): 2, ("tsj_causas", "defendant"): 2,
                      ("penitenciario", "inmate"): 2}
    inmate = wh.query_dicts("SELECT given_names, surname_1, surname_2, alias, birth_date, sex, age, event_date "
                            "FROM person_mention WHERE mention_id = 'penitenciario:ING-10:inmate:1'")[0]
    assert inmate == {"given_names": "JUAN", "surname_1": "PEREZ", "surname_2": "LOPEZ", "alias": "EL FLACO",
                      "birth_date": dt.date(1990, 5, 1), "sex": "H", "age": 33, "event_date": dt.date(2024, 4, 2)}
    ev = wh.query_dicts("SELECT occurred_at, attrs, sensitivity, case_key FROM event "
                        "WHERE event_id = 'comunicaciones:R-1'")[0]
    assert ev["occurred_at"] == dt.datetime(2024, 3, 1, 10, 15) and ev["sensitivity"] == "communications"
    assert json.loads(ev["attrs"])["numero_destino"] == "5587654321" and ev["case_key"] == "OJ-9/2024"
    q = wh.query("SELECT file_name, source_row, column_name FROM quarantine WHERE source = 'comunicaciones'")
    assert q == [("comunicaciones.jsonl", 3, "fecha_hora")]       # JSON Lines: the record's own line
    legal = wh.query("SELECT business_name FROM person_mention WHERE is_legal_person ORDER BY 1")
    assert legal == [("COMERCIALIZADORA DEL VALLE SA DE CV",), ("INMOBILIARIA SOL SA DE CV",)]

    # the same files again: nothing new
    again = ingest_paths(wh, [drop], log=lambda *a, **k: None)
    assert all(r.already_loaded for r in again)
    assert wh.query("SELECT count(*) FROM person_mention")[0][0] == sum(counts.values())


# -- a tiny generated city against its planted truth --------------------------------------------------------------

INTERNAL_FILES = ("ssc_detenciones.csv", "fgj_imputados.csv", "tsj_causas.csv", "penitenciario.xlsx",
                  "cjm_casos.csv", "ssa_lesiones.csv", "uif_reportes.csv", "comisiones_seguridad.csv",
                  "comunicaciones.jsonl")


@pytest.mark.slow
def test_generated_city_mentions_match_truth(tmp_path, wh):
    """Every internal extract of a generated city loads (bar points the generator put off the city's edge),
    every crime label maps, and the person mentions (source, key, role, count) are exactly the generator's
    truth/person_mentions.csv."""
    synth = pytest.importorskip("traceability.synth")
    if not hasattr(synth, "generate_city"):
        pytest.skip("synthetic city generator not available")
    from traceability.sources import ingest_paths

    city = tmp_path / "city"
    synth.generate_city(city, scale=0.005, years=1, seed=11)   # seed 11: one point off the edge
    files = [city / n for n in INTERNAL_FILES if (city / n).exists()]
    assert len(files) == len(INTERNAL_FILES), sorted(p.name for p in city.iterdir())
    reports = ingest_paths(wh, files, log=lambda *a, **k: None)
    for r in reports:
        assert r.error is None and r.rows_read > 0, (r.file, r.error)
        assert r.rows_loaded + r.rows_quarantined == r.rows_read, r.file
    # The generator jitters detention points by ~90 m, so a point at the city's edge can fall outside it:
    # those rows (and only those) are quarantined; every other row must load.
    quarantined = wh.df("SELECT q.source, q.reason, q.raw_row FROM quarantine q")
    assert set(quarantined["reason"]) <= {"coordinates outside the city"}, quarantined["reason"].tolist()
    assert len(quarantined) <= 3
    lost = {(src, json.loads(raw)[list(json.loads(raw))[0]]) for src, raw in
            zip(quarantined["source"], quarantined["raw_row"], strict=True)}

    truth = pd.read_csv(city / "truth" / "person_mentions.csv", dtype=str, keep_default_na=False)
    truth = truth[truth["source"].isin(INTERNAL)]
    truth = truth[[(s, k) not in lost for s, k in zip(truth["source"], truth["source_key"], strict=True)]]
    mine = wh.df("SELECT source, source_key, role FROM person_mention")
    expected = truth.groupby(["source", "source_key", "role"]).size()
    got = mine.groupby(["source", "source_key", "role"]).size()
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False)
    assert set(truth["source"]) == set(INTERNAL) - {"comunicaciones"}

    unmapped = wh.query("SELECT source, crime_raw FROM event WHERE crime IS NULL AND crime_raw IS NOT NULL")
    assert unmapped == []
    labels = dict(wh.query("SELECT source, string_agg(DISTINCT sensitivity, ',') FROM event GROUP BY 1"))
    assert labels["uif_reportes"] == "financial" and labels["comunicaciones"] == "communications"
    assert labels["cjm_casos"] == "vaw"
