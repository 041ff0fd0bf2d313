"""A realistic population of person mentions for linkage tests and the benchmark (until the synthetic
city lands, and as a controlled complement to it).

Each true person is mentioned 1–4 times by different sources, with the errors Mexican records carry:
swapped or missing second surname, a compound given name shortened or replaced by a nickname, phonetic
misspellings, age instead of birth date, CURP sometimes present (rarely with a typo), sex, phone, address.
Names are drawn with realistic skew (HERNANDEZ, GARCIA, MARTINEZ… dominate), so that common names must
weigh little.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from traceability.linkage.curp import with_check_digit

SURNAMES = ("HERNANDEZ GARCIA MARTINEZ LOPEZ GONZALEZ PEREZ RODRIGUEZ SANCHEZ RAMIREZ CRUZ FLORES GOMEZ MORALES "
            "VAZQUEZ JIMENEZ REYES DIAZ TORRES GUTIERREZ RUIZ MENDOZA AGUILAR ORTIZ MORENO CASTILLO ROMERO "
            "ALVAREZ MENDEZ CHAVEZ RIVERA JUAREZ RAMOS DOMINGUEZ HERRERA MEDINA CASTRO VARGAS GUZMAN VELAZQUEZ "
            "MUÑOZ ROJAS CONTRERAS SALAZAR LUNA ORTEGA SANTIAGO GUERRERO BAUTISTA ESTRADA CORTES SOTO ALVARADO "
            "ESPINOZA LARA AVILA RIOS CERVANTES SILVA DELGADO VEGA MARQUEZ SANDOVAL FERNANDEZ LEON CARRILLO "
            "IBARRA MEJIA VILLANUEVA ZAVALA BECERRA OROZCO NAVARRO SOLIS ROSAS VALDEZ ZUÑIGA BRAVO CABRERA "
            "MIRANDA GALLEGOS OCHOA ACOSTA VILLEGAS TREJO ESQUIVEL HUERTA PACHECO VELASCO ARELLANO BARRERA "
            "SERRANO OLVERA CAMACHO BELTRAN QUINTERO XOCHIPA ZEPEDA YAÑEZ VILLALOBOS").split()
MALE = ("JOSE|JUAN|LUIS|CARLOS|JESUS|MIGUEL ANGEL|JOSE LUIS|FRANCISCO|ALEJANDRO|JUAN CARLOS|ANTONIO|PEDRO|"
        "MANUEL|RICARDO|FERNANDO|JORGE|EDUARDO|ROBERTO|SALVADOR|GUILLERMO|IGNACIO|ALBERTO|JAVIER|RAFAEL|"
        "DANIEL|SERGIO|MARIO|ARTURO|OSCAR|VICTOR|RAUL|ENRIQUE|GERARDO|HECTOR|ALFREDO|ANDRES|ISRAEL|"
        "JOSE MARIA|JUAN MANUEL|LUIS ANGEL|BRAYAN|KEVIN|ULISES|OMAR|IVAN|ERICK|GUSTAVO|RODOLFO|HUGO").split("|")
FEMALE = ("MARIA GUADALUPE|GUADALUPE|MARIA|JUANA|MARGARITA|VERONICA|LETICIA|ROSA|MARIA ELENA|FRANCISCA|"
          "PATRICIA|ALEJANDRA|GABRIELA|TERESA|LAURA|MARIA DEL CARMEN|ANA|CLAUDIA|ADRIANA|MONICA|SUSANA|"
          "YOLANDA|CONCEPCION|ISABEL|MARTHA|SILVIA|BRENDA|KARLA|DIANA|XIMENA|FERNANDA|DANIELA|ITZEL|"
          "JAQUELINE|YESENIA|ROCIO|LORENA|ELIZABETH|BEATRIZ|LUCIA|DOLORES|ROSARIO|MAGDALENA|MARIA ISABEL").split("|")
NICK = {"FRANCISCO": ["PANCHO", "PACO"], "GUADALUPE": ["LUPE", "LUPITA"], "MARIA GUADALUPE": ["LUPE"],
        "JOSE": ["PEPE"], "JESUS": ["CHUCHO", "CHUY"], "SALVADOR": ["CHAVA"], "GUILLERMO": ["MEMO"],
        "JOSE MARIA": ["CHEMA"], "IGNACIO": ["NACHO"], "CONCEPCION": ["CONCHA"], "EDUARDO": ["LALO"],
        "ALBERTO": ["BETO"], "ROBERTO": ["BETO"], "ANTONIO": ["TOÑO"], "ENRIQUE": ["QUIQUE"],
        "PATRICIA": ["PATY"], "TERESA": ["TERE"], "ROSARIO": ["CHAYO"], "ISABEL": ["CHABELA"]}
PHON = [("Z", "S"), ("S", "Z"), ("V", "B"), ("B", "V"), ("LL", "Y"), ("Y", "LL"), ("CE", "SE"), ("CI", "SI"),
        ("J", "X"), ("H", "")]
SOURCES = ["ssc_detenciones", "fgj_imputados", "tsj_causas", "penitenciario", "fgj_victimas", "cjm_casos",
           "ssa_lesiones", "c5_911"]
ROLES = {"ssc_detenciones": "detainee", "fgj_imputados": "accused", "tsj_causas": "defendant",
         "penitenciario": "inmate", "fgj_victimas": "victim", "cjm_casos": "cjm_user", "ssa_lesiones": "patient",
         "c5_911": "caller"}
CURP_SHARE = {"penitenciario": 0.7, "ssc_detenciones": 0.4, "fgj_imputados": 0.5, "tsj_causas": 0.3,
              "fgj_victimas": 0.3, "cjm_casos": 0.4, "ssa_lesiones": 0.5, "c5_911": 0.0}
BIRTH_SHARE = {"c5_911": 0.0, "ssa_lesiones": 0.3, "cjm_casos": 0.6}


def _zipf_choice(rng, items, n, a=1.1):
    w = 1.0 / np.arange(1, len(items) + 1) ** a
    return rng.choice(len(items), size=n, p=w / w.sum())


def _curp(rng, g, s1, s2, born: date, sex: str) -> str:
    def first_vowel(s):
        return next((c for c in s[1:] if c in "AEIOU"), "X")

    def first_cons(s):
        return next((c for c in s[1:] if c not in "AEIOU"), "X")

    s2 = s2 or "X"
    g0 = g.split()[-1] if g.split()[0] in ("MARIA", "JOSE") and len(g.split()) > 1 else g.split()[0]
    head = (s1[0] + first_vowel(s1) + s2[0] + g0[0]).replace("Ñ", "X")
    cons = (first_cons(s1) + first_cons(s2) + first_cons(g0)).replace("Ñ", "X")
    diff = str(rng.integers(0, 10)) if born.year < 2000 else "A"
    return with_check_digit(f"{head}{born:%y%m%d}{sex}DF{cons}{diff}")


def _misspell(rng, s: str) -> str:
    opts = [(a, b) for a, b in PHON if a in s]
    if not opts:
        return s
    a, b = opts[rng.integers(len(opts))]
    return s.replace(a, b, 1)


def population(n_persons: int = 2000, seed: int = 7, mentions_per_person=(1, 4)):
    """(mentions DataFrame with person_mention columns, truth dict mention_id -> true person id)."""
    rng = np.random.default_rng(seed)
    people = []
    s_idx = _zipf_choice(rng, SURNAMES, 2 * n_persons)
    for i in range(n_persons):
        sex = "H" if rng.random() < 0.55 else "M"
        names = MALE if sex == "H" else FEMALE
        g = names[_zipf_choice(rng, names, 1, 0.9)[0]]
        born = date(1950, 1, 1) + timedelta(days=int(rng.integers(0, 365 * 55)))
        s1, s2 = SURNAMES[s_idx[2 * i]], SURNAMES[s_idx[2 * i + 1]]
        people.append(dict(pid=f"T{i}", g=g, s1=s1, s2=s2, sex=sex, born=born,
                           curp=_curp(rng, g, s1, s2, born, sex),
                           phone=f"55{rng.integers(10**7, 10**8)}",
                           addr=f"CALLE {SURNAMES[rng.integers(len(SURNAMES))]} {rng.integers(1, 400)}"))
    rows, truth = [], {}
    k = 0
    for p in people:
        n_m = int(rng.integers(mentions_per_person[0], mentions_per_person[1] + 1))
        for _ in range(n_m):
            src = SOURCES[rng.integers(len(SOURCES))]
            if p["sex"] == "H" and src == "cjm_casos":
                src = "ssa_lesiones"
            ev = date(2022, 1, 1) + timedelta(days=int(rng.integers(0, 900)))
            g, s1, s2 = p["g"], p["s1"], p["s2"]
            r = rng.random()
            if r < 0.08:
                s1, s2 = s2, s1                                   # swapped surnames
            elif r < 0.18:
                s2 = None                                         # missing second surname
            r = rng.random()
            if r < 0.08 and g in NICK:
                g = NICK[g][rng.integers(len(NICK[g]))]           # nickname
            elif r < 0.14 and len(g.split()) > 1:
                g = g.split()[-1] if g.split()[0] in ("MARIA", "JOSE") else g.split()[0]   # short form
            elif r < 0.20:
                s1 = _misspell(rng, s1)                           # phonetic misspelling
            age = (ev - p["born"]).days // 365
            has_birth = rng.random() < BIRTH_SHARE.get(src, 0.8)
            curp = p["curp"] if rng.random() < CURP_SHARE[src] else None
            if curp and rng.random() < 0.05:                      # CURP typo (invalid check digit)
                j = int(rng.integers(4, 10))
                curp = curp[:j] + str((int(curp[j]) + 1) % 10) + curp[j + 1:]
            k += 1
            key = f"{k}"
            mid = f"{src}:{key}:{ROLES[src]}:1"
            rows.append(dict(
                mention_id=mid, event_id=f"{src}:{key}", source=src, source_key=key, batch_id=1, source_row=k + 1,
                role=ROLES[src], given_names=g, surname_1=s1, surname_2=s2, alias=None,
                sex=p["sex"] if rng.random() < 0.97 else None,
                birth_date=p["born"] if has_birth else None, age=None if has_birth and rng.random() < 0.5 else age,
                curp=curp, rfc=None, phone=p["phone"] if rng.random() < 0.3 else None,
                address_norm=p["addr"] if rng.random() < 0.4 else None, colonia=None, alcaldia=None, lat=None,
                lon=None, is_legal_person=False, business_name=None, event_date=ev, sensitivity=None,
                row_hash="h"))
            truth[mid] = p["pid"]
    return pd.DataFrame(rows), truth


def load(wh, frame: pd.DataFrame) -> None:
    """Insert mentions (person_mention columns) into a warehouse."""
    wh.insert_frame("person_mention", frame)
