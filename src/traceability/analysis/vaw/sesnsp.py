"""National figures: victims of femicide in Mexico City from the SESNSP victims file.

The Secretariado Ejecutivo del Sistema Nacional de Seguridad Pública publishes victims of crimes of the *fuero
común* by state, month, sex and age band (``IDVFC_NM_<mes><aa>.zip``): a zip holding one CSV in **latin-1**,
header ``Año,Clave_Ent,Entidad,Bien jurídico afectado,Tipo de delito,Subtipo de delito,Modalidad,Sexo,
Rango de edad,Enero,…,Diciembre``, one column per month. Mexico City is ``Clave_Ent`` 9. The femicide rows are
``Tipo de delito`` = Feminicidio (every modality, sex and age band are summed). Months not yet published are
empty and count as missing, not zero.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from ...errors import UsageError

MONTHS = ("Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio", "Julio", "Agosto", "Septiembre", "Octubre",
          "Noviembre", "Diciembre")
CDMX = 9


def _norm(s: str) -> str:
    import unicodedata

    s = unicodedata.normalize("NFKD", str(s or "")).encode("ascii", "ignore").decode()
    return " ".join(s.strip().lower().split())


def _open_text(path: Path):
    if zipfile.is_zipfile(path):
        z = zipfile.ZipFile(path)
        names = [n for n in z.namelist() if n.lower().endswith(".csv")]
        if not names:
            raise UsageError(f"{path.name} holds no CSV: give the SESNSP victims zip as published (IDVFC_NM_*.zip)")
        return io.TextIOWrapper(z.open(names[0]), encoding="latin-1", newline="")
    return open(path, encoding="latin-1", newline="")


def femicides(path: str | Path, entity: int = CDMX, crime: str = "Feminicidio") -> dict:
    """Victims of femicide per year and month in one state (default Mexico City) from the SESNSP file.

    Returns ``{"by_year": {year: victims}, "by_month": {"YYYY-MM": victims}, "source": file name,
    "entity": name}``; a year counts only its published months (``months_published`` tells how many).
    """
    path = Path(path)
    if not path.exists():
        raise UsageError(f"SESNSP file {path} not found: give the victims zip (IDVFC_NM_*.zip)")
    by_month: dict[str, int] = {}
    published: dict[int, set] = {}
    entity_name = None
    want = _norm(crime)
    with _open_text(path) as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if not header:
            raise UsageError(f"{path.name} is empty")
        col = {_norm(h): i for i, h in enumerate(header)}
        need = ("ano", "clave_ent", "tipo de delito")
        missing = [n for n in need if n not in col]
        if missing:
            raise UsageError(f"{path.name} lacks column(s) {', '.join(missing)}: is this the SESNSP victims file "
                             "(IDVFC_NM_*)?")
        months = [col.get(_norm(m)) for m in MONTHS]
        for row in reader:
            if len(row) < len(header):
                continue
            try:
                if int(float(row[col["clave_ent"]])) != entity or _norm(row[col["tipo de delito"]]) != want:
                    continue
                year = int(float(row[col["ano"]]))
            except ValueError:
                continue
            if entity_name is None and "entidad" in col:
                entity_name = row[col["entidad"]]
            for m, i in enumerate(months, start=1):
                if i is None or row[i].strip() == "":
                    continue
                key = f"{year:04d}-{m:02d}"
                by_month[key] = by_month.get(key, 0) + int(float(row[i]))
                published.setdefault(year, set()).add(m)
    by_year: dict[int, int] = {}
    for k, v in by_month.items():
        by_year[int(k[:4])] = by_year.get(int(k[:4]), 0) + v
    return {"by_year": dict(sorted(by_year.items())), "by_month": dict(sorted(by_month.items())),
            "months_published": {y: len(s) for y, s in sorted(published.items())}, "source": path.name,
            "entity": entity_name}


def default_file() -> Path | None:
    """The SESNSP victims file to compare with: ``$TRACEABILITY_SESNSP``, else the newest
    ``data/sesnsp/IDVFC_NM_*.zip`` of the shared data folder, else None."""
    import os

    from ...config import shared_dir

    env = os.environ.get("TRACEABILITY_SESNSP")
    if env:
        p = Path(env)
        return p if p.exists() else None
    sd = shared_dir()
    if sd is None:
        return None
    found = sorted((sd / "data" / "sesnsp").glob("IDVFC_NM_*.zip"))
    return found[-1] if found else None
