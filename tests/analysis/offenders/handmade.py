"""A hand-made warehouse of four offenders, small enough to compute every figure by hand.

Persons and records (crime harm in days given by HARM, groups by GROUP):

A  det1 2024-01-10 carpeta C1 (ROBO_TRANSEUNTE_CV), imp1 accused C1 (occurred_at NULL: carpeta date 2024-01-09),
   cc1 court case C1 2024-03-01 CONDENATORIA causa X1, p1 prison admission 2024-04-01 (no carpeta, causa X1,
   released 2024-06-30), det2 2024-08-01 without carpeta (ROBO_OTROS)
   -> 2 offences: carpeta:C1 (detained, accused, defendant, convicted, imprisoned; 2024-01-09), det2 (detention only)
B  det1 with A (co-detained)                    -> 1 offence carpeta:C1, detention only, 2024-01-10
C  det3 2024-02-01 carpeta C2 (LESIONES_DOLOSAS), imp3 accused C2  -> 1 offence carpeta:C2, accused
D  det4 2024-05-01, det5 2024-09-01, no carpeta (NARCOMENUDEO) -> 2 offences, detention only
"""

from __future__ import annotations

import json

HARM = {"ROBO_TRANSEUNTE_CV": 100.0, "ROBO_OTROS": 50.0, "LESIONES_DOLOSAS": 200.0, "NARCOMENUDEO": 30.0}
GROUP = {"ROBO_TRANSEUNTE_CV": "ROBO_TRANSEUNTE", "ROBO_OTROS": "ROBO_OTROS", "LESIONES_DOLOSAS": "LESIONES_DOLOSAS",
         "NARCOMENUDEO": "NARCOMENUDEO"}

EVENTS = [
    # event_id, kind, source, occurred_at, crime, alcaldia, case_key_norm, attrs
    ("fgj_carpetas:C1", "carpeta_crime", "fgj_carpetas", "2024-01-09 22:00", "ROBO_TRANSEUNTE_CV", "09015", "C1", {}),
    ("fgj_carpetas:C2", "carpeta_crime", "fgj_carpetas", "2024-02-01 10:00", "LESIONES_DOLOSAS", "09007", "C2", {}),
    ("ssc_detenciones:1", "detention", "ssc_detenciones", "2024-01-10 01:00", "ROBO_TRANSEUNTE_CV", "09015", "C1", {}),
    ("fgj_imputados:1", "accused_record", "fgj_imputados", None, "ROBO_TRANSEUNTE_CV", None, "C1", {"detenido": True}),
    ("tsj_causas:1", "court_case", "tsj_causas", "2024-03-01", "ROBO_TRANSEUNTE_CV", None, "C1",
     {"causa_norm": "X1", "sentido": "CONDENATORIA"}),
    ("penitenciario:1", "prison_admission", "penitenciario", "2024-04-01", "ROBO_TRANSEUNTE_CV", None, None,
     {"causa_norm": "X1", "fecha_egreso": "2024-06-30"}),
    ("ssc_detenciones:2", "detention", "ssc_detenciones", "2024-08-01 12:00", "ROBO_OTROS", "09015", None, {}),
    ("ssc_detenciones:3", "detention", "ssc_detenciones", "2024-02-01 11:00", "LESIONES_DOLOSAS", "09007", "C2", {}),
    ("fgj_imputados:3", "accused_record", "fgj_imputados", "2024-02-01", "LESIONES_DOLOSAS", "09007", "C2", {}),
    ("ssc_detenciones:4", "detention", "ssc_detenciones", "2024-05-01", "NARCOMENUDEO", "09005", None, {}),
    ("ssc_detenciones:5", "detention", "ssc_detenciones", "2024-09-01", "NARCOMENUDEO", "09005", None, {}),
]

MENTIONS = [
    # event_id, role, person_id, sex, age
    ("ssc_detenciones:1", "detainee", "A", "H", 30),
    ("ssc_detenciones:1", "detainee", "B", "H", 19),
    ("fgj_imputados:1", "accused", "A", "H", 30),
    ("tsj_causas:1", "defendant", "A", "H", 30),
    ("penitenciario:1", "inmate", "A", "H", 30),
    ("ssc_detenciones:2", "detainee", "A", "H", 31),
    ("ssc_detenciones:3", "detainee", "C", "M", 40),
    ("fgj_imputados:3", "accused", "C", "M", 40),
    ("ssc_detenciones:4", "detainee", "D", "H", 22),
    ("ssc_detenciones:5", "detainee", "D", "H", 22),
]


def fill(wh, events=EVENTS, mentions=MENTIONS) -> None:
    """Insert events, person mentions and their person_membership into a fresh warehouse."""
    wh.execute("INSERT INTO batch (batch_id, source, file_name, sha256, status) VALUES (1, 'test', 'f', 'x', 'done')")
    for i, (eid, kind, source, occ, crime, alc, key, attrs) in enumerate(events):
        wh.execute("INSERT INTO event (event_id, kind, source, source_key, batch_id, source_row, occurred_at, crime, "
                   "alcaldia, case_key_norm, attrs, row_hash) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, 'h')",
                   [eid, kind, source, eid.split(":", 1)[1], i + 2, occ, crime, alc, key, json.dumps(attrs)])
    seen: dict[tuple, int] = {}
    for eid, role, pid, sex, age in mentions:
        n = seen[(eid, role)] = seen.get((eid, role), 0) + 1
        mid = f"{eid}:{role}:{n}"
        wh.execute("INSERT INTO person_mention (mention_id, event_id, source, source_key, batch_id, source_row, "
                   "role, sex, age, row_hash) VALUES (?, ?, ?, ?, 1, 2, ?, ?, ?, 'h')",
                   [mid, eid, eid.split(":")[0], eid.split(":", 1)[1], role, sex, age])
        wh.execute("INSERT INTO person_membership (mention_id, person_id, match_probability, run_id) "
                   "VALUES (?, ?, 1.0, 1)", [mid, pid])
