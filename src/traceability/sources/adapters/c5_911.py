"""C5 911 incidents: the city's real open-data schema, its older years, and the internal extract with caller.

Versions (by header): `current` (`alcaldia_inicio` / `alcaldia_cierre`, `latitud` / `longitud`), `older`
(`delegacion_inicio` / `delegacion_cierre` and a `geopoint` "lat,lon" column, with or without separate
coordinates), `internal` (the current columns plus `nombre_llamante`, `telefono_llamante`, `linea_mujeres`).

Event `call_911` at fecha/hora_creacion, crime from `incidente_c4`, category_raw = `categoria_incidente_c4`,
case_key = `folio` (not a carpeta, so no case_key_norm); attrs `codigo_cierre` (its letter A/N/D/F/I),
`clas_con_f_alarma`, `tipo_entrada`, `categoria_incidente_c4`, `linea_mujeres`, `closed_at`, `folio`.
A `caller` mention when the caller is named (whole name, given names first). `vaw` when the call came
through the women's line or the incident is a gender-violence crime.
"""

from __future__ import annotations

import pandas as pd

from ..base import SchemaVersion
from ._internal_common import (
    InternalAdapter,
    Rows,
    as_date,
    attrs_json,
    category,
    join_labels,
    label,
    text,
    vaw_crime,
)
from ._open_common import coords

CURRENT = ("folio", "fecha_creacion", "hora_creacion", "dia_semana", "categoria_incidente_c4", "incidente_c4",
           "anio_creacion", "mes_creacion", "fecha_cierre", "hora_cierre", "anio_cierre", "mes_cierre",
           "codigo_cierre", "clas_con_f_alarma", "tipo_entrada", "alcaldia_inicio", "colonia", "alcaldia_cierre",
           "manzana", "latitud", "longitud")
OLDER = tuple("delegacion_inicio" if c == "alcaldia_inicio" else "delegacion_cierre" if c == "alcaldia_cierre"
              else c for c in CURRENT if c not in ("latitud", "longitud")) + ("geopoint",)
INTERNAL = CURRENT + ("nombre_llamante", "telefono_llamante", "linea_mujeres")
_CORE = {"folio", "fecha_creacion", "hora_creacion", "incidente_c4", "codigo_cierre"}

VERSIONS = (
    SchemaVersion("current", frozenset(_CORE | {"alcaldia_inicio"}), CURRENT, "folio"),
    SchemaVersion("older", frozenset(_CORE | {"delegacion_inicio"}), OLDER, "folio"),
    SchemaVersion("internal", frozenset(_CORE | {"nombre_llamante", "telefono_llamante", "linea_mujeres"}),
                  INTERNAL, "folio"),
)


class C5911(InternalAdapter):
    source = "c5_911"
    kind = "call_911"
    versions = VERSIONS

    def _has(self, rows: Rows, name: str) -> bool:
        return name.lower() in rows._cols

    def _coords(self, rows: Rows) -> tuple[pd.Series | None, pd.Series | None, pd.DataFrame | None]:
        """Two columns, or the older `geopoint` "lat,lon" (used where the two columns are empty)."""
        from .. import normalize

        raw_lat = rows.raw("latitud") if self._has(rows, "latitud") else None
        raw_lon = rows.raw("longitud") if self._has(rows, "longitud") else None
        if self._has(rows, "geopoint"):
            gp = rows.raw("geopoint")
            glat, glon = normalize.parse_geopoint(gp)
            rows.reject((gp != "") & (glat.isna() | glon.isna()), "geopoint", "unreadable geopoint")
            glat_s = glat.map(repr).where(glat.notna(), "")
            glon_s = glon.map(repr).where(glon.notna(), "")
            if raw_lat is None or raw_lon is None:
                raw_lat, raw_lon = glat_s, glon_s
            else:
                use = (raw_lat == "") & (raw_lon == "")
                raw_lat, raw_lon = raw_lat.where(~use, glat_s), raw_lon.where(~use, glon_s)
        if raw_lat is None or raw_lon is None:
            return None, None, None
        return coords(rows, raw_lat, raw_lon, "latitud", "longitud")

    def build(self, rows: Rows):
        from .. import normalize

        key = rows.key()
        occurred = rows.datetime("fecha_creacion", "hora_creacion", required=True)
        closed = rows.datetime("fecha_cierre", "hora_cierre") if self._has(rows, "fecha_cierre") else None
        lat, lon, place = self._coords(rows)
        alc_col = "alcaldia_inicio" if self._has(rows, "alcaldia_inicio") else "delegacion_inicio"
        alcaldia = rows.alcaldia(alc_col)
        if place is not None:
            alcaldia = place["alcaldia"].where(place["alcaldia"].notna(), alcaldia)
        incidente = rows.raw("incidente_c4")
        crime = rows.crime(incidente)
        codigo = rows.raw("codigo_cierre").str.extract(r"^\s*\(?([A-Za-z])\)?", expand=False).str.upper()
        linea = rows.yes_no("linea_mujeres") if self._has(rows, "linea_mujeres") else None
        attrs_cols = {
            "codigo_cierre": codigo.where(codigo.notna(), None),
            "clas_con_f_alarma": category(rows.raw("clas_con_f_alarma")),
            "tipo_entrada": category(rows.raw("tipo_entrada")),
            "categoria_incidente_c4": category(rows.raw("categoria_incidente_c4")),
            "folio": text(key),
            "colonia_nombre": category(rows.raw("colonia")),
        }
        if linea is not None:
            attrs_cols["linea_mujeres"] = linea
        if closed is not None:
            attrs_cols["closed_at"] = closed.dt.strftime("%Y-%m-%dT%H:%M:%S").where(closed.notna(), None)
        attrs = attrs_json(attrs_cols, rows.index)
        women_line = (linea == True) if linea is not None else pd.Series(False, index=rows.index)  # noqa: E712
        sensitivity = join_labels(label(vaw_crime(crime) | women_line.fillna(False).astype(bool), "vaw"))
        mention_cols = None
        if self._has(rows, "nombre_llamante"):
            given, s1, s2 = normalize.split_full_name(rows.raw("nombre_llamante"), order="given_first")
            named = given.notna() | s1.notna()
            mention_cols = dict(given_names=given, surname_1=s1, surname_2=s2,
                                phone=rows.phone("telefono_llamante") if self._has(rows, "telefono_llamante")
                                else None, event_date=as_date(occurred), sensitivity=sensitivity)
        events = rows.events(
            key, self.kind, occurred_at=occurred, crime=crime, crime_raw=text(incidente),
            category_raw=category(rows.raw("categoria_incidente_c4")), lat=lat, lon=lon, alcaldia=alcaldia,
            colonia=place["colonia"] if place is not None else None,
            cuadrante=place["cuadrante"] if place is not None else None,
            case_key=text(key), case_key_norm=None, attrs=attrs, sensitivity=sensitivity)
        if mention_cols is None:
            return rows.result(events)
        caller = rows.mentions(key, "caller", keep=named, **mention_cols)
        return rows.result(events, caller)


ADAPTER = C5911()

