"""FGJ victims in carpetas: the real open-data schema (several header variants) and the internal extract.

Versions (by header):
- `open_data`: `idCarpeta, Año_inicio, ..., FechaHecho, HoraHecho, AlcaldiaHechos, ...` (formats/README.md);
- `three_alcaldias`: `idCarpeta, Dia, Mes, Año, Fecha, Hora, ..., Alcalia (sic), ...` with numbers written as
  floats (`8324870.0`), `Fecha` DD/MM/YYYY and `Hora` in seconds since midnight;
- `cuauhtemoc`: an unnamed index column, `año, mes, fecha, hora_hecho, delito, ..., colonia ` (trailing space
  in one file), `alcaldía`; in one file `hora_hecho` holds the export's timestamp
  (`2024-11-11T03:40:00.000Z`), which is not the hour of the crime and is ignored;
- `cuauhtemoc_minimal`: `año, colonia, delito, fecha, latitud, longitud, mes`;
- `internal`: one row per victim with identity (`id_victima` key).

Event `victim_record` at FechaHecho/HoraHecho, crime from `Delito`, case key the carpeta (`idCarpeta` /
`id_carpeta`). One `victim` mention per row when the file says anything about the victim (sex, age or
identity): a legal person (`TipoPersona = MORAL`) has `is_legal_person` and `business_name = razon_social`.
`vaw` for gender-violence crimes, `minor` when the victim is under 18. The open-data files have no key
per victim (an idCarpeta repeats for each victim), so their key is `<sha256 prefix>-<line>`.
"""

from __future__ import annotations

import pandas as pd

from ..base import SchemaVersion, line_keys
from ._internal_common import (
    InternalAdapter,
    Rows,
    as_date,
    attrs_json,
    business_name,
    category,
    join_labels,
    label,
    none_if_empty,
    text,
    vaw_crime,
)
from ._open_common import coords

OPEN = ("idCarpeta", "Año_inicio", "Mes_inicio", "FechaInicio", "Delito", "Categoria", "Sexo", "Edad", "TipoPersona",
        "CalidadJuridica", "competencia", "Año_hecho", "Mes_hecho", "FechaHecho", "HoraHecho", "HoraInicio",
        "AlcaldiaHechos", "ColoniaHechos", "Calle_hechos", "latitud", "longitud")
THREE = ("idCarpeta", "Dia", "Mes", "Año", "Fecha", "Hora", "Delito", "CalidadJuridica", "Categoria", "Colonia",
         "Alcalia", "Sexo", "Edad", "TipoPersona", "longitud", "latitud")
CUAU = ("año", "mes", "fecha", "hora_hecho", "delito", "categoria_delito", "sexo", "edad", "tipo_persona", "colonia",
        "alcaldía", "latitud", "longitud")
CUAU_MIN = ("año", "colonia", "delito", "fecha", "latitud", "longitud", "mes")
INTERNAL = ("id_victima", "id_carpeta", "nombre", "apellido_paterno", "apellido_materno", "fecha_nacimiento",
            "curp", "telefono", "domicilio", "colonia_domicilio", "alcaldia_domicilio", "razon_social", "Delito",
            "Categoria", "Sexo", "Edad", "TipoPersona", "CalidadJuridica", "FechaHecho", "HoraHecho",
            "AlcaldiaHechos", "ColoniaHechos", "latitud", "longitud")

VERSIONS = (
    SchemaVersion("open_data", frozenset({"idCarpeta", "FechaInicio", "Delito", "Sexo", "FechaHecho",
                                          "AlcaldiaHechos"}), OPEN, None),
    SchemaVersion("three_alcaldias", frozenset({"idCarpeta", "Dia", "Mes", "Año", "Fecha", "Hora", "Delito", "Alcalia",
                                                "Sexo"}),
                  THREE, None),
    SchemaVersion("cuauhtemoc", frozenset({"año", "fecha", "hora_hecho", "delito", "sexo", "edad", "tipo_persona",
                                           "alcaldía"}), CUAU, None),
    SchemaVersion("cuauhtemoc_minimal", frozenset(CUAU_MIN), CUAU_MIN, None),
    SchemaVersion("internal", frozenset({"id_victima", "id_carpeta", "nombre", "apellido_paterno", "Delito",
                                         "FechaHecho"}), INTERNAL, "id_victima"),
)

# per version: (date, time, reported date, reported time, crime, category, alcaldia, colonia, sex, age,
#               tipo persona, calidad juridica, carpeta)
FIELDS = {
    "open_data": ("FechaHecho", "HoraHecho", "FechaInicio", "HoraInicio", "Delito", "Categoria", "AlcaldiaHechos",
                  "ColoniaHechos", "Sexo", "Edad", "TipoPersona", "CalidadJuridica", "idCarpeta"),
    "three_alcaldias": ("Fecha", "Hora", None, None, "Delito", "Categoria", "Alcalia", "Colonia", "Sexo", "Edad",
                        "TipoPersona", "CalidadJuridica", "idCarpeta"),
    "cuauhtemoc": ("fecha", "hora_hecho", None, None, "delito", "categoria_delito", "alcaldía", "colonia", "sexo",
                   "edad", "tipo_persona", None, None),
    "cuauhtemoc_minimal": ("fecha", None, None, None, "delito", None, None, "colonia", None, None, None, None,
                           None),
    "internal": ("FechaHecho", "HoraHecho", None, None, "Delito", "Categoria", "AlcaldiaHechos", "ColoniaHechos",
                 "Sexo", "Edad", "TipoPersona", "CalidadJuridica", "id_carpeta"),
}

_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}[ T]"


class FgjVictimas(InternalAdapter):
    source = "fgj_victimas"
    kind = "victim_record"
    versions = VERSIONS

    def _has(self, rows: Rows, name: str | None) -> bool:
        return name is not None and name.lower() in rows._cols

    def _datetime(self, rows: Rows, dcol: str | None, tcol: str | None) -> pd.Series | None:
        from .. import normalize

        if not self._has(rows, dcol):
            return None
        d = rows.date(dcol)
        if not self._has(rows, tcol):
            return d
        raw_t = rows.raw(tcol)
        # an export timestamp in the hour column is not the hour of the crime: ignore it
        export_stamp = raw_t.str.match(_TIMESTAMP)
        t, bad = normalize.parse_times(raw_t.where(~export_stamp, ""))
        rows.reject(bad, tcol, "unreadable time")
        return normalize.combine_datetime(d, t).where(d.notna())

    def build(self, rows: Rows):
        from .. import normalize

        v = rows.version
        (dcol, tcol, rdcol, rtcol, crime_col, cat_col, alc_col, col_col, sex_col, age_col, tp_col, cj_col,
         carpeta_col) = FIELDS[v.name]
        key = rows.key() if v.key else line_keys(rows.frame)
        occurred = self._datetime(rows, dcol, tcol)
        reported = self._datetime(rows, rdcol, rtcol)
        lat = lon = place = None
        if self._has(rows, "latitud") and self._has(rows, "longitud"):
            lat, lon, place = coords(rows, rows.raw("latitud"), rows.raw("longitud"), "latitud", "longitud")
        alcaldia = rows.alcaldia(alc_col) if self._has(rows, alc_col) else None
        if place is not None:
            alcaldia = place["alcaldia"] if alcaldia is None else place["alcaldia"].where(
                place["alcaldia"].notna(), alcaldia)
        case_key = case_norm = None
        if self._has(rows, carpeta_col):
            case_key, case_norm = rows.carpeta(carpeta_col)
            case_key = none_if_empty(normalize.int_text(case_key.fillna("")))
        delito = rows.raw(crime_col)
        crime = rows.crime(delito)
        sex = rows.sex(sex_col) if self._has(rows, sex_col) else None
        age = rows.age(age_col) if self._has(rows, age_col) else None
        tipo = category(rows.raw(tp_col)) if self._has(rows, tp_col) else None
        attrs_cols = {}
        if self._has(rows, cj_col):
            attrs_cols["calidad_juridica"] = category(rows.raw(cj_col))
        if tipo is not None:
            attrs_cols["tipo_persona"] = tipo
        if self._has(rows, col_col):
            attrs_cols["colonia_nombre"] = category(rows.raw(col_col))
        attrs = attrs_json(attrs_cols, rows.index) if attrs_cols else None
        minor = (age < 18) if age is not None else pd.Series(False, index=rows.index)
        sensitivity = join_labels(label(vaw_crime(crime), "vaw"), label(minor.fillna(False), "minor"))
        # every read that may reject a line happens before the frames are assembled
        with_mentions = not (sex is None and age is None and v.name != "internal")
        legal = (tipo == "MORAL").fillna(False) if tipo is not None else pd.Series(False, index=rows.index)
        cols = dict(sex=sex, age=age, is_legal_person=legal, event_date=as_date(occurred) if occurred is not None
                    else None, sensitivity=sensitivity, lat=None, lon=None)
        if v.name == "internal":
            names = rows.names("nombre", "apellido_paterno", "apellido_materno")
            razon = business_name(normalize.name_upper(rows.raw("razon_social")))
            legal = legal | razon.notna()
            cols.update(
                given_names=names["given_names"].where(~legal, None), surname_1=names["surname_1"].where(~legal, None),
                surname_2=names["surname_2"].where(~legal, None), birth_date=as_date(rows.date("fecha_nacimiento")),
                curp=rows.curp("curp"), phone=rows.phone("telefono"), address_norm=rows.address("domicilio"),
                alcaldia=rows.alcaldia("alcaldia_domicilio"), colonia=None,
                is_legal_person=legal, business_name=razon.where(legal, None))
        events = rows.events(
            key, self.kind, occurred_at=occurred, reported_at=reported, crime=crime, crime_raw=text(delito),
            category_raw=category(rows.raw(cat_col)) if self._has(rows, cat_col) else None,
            lat=lat, lon=lon, alcaldia=alcaldia,
            colonia=place["colonia"] if place is not None else None,
            cuadrante=place["cuadrante"] if place is not None else None,
            address_norm=rows.address("Calle_hechos") if self._has(rows, "Calle_hechos") else None,
            case_key=case_key, case_key_norm=case_norm, attrs=attrs, sensitivity=sensitivity)
        if not with_mentions:
            return rows.result(events)
        victim = rows.mentions(key, "victim", **cols)
        return rows.result(events, victim)


ADAPTER = FgjVictimas()
