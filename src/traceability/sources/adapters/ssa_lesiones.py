"""Emergency-room injury attentions (SSA, internal nominal extract of the SINAIS "lesiones" form).

Event `er_attention` when the injury happened (`fecha_evento`, else the attention date), reported at the
attention (`fecha_atencion` + `hora_atencion`); crime from the intentionality, the type of violence and the
ICD-10 external cause (taxonomy); `vaw` for family or sexual violence (and any gender-violence crime group).
The event's alcaldía is the patient's residence (the only place the form gives). One `patient` mention.
"""

from __future__ import annotations

from ._internal_common import (
    InternalAdapter,
    Rows,
    as_date,
    attrs_json,
    category,
    iso_date,
    join_labels,
    label,
    schema,
    vaw_crime,
)

V1 = schema("ssa_lesiones_v1",
            "id_atencion, clues, unidad_medica, fecha_atencion, hora_atencion, nombre, apellido_paterno, "
            "apellido_materno, sexo, edad, domicilio, alcaldia_residencia, sitio_ocurrencia, fecha_evento, "
            "intencionalidad, tipo_violencia, agente_lesion, area_anatomica, consecuencia, cie10, "
            "cie10_causa_externa, relacion_agresor, sexo_agresor, aviso_ministerio_publico, destino")


class SsaLesiones(InternalAdapter):
    source = "ssa_lesiones"
    kind = "er_attention"
    versions = (V1,)

    def build(self, rows: Rows):
        key = rows.key()
        attended = rows.datetime("fecha_atencion", "hora_atencion", required=True)
        happened = rows.date("fecha_evento")
        age = rows.age("edad")
        rows.reject(happened.notna() & attended.notna() & (happened > attended.dt.normalize()), "fecha_evento",
                    "injury dated after its attention")

        occurred = happened.where(happened.notna(), attended.dt.normalize())
        intent = category(rows.raw("intencionalidad"))
        violence = category(rows.raw("tipo_violencia"))
        external = category(rows.raw("cie10_causa_externa"))
        crime, crime_raw = rows.crime_ssa(intent, violence, external)
        vaw = (intent == "VIOLENCIA FAMILIAR") | (violence == "SEXUAL") | vaw_crime(crime)
        sensitivity = join_labels(label(vaw, "vaw"))
        alcaldia = rows.alcaldia("alcaldia_residencia")
        attrs = attrs_json({
            "clues": category(rows.raw("clues")), "unidad_medica": category(rows.raw("unidad_medica")),
            "fecha_atencion": iso_date(attended), "sitio_ocurrencia": category(rows.raw("sitio_ocurrencia")),
            "intencionalidad": intent, "tipo_violencia": violence,
            "agente_lesion": category(rows.raw("agente_lesion")),
            "area_anatomica": category(rows.raw("area_anatomica")),
            "consecuencia": category(rows.raw("consecuencia")), "cie10": category(rows.raw("cie10")),
            "cie10_causa_externa": external, "relacion_agresor": category(rows.raw("relacion_agresor")),
            "sexo_agresor": rows.sex("sexo_agresor"),
            "aviso_ministerio_publico": rows.yes_no("aviso_ministerio_publico"),
            "destino": category(rows.raw("destino")),
        }, rows.index)
        events = rows.events(key, self.kind, occurred_at=occurred, reported_at=attended, crime=crime,
                             crime_raw=crime_raw, alcaldia=alcaldia, attrs=attrs, sensitivity=sensitivity)
        names = rows.names("nombre", "apellido_paterno", "apellido_materno")
        patient = rows.mentions(
            key, "patient", given_names=names["given_names"], surname_1=names["surname_1"],
            surname_2=names["surname_2"], sex=rows.sex("sexo"), age=age, address_norm=rows.address("domicilio"),
            alcaldia=alcaldia, event_date=as_date(occurred), sensitivity=sensitivity)
        return rows.result(events, patient)


ADAPTER = SsaLesiones()
