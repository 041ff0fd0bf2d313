"""The contacts of women with the agencies, read from the warehouse, and the severity of each contact.

A **contact** is one person mention in one of these records (contract roles and kinds, docs/contracts.md):

==================  ===============  ========================================================================
kind                role             kept when
==================  ===============  ========================================================================
``cjm_case``        ``cjm_user``     always (a Justice Center for Women case)
``er_attention``    ``patient``      the patient is a woman (``sex = 'M'``) and the attention is for family or
                                     sexual violence (``attrs.intencionalidad`` VIOLENCIA FAMILIAR, ``attrs.
                                     tipo_violencia`` SEXUAL, or a gender-violence crime code)
``call_911``        ``caller``       the call came through the women's line (``attrs.linea_mujeres``) or is
                                     about a gender-violence crime
``victim_record``   ``victim``       the victim is a woman and the crime is a gender-violence crime
==================  ===============  ========================================================================

Gender-violence crimes are the codes of ``taxonomy.GENDER_VIOLENCE_GROUPS``. The woman is the resolved person
(``person_membership.person_id``); a mention not yet linked is its own person (``'m:' || mention_id``).
A person whose mentions (in any source) say ``H`` more often than ``M`` is not counted as a woman; a person
with no recorded sex is counted only when she went to a CJM or called the women's line (both serve women).

**Severity score** (0–10) of a contact, from what the record says about the harm (never from the person):

* ER attention: 2 for an injury treated after violence; +1 serious injury (ICD-10 intracranial injury S06,
  fractures S02/S12/S22/S32/S42/S52/S62/S72/S82, internal organs S26/S27/S36/S37, blood vessels S15/S25/S35,
  asphyxia T71); +2 sexual violence (``tipo_violencia`` SEXUAL or external cause Y05); +3 weapon
  (``agente_lesion`` ARMA DE FUEGO or OBJETO PUNZOCORTANTE; external cause X93–X95, X99); +3 strangulation
  (``agente_lesion`` AHORCAMIENTO, ``consecuencia`` ASFIXIA, external cause X91, ICD T71); +2 hospitalization
  (``destino`` HOSPITALIZACION); death (DEFUNCION) 10. Capped at 10. Strangulation weighs as much as a weapon:
  non-fatal strangulation is among the strongest markers of later homicide (Glass et al. 2008,
  *J. Emergency Medicine* 35(3)).
* CJM case: the most severe violence type recorded (PSICOLOGICA, ECONOMICA, PATRIMONIAL, DIGITAL 1; FISICA 3;
  SEXUAL 5; FEMINICIDA 8) plus 0.5 for each further type; capped at 10.
* Crimes (victim records, calls): FEMINICIDIO 10, FEMINICIDIO_TENTATIVA 9, VIOLACION and TRATA 6,
  ABUSO_SEXUAL group 4. VIOLENCIA_FAMILIAR says nothing about the harm: no score (``None``), so the contact
  counts for frequency but not for severity.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd

from ... import taxonomy

KINDS = ("cjm_case", "er_attention", "call_911", "victim_record")
OFFENDER_ROLES = ("detainee", "accused", "defendant", "inmate")
WEAPON_AGENTS = frozenset({"ARMA DE FUEGO", "OBJETO PUNZOCORTANTE"})
CJM_TYPE_SCORE = {"PSICOLOGICA": 1, "ECONOMICA": 1, "PATRIMONIAL": 1, "DIGITAL": 1, "FISICA": 3, "SEXUAL": 5,
                  "FEMINICIDA": 8}
CRIME_SCORE = {"FEMINICIDIO": 10, "FEMINICIDIO_TENTATIVA": 9, "VIOLACION": 6, "TRATA": 6}
SEXUAL_GROUPS = frozenset({"VIOLACION", "ABUSO_SEXUAL"})
_SERIOUS_ICD = re.compile(r"^(S06|S[0-8]2|S2[67]|S3[67]|S[123]5|T71)")
_ICD_CODE = re.compile(r"^([A-Z])(\d{2})")


def gender_violence_codes() -> list[str]:
    c = taxonomy.codes()
    return sorted(c.loc[c["crime_group"].isin(taxonomy.GENDER_VIOLENCE_GROUPS), "code"].tolist())


def group_of(code: str | None) -> str | None:
    try:
        return taxonomy.crime_group(code) if code else None
    except Exception:  # noqa: BLE001 — a code the taxonomy does not know: no group, never a crash
        return None


# The contacts. `?` 1 = the gender-violence codes (a list), bound.
CONTACTS_SQL = """
WITH gv AS (SELECT unnest(?::VARCHAR[]) AS code)
SELECT e.event_id, e.kind, e.source, e.occurred_at, e.crime, e.alcaldia, e.lat, e.lon, e.case_key_norm,
       CAST(e.attrs AS VARCHAR) AS attrs, m.mention_id, m.role, m.sex,
       coalesce(pm.person_id, 'm:' || m.mention_id) AS person_id
FROM event e
JOIN person_mention m ON m.event_id = e.event_id
LEFT JOIN person_membership pm ON pm.mention_id = m.mention_id
WHERE e.occurred_at IS NOT NULL AND (
      (e.kind = 'cjm_case' AND m.role = 'cjm_user')
   OR (e.kind = 'er_attention' AND m.role = 'patient' AND m.sex = 'M'
       AND (e.crime IN (SELECT code FROM gv)
            OR json_extract_string(e.attrs, '$.intencionalidad') = 'VIOLENCIA FAMILIAR'
            OR json_extract_string(e.attrs, '$.tipo_violencia') = 'SEXUAL'))
   OR (e.kind = 'call_911' AND m.role = 'caller'
       AND (json_extract_string(e.attrs, '$.linea_mujeres') = 'true' OR e.crime IN (SELECT code FROM gv)))
   OR (e.kind = 'victim_record' AND m.role = 'victim' AND m.sex = 'M' AND e.crime IN (SELECT code FROM gv)))
"""

# Sex recorded for each person of the contacts, over all her mentions in any source.
PERSON_SEX_SQL = f"""
WITH c AS ({CONTACTS_SQL})
SELECT pm.person_id, count(*) FILTER (WHERE m.sex = 'M') AS n_m, count(*) FILTER (WHERE m.sex = 'H') AS n_h
FROM person_membership pm JOIN person_mention m USING (mention_id)
WHERE pm.person_id IN (SELECT person_id FROM c)
GROUP BY 1
"""

# Carpeta keys that exist in the warehouse (a carpeta or a victim entry), among the contacts' keys.
KNOWN_KEYS_SQL = f"""
WITH c AS ({CONTACTS_SQL})
SELECT DISTINCT c.case_key_norm FROM c
WHERE c.case_key_norm IN (SELECT case_key_norm FROM event
                          WHERE kind IN ('carpeta_crime', 'victim_record') AND case_key_norm IS NOT NULL)
"""

# Aggressors: the CJM aggressor mention (linked as a person where names allow), and the accused of the
# woman's own gender-violence carpetas (same case_key_norm).
AGGRESSORS_SQL = f"""
WITH c AS ({CONTACTS_SQL})
SELECT c.event_id, c.person_id AS woman_id, a.mention_id AS aggressor_mention,
       coalesce(pa.person_id, 'm:' || a.mention_id) AS aggressor_id, 'cjm_aggressor' AS how, e.occurred_at
FROM c JOIN person_mention a ON a.event_id = c.event_id AND a.role = 'aggressor'
LEFT JOIN person_membership pa ON pa.mention_id = a.mention_id
JOIN event e ON e.event_id = c.event_id
WHERE c.kind = 'cjm_case'
UNION ALL
SELECT c.event_id, c.person_id, a.mention_id, coalesce(pa.person_id, 'm:' || a.mention_id), 'carpeta_accused',
       e.occurred_at
FROM c JOIN event e ON e.case_key_norm = c.case_key_norm AND e.kind = 'accused_record'
JOIN person_mention a ON a.event_id = e.event_id AND a.role = 'accused'
LEFT JOIN person_membership pa ON pa.mention_id = a.mention_id
WHERE c.kind = 'victim_record' AND c.case_key_norm IS NOT NULL
"""

# The aggressors' own records as offenders (detentions, accusations, court cases, prison admissions).
AGGRESSOR_RECORDS_SQL = f"""
WITH a AS ({AGGRESSORS_SQL})
SELECT DISTINCT pm.person_id AS aggressor_id, e.event_id, e.kind, m.role, e.occurred_at, e.crime
FROM person_membership pm JOIN person_mention m USING (mention_id) JOIN event e ON e.event_id = m.event_id
WHERE m.role IN ('detainee', 'accused', 'defendant', 'inmate')
  AND pm.person_id IN (SELECT aggressor_id FROM a WHERE aggressor_id NOT LIKE 'm:%')
"""

# Femicides and attempts known only from a carpeta (no victim entry naming the woman).
FEMICIDE_CARPETAS_SQL = """
SELECT e.event_id, e.occurred_at, e.crime, e.alcaldia, e.case_key_norm, e.lat, e.lon
FROM event e
WHERE e.kind = 'carpeta_crime' AND e.crime IN ('FEMINICIDIO', 'FEMINICIDIO_TENTATIVA')
  AND (e.case_key_norm IS NULL OR e.case_key_norm NOT IN (
       SELECT case_key_norm FROM event WHERE kind = 'victim_record' AND case_key_norm IS NOT NULL
       AND crime IN ('FEMINICIDIO', 'FEMINICIDIO_TENTATIVA')))
"""


def _attrs(s) -> dict:
    if s is None or (isinstance(s, float) and np.isnan(s)):
        return {}
    if isinstance(s, dict):
        return s
    try:
        v = json.loads(s)
    except (TypeError, ValueError):
        return {}
    return v if isinstance(v, dict) else {}


def _upper(v) -> str:
    return str(v or "").strip().upper()


def _icd_in(code: str, lo: str, hi: str) -> bool:
    m = _ICD_CODE.match(code.replace(" ", "").upper())
    if not m:
        return False
    v = (m.group(1), int(m.group(2)))
    a, b = _ICD_CODE.match(lo), _ICD_CODE.match(hi)
    return (a.group(1), int(a.group(2))) <= v <= (b.group(1), int(b.group(2)))


def er_facts(attrs: dict, crime: str | None) -> dict:
    """What an ER attention records about the harm: weapon, strangulation, sexual violence, hospitalization,
    death, serious injury, the relation to the aggressor."""
    agente, cons, destino = _upper(attrs.get("agente_lesion")), _upper(attrs.get("consecuencia")), \
        _upper(attrs.get("destino"))
    ext, icd = _upper(attrs.get("cie10_causa_externa")), _upper(attrs.get("cie10"))
    tipo = attrs.get("tipo_violencia")
    tipos = {_upper(t) for t in tipo} if isinstance(tipo, list) else {_upper(tipo)}
    return {
        "weapon": agente in WEAPON_AGENTS or _icd_in(ext, "X93", "X95") or _icd_in(ext, "X99", "X99"),
        "strangulation": agente == "AHORCAMIENTO" or cons == "ASFIXIA" or _icd_in(ext, "X91", "X91")
        or icd.startswith("T71"),
        "sexual": "SEXUAL" in tipos or ext.startswith("Y05") or group_of(crime) in SEXUAL_GROUPS,
        "hospitalized": destino == "HOSPITALIZACION",
        "death": cons == "DEFUNCION" or destino == "DEFUNCION",
        "serious_injury": bool(_SERIOUS_ICD.match(icd.replace(".", ""))),
        "family": _upper(attrs.get("intencionalidad")) == "VIOLENCIA FAMILIAR",
    }


def cjm_types(attrs: dict) -> list[str]:
    t = attrs.get("tipo_violencia")
    if isinstance(t, list):
        return [_upper(x) for x in t if x]
    return [_upper(x) for x in str(t or "").split("|") if x.strip()]


def severity(kind: str, attrs: dict, crime: str | None) -> float | None:
    """The severity score of one contact (module docstring); ``None`` when the record says nothing of it."""
    if kind == "er_attention":
        f = er_facts(attrs, crime)
        if f["death"]:
            return 10.0
        s = 2.0 + 1.0 * f["serious_injury"] + 2.0 * f["sexual"] + 3.0 * f["weapon"] + 3.0 * f["strangulation"] \
            + 2.0 * f["hospitalized"]
        return min(s, 10.0)
    if kind == "cjm_case":
        scores = sorted((CJM_TYPE_SCORE.get(t, 1) for t in cjm_types(attrs)), reverse=True)
        if not scores:
            return None
        return min(10.0, scores[0] + 0.5 * (len(scores) - 1))
    if crime in CRIME_SCORE:
        return float(CRIME_SCORE[crime])
    if group_of(crime) == "ABUSO_SEXUAL":
        return 4.0
    return None


def load(wh) -> dict[str, pd.DataFrame]:
    """Every frame the analysis needs, read once: ``contacts`` (with ``date``, ``severity``, facts),
    ``aggressors``, ``aggressor_records``, ``femicide_carpetas``."""
    gv = gender_violence_codes()
    c = wh.df(CONTACTS_SQL, [gv])
    sex = wh.df(PERSON_SEX_SQL, [gv])
    known = {r[0] for r in wh.query(KNOWN_KEYS_SQL, [gv])}
    aggr = wh.df(AGGRESSORS_SQL, [gv])
    recs = wh.df(AGGRESSOR_RECORDS_SQL, [gv])
    fem = wh.df(FEMICIDE_CARPETAS_SQL)
    return {"contacts": prepare(c, sex, known), "aggressors": aggr, "aggressor_records": recs,
            "femicide_carpetas": fem}


def prepare(c: pd.DataFrame, sex: pd.DataFrame | None = None, known_keys: set | None = None) -> pd.DataFrame:
    """Add the derived columns to the raw contacts and keep the women (module docstring)."""
    c = c.copy()
    if c.empty:
        for col in ("date", "severity", "attrs_d", "weapon", "strangulation", "sexual", "separation",
                    "feminicidal", "death", "hospitalized", "key_known", "services", "protection", "sede",
                    "unit", "relacion", "sexo_agresor"):
            c[col] = pd.Series(dtype=object)
        return c
    c["date"] = pd.to_datetime(c["occurred_at"]).dt.normalize()
    ad = [_attrs(a) for a in c["attrs"]]
    c["attrs_d"] = ad
    sev, weapon, strang, sexual, sep, femi, death, hosp, services, prot, sede, unit, rel, sexo = \
        ([] for _ in range(14))
    for kind, a, crime in zip(c["kind"], ad, c["crime"], strict=True):
        sev.append(severity(kind, a, crime))
        f = er_facts(a, crime) if kind == "er_attention" else {}
        types = cjm_types(a) if kind == "cjm_case" else []
        weapon.append(bool(f.get("weapon")))
        strang.append(bool(f.get("strangulation")))
        sexual.append(bool(f.get("sexual")) or "SEXUAL" in types
                      or (kind in ("victim_record", "call_911") and group_of(crime) in SEXUAL_GROUPS))
        rel.append(_upper(a.get("relacion_agresor")) or None)
        sep.append(_upper(a.get("relacion_agresor")) == "EXPAREJA")
        femi.append("FEMINICIDA" in types)
        death.append(bool(f.get("death")))
        hosp.append(bool(f.get("hospitalized")))
        sv = [_upper(s) for s in str(a.get("servicios") or "").split("|") if s.strip()] if kind == "cjm_case" else []
        if kind == "er_attention":
            sv = ["ATENCION MEDICA"] + (["AVISO AL MINISTERIO PUBLICO"] if a.get("aviso_ministerio_publico") is True
                                        else [])
        if kind == "cjm_case" and a.get("medidas_proteccion") is True:
            sv.append("MEDIDAS DE PROTECCION")
        services.append(sv)
        prot.append(kind == "cjm_case" and a.get("medidas_proteccion") is True)
        sede.append(a.get("sede") if kind == "cjm_case" else None)
        unit.append(a.get("unidad_medica") if kind == "er_attention" else None)
        sexo.append(_upper(a.get("sexo_agresor")) or None if kind == "er_attention" else None)
    c["severity"] = pd.Series(sev, index=c.index, dtype=float)
    c["weapon"], c["strangulation"], c["sexual"], c["separation"] = weapon, strang, sexual, sep
    c["feminicidal"], c["death"], c["hospitalized"] = femi, death, hosp
    c["services"], c["protection"], c["sede"], c["unit"] = services, prot, sede, unit
    c["relacion"], c["sexo_agresor"] = rel, sexo
    known_keys = known_keys or set()
    c["key_known"] = c["case_key_norm"].isin(known_keys) if known_keys else False
    # who is a woman (module docstring)
    women_line = c["kind"].eq("call_911") & c["attrs_d"].map(lambda a: a.get("linea_mujeres") is True)
    c["_womens_service"] = c["kind"].eq("cjm_case") | women_line
    if sex is not None and not sex.empty:
        s = sex.set_index("person_id")
        n_m = c["person_id"].map(s["n_m"]).fillna(0)
        n_h = c["person_id"].map(s["n_h"]).fillna(0)
    else:  # unlinked: the mention's own sex
        n_m = c.groupby("person_id")["sex"].transform(lambda x: (x == "M").sum())
        n_h = c.groupby("person_id")["sex"].transform(lambda x: (x == "H").sum())
    service = c.groupby("person_id")["_womens_service"].transform("any")
    keep = (n_m > n_h) | ((n_m == 0) & (n_h == 0) & service)
    c = c[keep].drop(columns="_womens_service")
    return c.sort_values(["person_id", "occurred_at", "event_id"], kind="stable").reset_index(drop=True)
