"""The one filter bar: period, alcaldía, colonia/cuadrante and crime type, carried in the URL."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta

from fastapi import HTTPException, Request

ALCALDIAS = {
    "09002": "Azcapotzalco", "09003": "Coyoacán", "09004": "Cuajimalpa de Morelos", "09005": "Gustavo A. Madero",
    "09006": "Iztacalco", "09007": "Iztapalapa", "09008": "La Magdalena Contreras", "09009": "Milpa Alta",
    "09010": "Álvaro Obregón", "09011": "Tláhuac", "09012": "Tlalpan", "09013": "Xochimilco",
    "09014": "Benito Juárez", "09015": "Cuauhtémoc", "09016": "Miguel Hidalgo", "09017": "Venustiano Carranza",
}


@dataclass(frozen=True)
class Filters:
    date_from: date | None = None
    date_to: date | None = None
    alcaldia: str | None = None
    cuadrante: str | None = None
    colonia: str | None = None
    crime: str | None = None

    @classmethod
    def from_request(cls, request: Request) -> Filters:
        q = request.query_params

        def d(name: str) -> date | None:
            v = q.get(name)
            if not v:
                return None
            try:
                return date.fromisoformat(v)
            except ValueError:
                raise HTTPException(422, f"{name} must be a date YYYY-MM-DD") from None

        alc = q.get("alcaldia") or None
        if alc and alc not in ALCALDIAS:
            raise HTTPException(422, "unknown alcaldia code")
        f = cls(d("from"), d("to"), alc, q.get("cuadrante") or None, q.get("colonia") or None,
                q.get("crime") or None)
        quick = q.get("period")
        if quick and not (f.date_from or f.date_to):
            f = f.with_period(quick)
        return f

    def with_period(self, quick: str, today: date | None = None) -> Filters:
        today = today or date.today()
        if quick == "28d":
            return Filters(today - timedelta(days=28), today, self.alcaldia, self.cuadrante, self.colonia, self.crime)
        if quick == "ytd":
            return Filters(date(today.year, 1, 1), today, self.alcaldia, self.cuadrante, self.colonia, self.crime)
        if quick == "lastyear":
            return Filters(date(today.year - 1, 1, 1), today.replace(year=today.year - 1), self.alcaldia,
                           self.cuadrante, self.colonia, self.crime)
        return self

    def sql(self, alias: str = "e") -> tuple[str, list]:
        """A WHERE fragment over the event table (alias) with bound parameters."""
        clauses, params = [], []
        if self.date_from:
            clauses.append(f"{alias}.occurred_at >= ?")
            params.append(self.date_from)
        if self.date_to:
            clauses.append(f"{alias}.occurred_at < ? + INTERVAL 1 DAY")
            params.append(self.date_to)
        if self.alcaldia:
            clauses.append(f"{alias}.alcaldia = ?")
            params.append(self.alcaldia)
        if self.cuadrante:
            clauses.append(f"{alias}.cuadrante = ?")
            params.append(self.cuadrante)
        if self.colonia:
            clauses.append(f"{alias}.colonia = ?")
            params.append(self.colonia)
        if self.crime:
            clauses.append(f"{alias}.crime = ?")
            params.append(self.crime)
        return (" AND ".join(clauses) or "TRUE"), params

    def as_dict(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items()}


def int_param(request: Request, name: str, default: int, lo: int, hi: int) -> int:
    """A whole-number query parameter within [lo, hi], or a 422 that says so."""
    v = request.query_params.get(name)
    if not v:
        return default
    try:
        n = int(v)
    except ValueError:
        raise HTTPException(422, f"{name} must be a whole number") from None
    if not lo <= n <= hi:
        raise HTTPException(422, f"{name} must be between {lo} and {hi}")
    return n
