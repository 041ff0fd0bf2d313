"""FGJ accused persons of carpetas (internal extract): one accused person of one carpeta.

Event `accused_record` at `fecha_detencion` (often empty: the carpeta's own date is joined downstream through
the case key), crime from `delito`, case key `id_carpeta`; one `accused` mention with the home address
(alcaldía code from `alcaldia_domicilio`); `minor` when under 18. The event carries no place of its own: the
place of the crime is the carpeta's.
"""

from __future__ import annotations

from ._internal_common import (
    InternalAdapter,
    Rows,
    age_at,
    as_date,
    attrs_json,
    iso_date,
    join_labels,
    label,
    schema,
    text,
)

V1 = schema("fgj_imputados_v1",
            "id_imputado, id_carpeta, nombre, apellido_paterno, apellido_materno, alias, sexo, edad, "
            "fecha_nacimiento, curp, domicilio, colonia_domicilio, alcaldia_domicilio, telefono, detenido, "
            "fecha_detencion, delito")


class FgjImputados(InternalAdapter):
    source = "fgj_imputados"
    kind = "accused_record"
    versions = (V1,)

    def build(self, rows: Rows):
        key = rows.key()
        detained_at = rows.date("fecha_detencion")
        birth = rows.date("fecha_nacimiento")
        age = rows.age("edad")

        case_key, case_norm = rows.carpeta("id_carpeta")
        age = age.fillna(age_at(birth, detained_at))
        sensitivity = join_labels(label(age < 18, "minor"))
        attrs = attrs_json({"detenido": rows.yes_no("detenido"), "fecha_detencion": iso_date(detained_at)},
                           rows.index)
        events = rows.events(key, self.kind, occurred_at=detained_at, crime=rows.crime(rows.raw("delito")),
                             crime_raw=text(rows.raw("delito")), case_key=case_key, case_key_norm=case_norm,
                             attrs=attrs, sensitivity=sensitivity)
        names = rows.names("nombre", "apellido_paterno", "apellido_materno")
        home_alcaldia = rows.alcaldia("alcaldia_domicilio")
        accused = rows.mentions(
            key, "accused", given_names=names["given_names"], surname_1=names["surname_1"],
            surname_2=names["surname_2"], alias=rows.alias("alias"), sex=rows.sex("sexo"),
            birth_date=as_date(birth), age=age, curp=rows.curp("curp"), phone=rows.phone("telefono"),
            address_norm=rows.address("domicilio"), colonia=rows.colonia("colonia_domicilio", home_alcaldia),
            alcaldia=home_alcaldia, event_date=as_date(detained_at),
            sensitivity=sensitivity)
        return rows.result(events, accused)


ADAPTER = FgjImputados()
