"""Communications records under judicial authorization (internal): one call or message.

Event `communication` at `fecha_hora`, case key the judicial order (`orden_judicial`), labelled
`communications`. No person mention: the two numbers (10 digits) are in attrs and tie to persons through
the phones of other sources. A record without a readable origin or destination number is rejected.
"""

from __future__ import annotations

import pandas as pd

from ._internal_common import InternalAdapter, Rows, attrs_json, category, schema, text

V1 = schema("comunicaciones_v1",
            "id_registro, orden_judicial, fecha_hora, numero_origen, numero_destino, tipo, duracion_segundos")


class Comunicaciones(InternalAdapter):
    source = "comunicaciones"
    kind = "communication"
    versions = (V1,)

    def build(self, rows: Rows):
        key = rows.key()
        when = rows.datetime("fecha_hora", None, required=True)
        origin, destination = rows.phone("numero_origen"), rows.phone("numero_destino")
        for col, number in (("numero_origen", origin), ("numero_destino", destination)):
            raw = rows.raw(col)
            rows.reject(raw == "", col, "missing phone number")
            rows.reject(number.isna(), col, "unreadable phone number (fewer than 10 digits)")
        seconds = rows.integer("duracion_segundos", lo=0, what="duration")

        label = pd.Series("communications", index=rows.index, dtype=object)
        attrs = attrs_json({"numero_origen": origin, "numero_destino": destination,
                            "tipo": category(rows.raw("tipo")), "duracion_segundos": seconds}, rows.index)
        events = rows.events(key, self.kind, occurred_at=when, case_key=text(rows.raw("orden_judicial")),
                             attrs=attrs, sensitivity=label)
        return rows.result(events)


ADAPTER = Comunicaciones()
