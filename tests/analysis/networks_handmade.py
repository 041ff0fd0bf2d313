"""A hand-made warehouse with one or more records for every association kind (shared by the networks tests).

Persons: A, B, C, D, E, F, G, W (victim), X1..X10 (people at a shelter). Expected edges (see EXPECTED):
- co_accused A–B (carpeta CI-1; A's accused record has no date: it takes the carpeta's 2024-01-10)
- co_detained A–C (same carpeta CI-2, same day); D detained in CI-2 a day later: no edge
- shared_address A–B; C and D give "SIN DOMICILIO" (placeholder); X1..X10 share a shelter (too common)
- shared_phone C–D (5512345678)
- family A–W (CJM case, PAREJA, label vaw); a CJM case with DESCONOCIDO gives none
- financial B–E (UIF report, label financial)
- communication E–phone:5599999999 twice (a number nobody owns stays a phone node, label communications);
  a call from E's phone to itself gives none; C–D's shared phone maps to D (more records)
- commission A–C (EL CHATO, LA GUERA); A–G: EL FLACO is carried by F (09007) and G (09005), the record is in
  09005; EL NADIE resolves to nobody
- prison A–B (overlap 2024-05-01..2024-06-01), B–D (B's open stay overlaps D's); C in another dormitory
"""

from __future__ import annotations

import json

BATCH = 1
EXPECTED = {
    ("A", "B", "co_accused"), ("A", "C", "co_detained"), ("A", "B", "shared_address"), ("C", "D", "shared_phone"),
    ("A", "W", "family"), ("B", "E", "financial"), ("E", "phone:5599999999", "communication"),
    ("A", "C", "commission"), ("A", "G", "commission"), ("A", "B", "prison"), ("B", "D", "prison"),
}


def fill(wh) -> None:
    wh.execute("INSERT INTO batch (batch_id, source, file_name, sha256, status) VALUES (1, 'x', 'x', 'x', 'done')")
    wh.execute("INSERT INTO link_run (run_id, finished_at) VALUES (1, current_timestamp)")
    events, mentions = [], []
    row = [0]

    def ev(source, key, kind, when=None, case=None, crime=None, alcaldia=None, cuadrante=None, sens=None, **attrs):
        row[0] += 1
        eid = f"{source}:{key}"
        events.append((eid, kind, source, key, BATCH, row[0], when, crime, alcaldia, cuadrante, case,
                       json.dumps(attrs), sens, "h"))
        return eid

    def me(eid, role, person, n=1, phone=None, address=None, alias=None, alcaldia=None, sens=None):
        source, key = eid.split(":", 1)
        mentions.append((f"{eid}:{role}:{n}", eid, source, key, BATCH, 1, role, alias, phone, address, alcaldia,
                         sens, "h", person))

    e = ev("fgj_carpetas", "C1", "carpeta_crime", "2024-01-10 10:00", "CI-1", "ROBO_NEGOCIO_CV", "09007", "O-1.2.3")
    del e
    me(ev("fgj_imputados", "I1", "accused_record", None, "CI-1", "ROBO_NEGOCIO_CV"), "accused", "A")
    me(ev("fgj_imputados", "I2", "accused_record", "2024-01-12", "CI-1", "ROBO_NEGOCIO_CV", "09007"), "accused", "B")
    me(ev("ssc_detenciones", "D1", "detention", "2024-02-01 12:00", "CI-2", "NARCOMENUDEO", "09007", "O-1.2.3"),
       "detainee", "A", alias="EL CHATO", address="CALLE 5 NUM 10 COL CENTRO")
    me(ev("ssc_detenciones", "D2", "detention", "2024-02-01 13:00", "CI-2", "NARCOMENUDEO", "09007", "O-1.2.4"),
       "detainee", "C", alias="LA GUERA", address="SIN DOMICILIO", phone="5512345678")
    me(ev("ssc_detenciones", "D3", "detention", "2024-02-02 09:00", "CI-2", "NARCOMENUDEO", "09007"),
       "detainee", "D", address="SIN DOMICILIO", phone="5512345678")
    me(ev("ssc_detenciones", "D4", "detention", "2024-02-05 09:00", None, "ROBO_OTROS", "09005"),
       "detainee", "D", phone="5512345678")
    me(ev("ssc_detenciones", "D5", "detention", "2024-02-06 09:00", None, "ROBO_OTROS", "09007"),
       "detainee", "F", alias="EL FLACO", alcaldia="09007")
    me(ev("ssc_detenciones", "D6", "detention", "2024-02-07 09:00", None, "ROBO_OTROS", "09005"),
       "detainee", "G", alias="EL FLACO", alcaldia="09005")
    me(ev("fgj_victimas", "V1", "victim_record", "2024-01-20", "CI-9", "AMENAZAS", "09007"),
       "victim", "B", address="CALLE 5 NUM 10 COL CENTRO", phone="5522222222")
    for i in range(1, 11):
        me(ev("ssa_lesiones", f"L{i}", "er_attention", "2024-03-01", None, "LESIONES_DOLOSAS", "09015"),
           "patient", f"X{i}", address="ALBERGUE CALLE 1 NUM 1 COL CENTRO")
    eid = ev("cjm_casos", "J1", "cjm_case", "2024-04-01", None, "VIOLENCIA_FAMILIAR", "09007", sens="vaw",
             relacion_agresor="PAREJA")
    me(eid, "cjm_user", "W", sens="vaw")
    me(eid, "aggressor", "A", sens="vaw")
    eid = ev("cjm_casos", "J2", "cjm_case", "2024-04-02", None, "VIOLENCIA_FAMILIAR", "09007", sens="vaw",
             relacion_agresor="DESCONOCIDO")
    me(eid, "cjm_user", "W", sens="vaw")
    me(eid, "aggressor", "F", sens="vaw")
    eid = ev("uif_reportes", "U1", "uif_report", "2024-04-10", sens="financial", monto_mxn=250000.0)
    me(eid, "account_holder", "B", sens="financial")
    me(eid, "counterparty", "E", phone="5511111111", sens="financial")
    for i, (a, b, when) in enumerate([("5511111111", "5599999999", "2024-05-01 10:00"),
                                      ("5599999999", "5511111111", "2024-05-03 11:00"),
                                      ("5511111111", "5511111111", "2024-05-04 11:00")], start=1):
        ev("comunicaciones", f"K{i}", "communication", when, "OJ-1", sens="communications", numero_origen=a,
           numero_destino=b, tipo="LLAMADA")
    eid = ev("comisiones_seguridad", "S1", "commission_report", "2024-05-10", None, "NARCOMENUDEO", "09007",
             grupo_mencionado="LOS DE LA CALLE 5")
    me(eid, "mentioned", "M1", alias="EL CHATO")
    me(eid, "mentioned", "M2", n=2, alias="LA GUERA")
    eid = ev("comisiones_seguridad", "S2", "commission_report", "2024-05-11", None, "NARCOMENUDEO", "09005")
    me(eid, "mentioned", "M3", alias="EL FLACO")
    me(eid, "mentioned", "M4", n=2, alias="EL CHATO")
    me(eid, "mentioned", "M5", n=3, alias="EL NADIE")
    for key, p, centro, dorm, start, end in [
            ("P1", "A", "RECLUSORIO PREVENTIVO VARONIL NORTE", "DORMITORIO 3", "2024-03-01", "2024-06-01"),
            ("P2", "B", "RECLUSORIO PREVENTIVO VARONIL NORTE", "DORMITORIO 3", "2024-05-01", None),
            ("P3", "C", "RECLUSORIO PREVENTIVO VARONIL NORTE", "DORMITORIO 4", "2024-05-01", None),
            ("P4", "D", "RECLUSORIO PREVENTIVO VARONIL NORTE", "DORMITORIO 3", "2024-07-01", "2024-08-01")]:
        me(ev("penitenciario", key, "prison_admission", start, None, "ROBO_NEGOCIO_CV", centro=centro,
              dormitorio=dorm, fecha_egreso=end), "inmate", p)
    me(ev("tsj_causas", "T1", "court_case", "2024-02-20", "CI-1", "ROBO_NEGOCIO_CV", sentido="CONDENATORIA"),
       "defendant", "A")
    wh.executemany("""INSERT INTO event (event_id, kind, source, source_key, batch_id, source_row, occurred_at, crime,
                      alcaldia, cuadrante, case_key_norm, attrs, sensitivity, row_hash)
                      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", events)
    wh.executemany("""INSERT INTO person_mention (mention_id, event_id, source, source_key, batch_id, source_row, role,
                      alias, phone, address_norm, alcaldia, sensitivity, row_hash)
                      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", [m[:-1] for m in mentions])
    wh.executemany("INSERT INTO person_membership (mention_id, person_id, match_probability, run_id) VALUES (?, ?, 1, 1)",
                   [(m[0], m[-1]) for m in mentions])
    wh.executemany("INSERT INTO person (person_id, n_mentions) VALUES (?, 1)",
                   [(p,) for p in sorted({m[-1] for m in mentions})])


def build(wh) -> dict:
    from traceability.linkage.associations import build_associations

    fill(wh)
    return build_associations(wh)
