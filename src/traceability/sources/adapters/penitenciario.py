"""Prison admissions (penitentiary system, internal extract): one admission of one person.

Event `prison_admission` at `fecha_ingreso`, crime from `delito`; no carpeta number: the causa penal (as
written and normalized) is in attrs with the prison, release and legal situation. One `inmate` mention.
"""

from __future__ import annotations

from ._internal_common import (
    InternalAdapter,
    Rows,
    age_at,
    as_date,
    attrs_json,
    category,
    iso_date,
    schema,
    text,
)

V1 = schema("penitenciario_v1",
            "id_ingreso, expediente, nombre, apellido_paterno, apellido_materno, alias, fecha_nacimiento, sexo, "
            "centro, dormitorio, fecha_ingreso, fecha_egreso, motivo_egreso, causa_penal, juzgado, delito, "
            "situacion_juridica")


class Penitenciario(InternalAdapter):
    source = "penitenciario"
    kind = "prison_admission"
    versions = (V1,)

    def build(self, rows: Rows):
        key = rows.key()
        admitted = rows.date("fecha_ingreso", required=True)
        released = rows.date("fecha_egreso")
        birth = rows.date("fecha_nacimiento")
        rows.reject(released.notna() & admitted.notna() & (released < admitted), "fecha_egreso",
                    "release before admission")

        causa, causa_norm = rows.causa("causa_penal")
        attrs = attrs_json({
            "expediente": category(rows.raw("expediente")), "centro": category(rows.raw("centro")),
            "dormitorio": category(rows.raw("dormitorio")), "fecha_egreso": iso_date(released),
            "motivo_egreso": category(rows.raw("motivo_egreso")), "causa_penal": causa, "causa_norm": causa_norm,
            "juzgado": category(rows.raw("juzgado")), "situacion_juridica": category(rows.raw("situacion_juridica")),
        }, rows.index)
        events = rows.events(key, self.kind, occurred_at=admitted, crime=rows.crime(rows.raw("delito")),
                             crime_raw=text(rows.raw("delito")), attrs=attrs)
        names = rows.names("nombre", "apellido_paterno", "apellido_materno")
        inmate = rows.mentions(
            key, "inmate", given_names=names["given_names"], surname_1=names["surname_1"],
            surname_2=names["surname_2"], alias=rows.alias("alias"), sex=rows.sex("sexo"),
            birth_date=as_date(birth), age=age_at(birth, admitted), event_date=as_date(admitted))
        return rows.result(events, inmate)


ADAPTER = Penitenciario()
