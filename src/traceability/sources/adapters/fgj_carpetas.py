"""FGJ investigation files (carpetas), the city's real open-data schema: one row per crime in a carpeta.

Versions (by header): the 2016-2023 portal, the 2024- portal (also its reduced export without coordinates,
e.g. `carpetas_privacion_libertad_2016_2025.csv`), the points extract (`carpetas_puntos_2019_2024.csv.gz`)
and the internal extract (2024 portal + `id_carpeta` first, and `calle_hecho`).

Event `carpeta_crime`: occurred_at = fecha/hora del hecho (a `fecha_hecho` that carries its own time keeps
it when `hora_hecho` is empty), reported_at = fecha/hora de inicio, crime from `delito`, category_raw =
`categoria_delito`, `vaw` for gender-violence crimes. Keys: the internal extract's `id_carpeta`; the
open-data files have no key column, so the key is `<sha256 prefix of the file>-<line>` (`base.line_keys`).
"""

from __future__ import annotations

from ..base import SchemaVersion, line_keys
from ._internal_common import InternalAdapter, Rows, attrs_json, category, join_labels, label, text, vaw_crime
from ._open_common import coords, first_present

P2016 = ("ao_hechos", "mes_hechos", "fecha_hechos", "ao_inicio", "mes_inicio", "fecha_inicio", "delito", "fiscalia",
         "agencia", "unidad_investigacion", "categoria_delito", "calle_hechos", "calle_hechos2", "colonia_hechos",
         "alcaldia_hechos", "competencia", "longitud", "latitud", "tempo")
P2024 = ("anio_inicio", "mes_inicio", "fecha_inicio", "hora_inicio", "anio_hecho", "mes_hecho", "fecha_hecho",
         "hora_hecho", "delito", "categoria_delito", "competencia", "fiscalia", "agencia", "unidad_investigacion",
         "colonia_hecho", "colonia_catalogo", "alcaldia_hecho", "alcaldia_catalogo", "municipio_hecho", "latitud",
         "longitud")
POINTS = ("alcaldia_hecho", "colonia", "latitud", "longitud", "delito", "fecha_hecho", "hora_hecho", "anio_hecho",
          "trimestre")
INTERNAL = ("id_carpeta", *P2024, "calle_hecho")

VERSIONS = (
    SchemaVersion("portal_2016_2023", frozenset({"ao_hechos", "fecha_hechos", "fecha_inicio", "delito",
                                                 "alcaldia_hechos", "categoria_delito"}), P2016, None),
    SchemaVersion("portal_2024", frozenset({"anio_inicio", "fecha_inicio", "fecha_hecho", "delito",
                                            "alcaldia_hecho"}), P2024, None),
    SchemaVersion("points_2019_2024", frozenset({"alcaldia_hecho", "colonia", "latitud", "longitud", "delito",
                                                 "fecha_hecho", "trimestre"}), POINTS, None),
    SchemaVersion("internal", frozenset({"id_carpeta", "anio_inicio", "fecha_inicio", "fecha_hecho", "delito",
                                         "alcaldia_hecho"}), INTERNAL, "id_carpeta"),
)


class FgjCarpetas(InternalAdapter):
    source = "fgj_carpetas"
    kind = "carpeta_crime"
    versions = VERSIONS

    def build(self, rows: Rows):
        v = rows.version
        if v.key:
            key = rows.key()
            case_key, case_norm = rows.carpeta(v.key)
        else:
            key = line_keys(rows.frame)
            case_key = case_norm = None
        fecha_hecho = first_present(rows, "fecha_hecho", "fecha_hechos")
        hora_hecho = first_present(rows, "hora_hecho")
        occurred = rows.datetime(fecha_hecho, hora_hecho)
        reported = (rows.datetime("fecha_inicio", first_present(rows, "hora_inicio"))
                    if first_present(rows, "fecha_inicio") else None)
        lat = lon = place = None
        if first_present(rows, "latitud") and first_present(rows, "longitud"):
            lat, lon, place = coords(rows, rows.raw("latitud"), rows.raw("longitud"), "latitud", "longitud")
        alc_col = first_present(rows, "alcaldia_hecho", "alcaldia_hechos", "alcaldia_catalogo")
        alcaldia = rows.alcaldia(alc_col) if alc_col else None
        if alc_col == "alcaldia_hecho" and first_present(rows, "alcaldia_catalogo"):
            alcaldia = alcaldia.where(alcaldia.notna(), rows.alcaldia("alcaldia_catalogo"))
        if place is not None:
            # the point decides; the written alcaldía stands where there is no point
            alcaldia = place["alcaldia"].where(place["alcaldia"].notna(), alcaldia)
        delito = rows.raw("delito")
        crime = rows.crime(delito)
        calle_cols = [c for c in ("calle_hechos", "calle_hechos2", "calle_hecho") if first_present(rows, c)]
        calle = None
        if calle_cols:
            from ..normalize import join_nonempty

            calle = join_nonempty(*[rows.raw(c) for c in calle_cols], sep=" Y ")
        attrs_cols = {}
        for a in ("fiscalia", "agencia", "unidad_investigacion", "competencia"):
            if first_present(rows, a):
                attrs_cols[a] = category(rows.raw(a))
        if calle is not None:
            attrs_cols["calle"] = text(calle)
        col_name = first_present(rows, "colonia_hecho", "colonia_hechos", "colonia", "colonia_catalogo")
        if col_name:
            attrs_cols["colonia_nombre"] = category(rows.raw(col_name))
        attrs = attrs_json(attrs_cols, rows.index) if attrs_cols else None
        sensitivity = join_labels(label(vaw_crime(crime), "vaw"))
        events = rows.events(
            key, self.kind, occurred_at=occurred, reported_at=reported, crime=crime, crime_raw=text(delito),
            category_raw=category(rows.raw("categoria_delito")) if first_present(rows, "categoria_delito") else None,
            lat=lat, lon=lon, alcaldia=alcaldia,
            colonia=place["colonia"] if place is not None else None,
            cuadrante=place["cuadrante"] if place is not None else None,
            address_norm=rows.address(calle_cols[0]) if calle_cols else None,
            case_key=case_key, case_key_norm=case_norm, attrs=attrs, sensitivity=sensitivity)
        return rows.result(events)


ADAPTER = FgjCarpetas()

