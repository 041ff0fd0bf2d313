"""Roles and sensitivity labels: who may see what."""

from __future__ import annotations

ROLES = ("analyst", "investigator", "supervisor", "auditor", "admin")
LABELS = ("vaw", "minor", "financial", "communications")

# Roles that may see identities, once a purpose and case number are stated (and until they expire).
IDENTITY_ROLES = {"investigator", "supervisor"}
AUDIT_ROLES = {"auditor", "admin"}
ADMIN_ROLES = {"admin"}
# Who to ask for a label one does not hold (shown in the notice that a record exists).
LABEL_STEWARDS = {
    "vaw": "la Coordinación de los Centros de Justicia para las Mujeres (CJM) / CJM coordination",
    "minor": "la Fiscalía de Niñas, Niños y Adolescentes / the prosecutor's juvenile unit",
    "financial": "el enlace de la Unidad de Inteligencia Financiera (UIF) / the UIF liaison",
    "communications": "el juez de control que autorizó la intervención / the authorizing judge",
}


def parse_labels(value: str | None) -> set[str]:
    return {x for x in (value or "").split("|") if x}


def may_see(user_labels: set[str], record_sensitivity: str | None) -> bool:
    """A labelled record is visible only to a user holding every one of its labels."""
    return parse_labels(record_sensitivity) <= set(user_labels)
