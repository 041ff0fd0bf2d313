"""Neighbourhood security commission records (internal): one report made at a commission session.

Event `commission_report` at `fecha_sesion`, crime from `tema`; place from the coordinates (point-in-polygon),
else the alcaldía and colonia from their names
and the cuadrante as written. One `mentioned` mention per alias listed in
`alias_mencionados` ('|'-separated), carrying only the alias, numbered in the order written.
"""

from __future__ import annotations

import pandas as pd

from ..base import MENTION_COLUMNS
from ._internal_common import InternalAdapter, Rows, as_date, attrs_json, category, schema, text

V1 = schema("comisiones_seguridad_v1",
            "id_registro, fecha_sesion, alcaldia, colonia, cuadrante, tema, descripcion, grupo_mencionado, "
            "alias_mencionados, lugar, latitud, longitud")


def aliases(raw: pd.Series) -> pd.Series:
    """'el Chino| LA TÍA |' -> ['EL CHINO', 'LA TIA'] (name_upper form), None when none."""
    from .. import normalize

    items = raw.fillna("").astype(str).str.split("|", regex=False).explode()
    norm = normalize.name_upper(items)
    lists = norm.dropna().groupby(level=0).agg(list)
    return lists.reindex(raw.index).astype(object).where(lambda x: x.notna(), None)


class ComisionesSeguridad(InternalAdapter):
    source = "comisiones_seguridad"
    kind = "commission_report"
    versions = (V1,)

    def build(self, rows: Rows):
        key = rows.key()
        session = rows.datetime("fecha_sesion", None, required=True)
        lat, lon = rows.coords("latitud", "longitud")

        place = rows.place(lat, lon)
        no_point = place["alcaldia"].isna()
        alcaldia = place["alcaldia"].where(~no_point, rows.alcaldia("alcaldia"))
        colonia = place["colonia"].where(~no_point, rows.colonia("colonia", alcaldia))
        cuadrante = place["cuadrante"].where(place["cuadrante"].notna(), category(rows.raw("cuadrante")))
        alias_lists = aliases(rows.raw("alias_mencionados"))
        attrs = attrs_json({
            "tema": category(rows.raw("tema")), "grupo_mencionado": category(rows.raw("grupo_mencionado")),
            "alias_mencionados": alias_lists, "lugar": text(rows.raw("lugar")),
            "descripcion": text(rows.raw("descripcion")),
        }, rows.index)
        events = rows.events(key, self.kind, occurred_at=session, crime=rows.crime(rows.raw("tema")),
                             crime_raw=text(rows.raw("tema")), lat=lat, lon=lon, alcaldia=alcaldia,
                             colonia=colonia, cuadrante=cuadrante, attrs=attrs)
        per_row = rows.mentions(key, "mentioned", keep=alias_lists.notna(), alias=alias_lists,
                                event_date=as_date(session))
        mentioned = per_row.explode("alias", ignore_index=True)
        n = mentioned.groupby("event_id", sort=False).cumcount() + 1
        mentioned["mention_id"] = mentioned["event_id"] + ":mentioned:" + n.astype(str)
        return rows.result(events, mentioned[MENTION_COLUMNS])


ADAPTER = ComisionesSeguridad()
