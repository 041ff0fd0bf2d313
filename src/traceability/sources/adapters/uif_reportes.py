"""Financial intelligence reports (UIF, internal extract): one reported operation.

Event `uif_report` at `fecha_reporte`, no crime, labelled `financial`. Mentions: the `account_holder`
(`titular_*`) and, when named, the `counterparty` (`contraparte_*`). Both names are whole names written given
names first, or a company's name: a legal person (company form such as S.A. DE C.V., or a 12-character RFC)
gets `is_legal_person` and `business_name` instead of a split name.
"""

from __future__ import annotations

import pandas as pd

from ._internal_common import (
    InternalAdapter,
    Rows,
    as_date,
    attrs_json,
    business_name,
    category,
    is_business_name,
    schema,
    text,
)

V1 = schema("uif_reportes_v1",
            "id_reporte, fecha_reporte, tipo, institucion, titular_nombre, titular_rfc, titular_curp, "
            "contraparte_nombre, contraparte_rfc, monto_mxn, instrumento, descripcion")


def _party(rows: Rows, name_col: str, rfc_col: str) -> pd.DataFrame:
    """given_names / surnames of a natural person, or business_name of a legal one."""
    whole = rows.name(name_col)
    rfc = rows.rfc(rfc_col)
    legal = is_business_name(whole, rfc)
    split = rows.whole_name(name_col, order="given_first")
    out = split.apply(lambda col: col.where(~legal, None))
    out["business_name"] = business_name(whole).where(legal, None)
    out["is_legal_person"] = legal
    out["rfc"] = rfc
    out["named"] = whole.notna() | rfc.notna()
    return out


class UifReportes(InternalAdapter):
    source = "uif_reportes"
    kind = "uif_report"
    versions = (V1,)

    def build(self, rows: Rows):
        key = rows.key()
        reported = rows.datetime("fecha_reporte", None, required=True)
        amount = rows.number("monto_mxn", lo=0)

        financial = pd.Series("financial", index=rows.index, dtype=object)
        attrs = attrs_json({
            "tipo": category(rows.raw("tipo")), "institucion": category(rows.raw("institucion")),
            "monto_mxn": amount, "instrumento": category(rows.raw("instrumento")),
            "descripcion": text(rows.raw("descripcion")),
        }, rows.index)
        events = rows.events(key, self.kind, occurred_at=reported, attrs=attrs, sensitivity=financial)
        event_date = as_date(reported)
        holder = _party(rows, "titular_nombre", "titular_rfc")
        curp = rows.curp("titular_curp")
        account_holder = rows.mentions(
            key, "account_holder", given_names=holder["given_names"], surname_1=holder["surname_1"],
            surname_2=holder["surname_2"], curp=curp.where(~holder["is_legal_person"], None), rfc=holder["rfc"],
            is_legal_person=holder["is_legal_person"], business_name=holder["business_name"],
            event_date=event_date, sensitivity=financial)
        other = _party(rows, "contraparte_nombre", "contraparte_rfc")
        counterparty = rows.mentions(
            key, "counterparty", keep=other["named"], given_names=other["given_names"],
            surname_1=other["surname_1"], surname_2=other["surname_2"], rfc=other["rfc"],
            is_legal_person=other["is_legal_person"], business_name=other["business_name"],
            event_date=event_date, sensitivity=financial)
        return rows.result(events, account_holder, counterparty)


ADAPTER = UifReportes()
