"""SSC police detentions (internal extract, after the national detentions register): one detained person.

Event `detention` at fecha/hora_detencion, crime from `motivo`, case key `id_carpeta`; one `detainee` mention;
`minor` when the detainee is under 18. Place from the coordinates (alcaldía, colonia, cuadrante by
point-in-polygon); without coordinates, the alcaldía from `alcaldia_detencion` and the cuadrante as written.
"""

from __future__ import annotations

from ._internal_common import (
    InternalAdapter,
    Rows,
    age_at,
    as_date,
    attrs_json,
    category,
    join_labels,
    label,
    schema,
    text,
)

V1 = schema("ssc_detenciones_v1",
            "id_detencion, fecha_detencion, hora_detencion, nombre, apellido_paterno, apellido_materno, alias, "
            "sexo, edad, fecha_nacimiento, curp, domicilio, alcaldia_detencion, colonia_detencion, cuadrante, "
            "latitud, longitud, motivo, folio_c5, id_carpeta, autoridad_disposicion, unidad_policial")


class SscDetenciones(InternalAdapter):
    source = "ssc_detenciones"
    kind = "detention"
    versions = (V1,)

    def build(self, rows: Rows):
        key = rows.key()
        occurred = rows.datetime("fecha_detencion", "hora_detencion", required=True)
        birth = rows.date("fecha_nacimiento")
        age = rows.age("edad")
        lat, lon = rows.coords("latitud", "longitud")

        place = rows.place(lat, lon)
        no_point = place["alcaldia"].isna()
        alcaldia = place["alcaldia"].where(~no_point, rows.alcaldia("alcaldia_detencion"))
        colonia = place["colonia"].where(~no_point, rows.colonia("colonia_detencion", alcaldia))
        cuadrante = place["cuadrante"].where(place["cuadrante"].notna(), category(rows.raw("cuadrante")))
        case_key, case_norm = rows.carpeta("id_carpeta")
        age = age.fillna(age_at(birth, occurred))
        sensitivity = join_labels(label(age < 18, "minor"))
        attrs = attrs_json({
            "folio_c5": category(rows.raw("folio_c5")),
            "autoridad_disposicion": category(rows.raw("autoridad_disposicion")),
            "unidad_policial": category(rows.raw("unidad_policial")),
        }, rows.index)
        events = rows.events(key, self.kind, occurred_at=occurred, crime=rows.crime(rows.raw("motivo")),
                             crime_raw=text(rows.raw("motivo")), lat=lat, lon=lon, alcaldia=alcaldia, colonia=colonia,
                             cuadrante=cuadrante, case_key=case_key, case_key_norm=case_norm, attrs=attrs,
                             sensitivity=sensitivity)
        names = rows.names("nombre", "apellido_paterno", "apellido_materno")
        detainee = rows.mentions(
            key, "detainee", given_names=names["given_names"], surname_1=names["surname_1"],
            surname_2=names["surname_2"], alias=rows.alias("alias"), sex=rows.sex("sexo"),
            birth_date=as_date(birth), age=age, curp=rows.curp("curp"), address_norm=rows.address("domicilio"),
            event_date=as_date(occurred), sensitivity=sensitivity)
        return rows.result(events, detainee)


ADAPTER = SscDetenciones()
