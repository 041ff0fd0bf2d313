"""Justice Centers for Women (CJM, internal extract): one woman's case.

Event `cjm_case` at `fecha_atencion`, crime from `tipo_violencia` (several types joined by '|': the
most severe decides, read with the `modalidad`: `taxonomy.map_cjm`), case key `id_carpeta` when one was opened, always labelled `vaw`. The event's alcaldía
is the usuaria's (the only place the record gives). Mentions: the `cjm_user` (`nombre_usuaria` +
`apellidos_usuaria`, split into first and second surname; sex M: the centres serve women) and, when named,
the `aggressor` (`nombre_agresor`, a whole name written given names first).
"""

from __future__ import annotations

import pandas as pd

from ... import taxonomy
from ._internal_common import (
    InternalAdapter,
    Rows,
    age_at,
    as_date,
    attrs_json,
    category,
    schema,
    split_list,
    text,
)

V1 = schema("cjm_casos_v1",
            "folio, sede, fecha_atencion, nombre_usuaria, apellidos_usuaria, edad, fecha_nacimiento, telefono, "
            "domicilio, colonia, alcaldia, tipo_violencia, modalidad, nombre_agresor, relacion_agresor, servicios, "
            "id_carpeta, medidas_proteccion")


class CjmCasos(InternalAdapter):
    source = "cjm_casos"
    kind = "cjm_case"
    versions = (V1,)

    def build(self, rows: Rows):
        key = rows.key()
        attended = rows.date("fecha_atencion", required=True)
        birth = rows.date("fecha_nacimiento")
        age = rows.age("edad")

        case_key, case_norm = rows.carpeta("id_carpeta")
        alcaldia = rows.alcaldia("alcaldia")
        age = age.fillna(age_at(birth, attended))
        violence = rows.raw("tipo_violencia")
        vaw = pd.Series("vaw", index=rows.index, dtype=object)
        attrs = attrs_json({
            "sede": category(rows.raw("sede")), "tipo_violencia": split_list(violence),
            "modalidad": category(rows.raw("modalidad")), "relacion_agresor": category(rows.raw("relacion_agresor")),
            "servicios": category(rows.raw("servicios")), "medidas_proteccion": rows.yes_no("medidas_proteccion"),
        }, rows.index)
        crime = rows.crime_pairs(violence, rows.raw("modalidad"), lambda t, m: taxonomy.map_cjm(t or None, m))
        events = rows.events(key, self.kind, occurred_at=attended, crime=crime,
                             crime_raw=text(violence), alcaldia=alcaldia, case_key=case_key,
                             case_key_norm=case_norm, attrs=attrs, sensitivity=vaw)
        event_date = as_date(attended)
        surname_1, surname_2 = rows.surnames("apellidos_usuaria")
        user = rows.mentions(
            key, "cjm_user", given_names=rows.name("nombre_usuaria"), surname_1=surname_1,
            surname_2=surname_2, sex="M", birth_date=as_date(birth), age=age, phone=rows.phone("telefono"),
            address_norm=rows.address("domicilio"), colonia=rows.colonia("colonia", alcaldia), alcaldia=alcaldia,
            event_date=event_date, sensitivity=vaw)
        aggressor_name = rows.whole_name("nombre_agresor", order="given_first")
        named = aggressor_name.notna().any(axis=1)
        aggressor = rows.mentions(
            key, "aggressor", keep=named, given_names=aggressor_name["given_names"],
            surname_1=aggressor_name["surname_1"], surname_2=aggressor_name["surname_2"], event_date=event_date,
            sensitivity=vaw)
        return rows.result(events, user, aggressor)


ADAPTER = CjmCasos()
