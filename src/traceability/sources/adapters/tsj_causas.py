"""Court cases (TSJ, internal extract): one accused person in one causa penal.

Event `court_case` at `fecha_audiencia_inicial`, crime from `delito`, case key `id_carpeta`; the causa penal
as written and normalized (`casekeys.causa_key`) in attrs. One `defendant` mention, whose whole name is
written "PATERNO MATERNO NOMBRE".
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

V1 = schema("tsj_causas_v1",
            "id_registro, causa_penal, juzgado, id_carpeta, nombre_completo, sexo, fecha_nacimiento, delito, "
            "fecha_audiencia_inicial, vinculacion_proceso, medida_cautelar, fecha_resolucion, sentido, "
            "pena_prision_meses")


class TsjCausas(InternalAdapter):
    source = "tsj_causas"
    kind = "court_case"
    versions = (V1,)

    def build(self, rows: Rows):
        key = rows.key()
        hearing = rows.date("fecha_audiencia_inicial", required=True)
        birth = rows.date("fecha_nacimiento")
        resolved = rows.date("fecha_resolucion")
        months = rows.integer("pena_prision_meses", lo=0, hi=2400, what="prison term")

        case_key, case_norm = rows.carpeta("id_carpeta")
        causa, causa_norm = rows.causa("causa_penal")
        attrs = attrs_json({
            "causa_penal": causa, "causa_norm": causa_norm, "juzgado": category(rows.raw("juzgado")),
            "vinculacion_proceso": rows.yes_no("vinculacion_proceso"),
            "medida_cautelar": category(rows.raw("medida_cautelar")),
            "fecha_resolucion": iso_date(resolved), "sentido": category(rows.raw("sentido")),
            "pena_prision_meses": months,
        }, rows.index)
        events = rows.events(key, self.kind, occurred_at=hearing, crime=rows.crime(rows.raw("delito")),
                             crime_raw=text(rows.raw("delito")), case_key=case_key, case_key_norm=case_norm,
                             attrs=attrs)
        names = rows.whole_name("nombre_completo", order="surname_first")
        defendant = rows.mentions(
            key, "defendant", given_names=names["given_names"], surname_1=names["surname_1"],
            surname_2=names["surname_2"], sex=rows.sex("sexo"), birth_date=as_date(birth),
            age=age_at(birth, hearing), event_date=as_date(hearing))
        return rows.result(events, defendant)


ADAPTER = TsjCausas()
