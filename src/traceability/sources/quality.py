"""Data quality of what was ingested: the figures behind the /quality page and /api/quality.

Per source: batches, rows read / loaded / quarantined, the latest batch (freshness) and the latest event;
per source and month of occurrence: rows loaded; per source and month of loading: rows read / loaded /
quarantined; completeness of the key fields (names, birth date, coordinates, carpeta number); the crime
labels with no canonical code; the quarantine reasons. Counts only: no raw row, no personal data.
"""

from __future__ import annotations

from datetime import date


def _where(date_from: date | None, date_to: date | None, alcaldia: str | None, alias: str = "e"
           ) -> tuple[str, list]:
    cond, params = [], []
    if date_from:
        cond.append(f"{alias}.occurred_at >= ?")
        params.append(date_from)
    if date_to:
        cond.append(f"{alias}.occurred_at < CAST(? AS DATE) + INTERVAL 1 DAY")
        params.append(date_to)
    if alcaldia:
        cond.append(f"{alias}.alcaldia = ?")
        params.append(alcaldia)
    return (" AND ".join(cond) if cond else "TRUE"), params


def quality_report(wh, date_from: date | None = None, date_to: date | None = None,
                   alcaldia: str | None = None) -> dict:
    """All the quality figures as one JSON-ready dict (filters apply to the event-based figures)."""
    where, params = _where(date_from, date_to, alcaldia)
    sources = wh.query_dicts(
        "SELECT source, count(*) AS batches, sum(rows_read) AS rows_read, sum(rows_loaded) AS rows_loaded, "
        "sum(rows_quarantined) AS rows_quarantined, sum(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS "
        "files_refused, max(finished_at) AS last_loaded_at, arg_max(file_name, batch_id) AS last_file, "
        "arg_max(status, batch_id) AS last_status FROM batch GROUP BY source ORDER BY source")
    latest_event = {r["source"]: r for r in wh.query_dicts(
        "SELECT source, max(occurred_at) AS last_event, min(occurred_at) AS first_event, count(*) AS events "
        "FROM event GROUP BY source")}
    for s in sources:
        le = latest_event.get(s["source"], {})
        s["events"] = le.get("events", 0)
        s["first_event"] = le.get("first_event")
        s["last_event"] = le.get("last_event")
        read = s["rows_read"] or 0
        s["quarantine_share"] = (s["rows_quarantined"] or 0) / read if read else None
        s["days_since_load"] = (date.today() - s["last_loaded_at"].date()).days if s["last_loaded_at"] else None
    by_month = wh.query_dicts(
        "SELECT source, strftime(occurred_at, '%Y-%m') AS month, count(*) AS rows_loaded FROM event e "
        f"WHERE occurred_at IS NOT NULL AND {where} GROUP BY 1, 2 ORDER BY 1, 2", params)
    by_load_month = wh.query_dicts(
        "SELECT source, strftime(started_at, '%Y-%m') AS month, sum(rows_read) AS rows_read, "
        "sum(rows_loaded) AS rows_loaded, sum(rows_quarantined) AS rows_quarantined FROM batch "
        "GROUP BY 1, 2 ORDER BY 1, 2")
    completeness = wh.query_dicts(
        "SELECT e.source, count(*) AS events, avg(CASE WHEN e.lat IS NOT NULL THEN 1.0 ELSE 0 END) AS coordinates, "
        "avg(CASE WHEN e.case_key_norm IS NOT NULL THEN 1.0 ELSE 0 END) AS carpeta_number, "
        "avg(CASE WHEN e.occurred_at IS NOT NULL THEN 1.0 ELSE 0 END) AS occurred_at, "
        "avg(CASE WHEN e.crime IS NOT NULL THEN 1.0 ELSE 0 END) AS crime_mapped "
        f"FROM event e WHERE {where} GROUP BY 1 ORDER BY 1", params)
    persons = {r["source"]: r for r in wh.query_dicts(
        "SELECT m.source, count(*) AS mentions, "
        "avg(CASE WHEN m.surname_1 IS NOT NULL OR m.given_names IS NOT NULL OR m.business_name IS NOT NULL "
        "THEN 1.0 ELSE 0 END) AS names, avg(CASE WHEN m.birth_date IS NOT NULL THEN 1.0 ELSE 0 END) AS birth_date "
        f"FROM person_mention m JOIN event e USING (event_id) WHERE {where} GROUP BY 1", params)}
    for c in completeness:
        p = persons.get(c["source"], {})
        c["mentions"] = p.get("mentions", 0)
        c["names"] = p.get("names")
        c["birth_date"] = p.get("birth_date")
    unmapped = wh.query_dicts(
        "SELECT source, crime_raw AS label, count(*) AS n FROM event e "
        f"WHERE crime IS NULL AND crime_raw IS NOT NULL AND {where} GROUP BY 1, 2 ORDER BY n DESC, 1, 2 LIMIT 200",
        params)
    reasons = wh.query_dicts(
        "SELECT source, CASE WHEN strpos(reason, ':') > 0 THEN substr(reason, 1, strpos(reason, ':') - 1) "
        "ELSE reason END AS reason, column_name, count(DISTINCT (batch_id, source_row)) AS rows FROM quarantine "
        "GROUP BY 1, 2, 3 ORDER BY rows DESC LIMIT 100")
    refused = wh.query_dicts(
        "SELECT file_name, source, started_at, substr(message, 1, 300) AS message FROM batch "
        "WHERE status = 'failed' ORDER BY batch_id DESC LIMIT 20")
    return {
        "params": {"from": date_from.isoformat() if date_from else None,
                   "to": date_to.isoformat() if date_to else None, "alcaldia": alcaldia},
        "data_version": wh.data_version(),
        "sources": sources, "by_month": by_month, "by_load_month": by_load_month, "completeness": completeness,
        "unmapped": unmapped, "quarantine_reasons": reasons, "refused_files": refused,
    }
