"""The ingest framework: one batch per file, nothing lost, nothing loaded twice.

For each file: sha256 -> skip if that exact file was loaded already; read (`readers.read_table`);
detect source and schema version by header across every registered adapter; normalize through the adapter;
validate its output against the declared schema (`schema.py`, pandera); check coordinates against the city
and fill colonia / cuadrante (`geo`); quarantine every rejected line (file, line, column, raw value,
reason, the raw row as JSON); then upsert set-based by `event_id` (= source:source_key):

- a key never seen -> new; same key and same `row_hash` (hash of the raw row) -> unchanged, nothing written;
- same key, other hash -> updated: the previous event and its mentions move to `event_history` /
  `person_mention_history` (`superseded_by_batch`), the new ones take their place.

Everything for one file happens in one transaction; `rows_loaded + rows_quarantined = rows_read` always.
Keys of sources without a key column are `<sha256 prefix of the file>-<line>` (`base.line_keys`): the same
file again is skipped by its sha256; two different files never collide; such rows are never "updated".
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import TraceabilityError
from .base import EVENT_COLUMNS, MENTION_COLUMNS, Adapter, SchemaVersion
from .readers import RawTable, ReadError, is_data_file, read_table

SKIP_DIRS = {"truth", "__pycache__", ".git"}
EVENT_DB_COLUMNS = ["event_id", "kind", "source", "source_key", "batch_id", "source_row", "occurred_at",
                    "reported_at", "crime", "crime_raw", "category_raw", "lat", "lon", "alcaldia", "colonia",
                    "cuadrante", "address_norm", "case_key", "case_key_norm", "attrs", "sensitivity", "row_hash"]
MENTION_DB_COLUMNS = ["mention_id", "event_id", "source", "source_key", "batch_id", "source_row", "role",
                      "given_names", "surname_1", "surname_2", "alias", "sex", "birth_date", "age", "curp", "rfc",
                      "phone", "address_norm", "colonia", "alcaldia", "lat", "lon", "is_legal_person",
                      "business_name", "event_date", "sensitivity", "row_hash"]
QUARANTINE_COLUMNS = ["batch_id", "source", "file_name", "source_row", "column_name", "raw_value", "reason",
                      "raw_row"]


@dataclass
class BatchReport:
    file: str
    source: str | None = None
    schema_version: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_new: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    error: str | None = None
    batch_id: int | None = None
    encoding: str | None = None
    already_loaded: bool = False
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    timings: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        keys = ["file", "source", "schema_version", "rows_read", "rows_loaded", "rows_quarantined", "rows_new",
                "rows_updated", "rows_unchanged"]
        d = asdict(self)
        out = {k: d[k] for k in keys}
        if self.error:
            out["error"] = self.error
        return out


class RefusedFile(TraceabilityError):
    """A file that is not loaded at all (unknown layout, unreadable)."""


# -- helpers ---------------------------------------------------------------------------------------

def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _hash_rows(frame: pd.DataFrame) -> pd.Series:
    """A stable hash per row of a frame of strings (column order does not matter)."""
    if frame.shape[1] == 0:
        return pd.Series("0", index=frame.index)
    cols = sorted(frame.columns)
    sub = frame[cols]
    if not all(sub[c].dtype == object for c in cols):
        sub = sub.astype(str)
    h = pd.util.hash_pandas_object(sub, index=False, categorize=True)
    return h.astype("uint64").astype(str)


def _arrow(frame: pd.DataFrame):
    """The frame as an Arrow table (for the key table of `_existing_hashes`)."""
    import pyarrow as pa

    try:
        return pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return frame.reset_index(drop=True)


def _existing_hashes(wh, source: str, ev: pd.DataFrame) -> pd.DataFrame:
    """(event_id, old_hash) of the events of this file the warehouse already holds: a join in DuckDB of
    the file's keys against `event` (nothing read back when the source is new)."""
    empty = pd.DataFrame({"event_id": pd.Series(dtype=object), "old_hash": pd.Series(dtype=object)})
    if not len(ev) or not wh.query("SELECT 1 FROM event WHERE source = ? LIMIT 1", [source]):
        return empty
    # a plain table, not TEMP: the warehouse reads through cursors, which do not see temporary tables
    wh.execute("CREATE OR REPLACE TABLE _tr_keys (event_id VARCHAR)")
    try:
        wh.insert_frame("_tr_keys", _arrow(ev[["event_id"]]), ["event_id"])
        return wh.df("SELECT k.event_id, e.row_hash AS old_hash FROM _tr_keys k JOIN event e USING (event_id)")
    finally:
        wh.execute("DROP TABLE IF EXISTS _tr_keys")


def _blank(s: pd.Series) -> pd.Series:
    """True where a key is missing or only spaces (vectorized through Arrow)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(s.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return s.isna() | (s.astype(str).str.strip() == "")
    blank = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(arr), ""), True)
    return pd.Series(blank.to_numpy(zero_copy_only=False), index=s.index)


def _json_rows(frame: pd.DataFrame) -> list[str]:
    if len(frame) == 0:
        return []
    text = frame.to_json(orient="records", lines=True, force_ascii=False, date_format="iso")
    return text.rstrip("\n").split("\n")


def detect_adapter(header: list[str], adapters: dict[str, Adapter], source: str | None = None
                   ) -> tuple[Adapter, SchemaVersion]:
    """The adapter and version whose required columns the header holds (the most specific wins).

    Raises `RefusedFile` naming the columns found and the columns each known source expects."""
    pool = {source: adapters[source]} if source else adapters
    hits: list[tuple[int, Adapter, SchemaVersion]] = []
    for ad in pool.values():
        v = ad.detect(header)
        if v is not None:
            hits.append((len(v.required), ad, v))
    if hits:
        hits.sort(key=lambda t: -t[0])
        if len(hits) > 1 and hits[0][0] == hits[1][0]:
            names = ", ".join(f"{a.source}/{v.name}" for _, a, v in hits if _ == hits[0][0])
            raise RefusedFile(f"header matches several sources equally ({names}); give --source")
        return hits[0][1], hits[0][2]
    found = ", ".join(header)
    expected = "; ".join(
        f"{ad.source}: " + " | ".join(f"{v.name} [{', '.join(sorted(v.required))}]" for v in ad.versions)
        for ad in pool.values())
    where = f"source {source!r}" if source else "any known source"
    raise RefusedFile(f"unknown layout for {where}. Columns found: {found}. Columns expected: {expected}")


def canonical_header(frame: pd.DataFrame, version: SchemaVersion) -> pd.DataFrame:
    """Rename the file's columns to the version's declared spelling (case and spaces ignored)."""
    declared = {c.strip().lower(): c for c in (*version.columns, *version.required)}
    ren = {}
    for c in frame.columns:
        k = c.strip().lower()
        if k in declared and declared[k] != c:
            ren[c] = declared[k]
    return frame.rename(columns=ren) if ren else frame


def _geo():
    try:
        from .. import geo
    except Exception:  # the geo package is optional at run time
        return None
    return geo if hasattr(geo, "in_city") and hasattr(geo, "locate") else None


def place_events(events: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series, list[str]]:
    """Check coordinates and fill alcaldía/colonia/cuadrante by point-in-polygon.

    Returns (events, outside_mask, notes). Exact (0, 0) is an empty coordinate (cleared). A point outside
    the city whose swapped (lon, lat) is inside is swapped. Points still outside (beyond `places.EDGE_TOLERANCE_M` of the outline) are flagged."""
    notes: list[str] = []
    lat = pd.to_numeric(events["lat"], errors="coerce").astype("float64")
    lon = pd.to_numeric(events["lon"], errors="coerce").astype("float64")
    zero = (lat == 0) & (lon == 0)
    lat, lon = lat.mask(zero), lon.mask(zero)
    events = events.assign(lat=lat, lon=lon)
    outside = pd.Series(False, index=events.index)
    # only points the adapter did not place (an adapter that located its points has checked them)
    has = lat.notna() & lon.notna() & events["colonia"].isna() & events["cuadrante"].isna()
    geo = _geo()
    if not has.any():
        return events, outside, notes
    if geo is None:
        notes.append("geo module not available: colonia/cuadrante not assigned")
        return events, outside, notes
    from .places import city_mask

    pts = pd.DataFrame({"lat": lat[has], "lon": lon[has]})
    uniq = pts.drop_duplicates()
    inside = pd.Series(np.asarray(city_mask(uniq["lat"].to_numpy(), uniq["lon"].to_numpy()), dtype=bool),
                       index=uniq.index)
    if (~inside).any():
        sw = uniq[~inside]
        sw_in = np.asarray(city_mask(sw["lon"].to_numpy(), sw["lat"].to_numpy()), dtype=bool)
        swapped = sw[sw_in]
        if len(swapped):
            key = pd.MultiIndex.from_frame(swapped[["lat", "lon"]])
            rows = pd.MultiIndex.from_frame(pts[["lat", "lon"]]).isin(key)
            idx = pts.index[rows]
            events.loc[idx, ["lat", "lon"]] = events.loc[idx, ["lon", "lat"]].to_numpy()
            notes.append(f"{len(idx)} row(s) had latitude and longitude swapped; corrected")
            pts.loc[idx, ["lat", "lon"]] = pts.loc[idx, ["lon", "lat"]].to_numpy()
            uniq = pts.drop_duplicates()
            inside = pd.Series(np.asarray(city_mask(uniq["lat"].to_numpy(), uniq["lon"].to_numpy()),
                                          dtype=bool), index=uniq.index)
    # spread `inside` from unique points back to all rows
    ukey = pd.MultiIndex.from_frame(uniq[["lat", "lon"]])
    pos = ukey.get_indexer(pd.MultiIndex.from_frame(pts[["lat", "lon"]]))
    in_all = pd.Series(inside.to_numpy()[pos], index=pts.index)
    outside.loc[in_all.index[~in_all]] = True
    ok_idx = in_all.index[in_all]
    if len(ok_idx):
        upts = uniq[inside.to_numpy()]
        loc = geo.locate(upts["lat"].to_numpy(), upts["lon"].to_numpy())
        loc = pd.DataFrame(loc).reset_index(drop=True)
        lkey = pd.MultiIndex.from_frame(upts[["lat", "lon"]])
        p2 = lkey.get_indexer(pd.MultiIndex.from_frame(pts.loc[ok_idx, ["lat", "lon"]]))
        for col in ("alcaldia", "colonia", "cuadrante"):
            if col not in loc:
                continue
            vals = pd.Series(loc[col].to_numpy(dtype=object)[p2], index=ok_idx)
            cur = events.loc[ok_idx, col]
            empty = cur.isna() | (cur.astype(str) == "")
            events.loc[ok_idx[empty.to_numpy()], col] = vals[empty.to_numpy()].to_numpy()
    return events, outside, notes


# -- one file ---------------------------------------------------------------------------------------

class _Quarantine:
    def __init__(self, frame: pd.DataFrame, raw_cols: list[str]):
        self.frame = frame
        self.raw_cols = raw_cols
        self.rows: list[dict] = []          # line, column, value, reason
        self.extra_raw: dict[int, str] = {}  # line -> raw text for reader-level failures

    def add(self, line: int, column: str | None, value, reason: str) -> None:
        self.rows.append({"source_row": int(line), "column_name": column,
                          "raw_value": None if value is None else str(value)[:1000], "reason": reason})

    def add_many(self, lines: Iterable[int], columns, values, reasons) -> None:
        for ln, c, v, r in zip(lines, columns, values, reasons, strict=True):
            self.add(ln, c, v, r)

    def lines(self) -> set[int]:
        return {r["source_row"] for r in self.rows}

    def to_frame(self, batch_id: int, source: str, file_name: str) -> pd.DataFrame:
        if not self.rows:
            return pd.DataFrame(columns=QUARANTINE_COLUMNS)
        q = pd.DataFrame(self.rows)
        lines = sorted(set(q["source_row"]) - set(self.extra_raw))
        raw = {}
        if lines:
            sub = self.frame[self.frame["_line"].isin(lines)].drop_duplicates("_line")
            raw = dict(zip(sub["_line"].tolist(), _json_rows(sub[self.raw_cols]), strict=True))
        raw.update({k: json.dumps({"_raw_text": v}, ensure_ascii=False) for k, v in self.extra_raw.items()})
        q["raw_row"] = q["source_row"].map(raw)
        q["batch_id"] = batch_id
        q["source"] = source
        q["file_name"] = file_name
        return q[QUARANTINE_COLUMNS]


def _prepare_events(ev: pd.DataFrame, adapter: Adapter) -> pd.DataFrame:
    ev = ev.copy()
    for c in EVENT_COLUMNS:
        if c not in ev.columns:
            ev[c] = None
    if "kind" in ev and ev["kind"].isna().all():
        ev["kind"] = adapter.kind
    ev["kind"] = ev["kind"].fillna(adapter.kind)
    for c in ("occurred_at", "reported_at"):
        ev[c] = pd.to_datetime(ev[c], errors="coerce")
        if getattr(ev[c].dt, "tz", None) is not None:
            ev[c] = ev[c].dt.tz_localize(None)
        ev[c] = ev[c].astype("datetime64[ns]")
    for c in ("lat", "lon"):
        ev[c] = pd.to_numeric(ev[c], errors="coerce").astype("float64")
    if pd.api.types.infer_dtype(ev["attrs"], skipna=True) not in ("string", "empty") and \
            ev["attrs"].map(lambda a: isinstance(a, dict)).any():
        ev["attrs"] = ev["attrs"].map(lambda a: json.dumps(a, ensure_ascii=False, default=str)
                                      if isinstance(a, dict) else a)
    return ev


def _prepare_mentions(m: pd.DataFrame) -> pd.DataFrame:
    m = m.copy()
    for c in MENTION_COLUMNS:
        if c not in m.columns:
            m[c] = None
    for c in ("birth_date", "event_date"):
        m[c] = pd.to_datetime(m[c], errors="coerce").astype("datetime64[ns]")
    m["age"] = pd.to_numeric(m["age"], errors="coerce").round().astype("Int64")
    for c in ("lat", "lon"):
        m[c] = pd.to_numeric(m[c], errors="coerce").astype("float64")
    m["is_legal_person"] = m["is_legal_person"].fillna(False).astype(bool)
    return m


def ingest_file(wh, path: str | Path, adapters: dict[str, Adapter], source: str | None = None,
                log: Callable = print) -> BatchReport:
    """Load one file (see the module docstring). Never raises for a bad file: the report carries `error`."""
    t0 = time.perf_counter()
    path = Path(path)
    rep = BatchReport(file=str(path))
    try:
        sha = file_sha256(path)
    except OSError as e:
        rep.error = f"cannot read {path.name}: {e.strerror}"
        return rep
    prev = wh.query_dicts("SELECT batch_id, source, schema_version, status, rows_read, rows_loaded, "
                          "rows_quarantined FROM batch WHERE sha256 = ?", [sha])
    if prev and prev[0]["status"] == "done":
        p = prev[0]
        rep.source, rep.schema_version, rep.batch_id = p["source"], p["schema_version"], p["batch_id"]
        rep.rows_read, rep.rows_loaded, rep.rows_quarantined = p["rows_read"], p["rows_loaded"], p["rows_quarantined"]
        rep.rows_unchanged, rep.already_loaded = p["rows_loaded"], True
        log(f"{path.name}: already loaded (batch {p['batch_id']}), nothing to do")
        return rep
    if prev:  # a failed or interrupted earlier attempt: it committed nothing but its batch row
        wh.execute("DELETE FROM batch WHERE sha256 = ?", [sha])
    batch_id = int(wh.scalar("SELECT nextval('batch_id_seq')"))
    rep.batch_id = batch_id

    def fail(msg: str, src: str | None = None) -> BatchReport:
        rep.error = msg
        wh.execute("INSERT INTO batch (batch_id, source, file_name, file_path, sha256, schema_version, encoding, "
                   "rows_read, status, message, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'failed', ?, "
                   "current_timestamp)",
                   [batch_id, src or "unknown", path.name, str(path), sha, rep.schema_version, rep.encoding,
                    rep.rows_read, msg[:4000]])
        rep.seconds = time.perf_counter() - t0
        log(f"{path.name}: refused: {msg}")
        return rep

    tick = [time.perf_counter()]

    def lap(name: str) -> None:
        now = time.perf_counter()
        rep.timings[name] = round(now - tick[0], 3)
        tick[0] = now

    try:
        table: RawTable = read_table(path)
    except ReadError as e:
        return fail(str(e))
    lap("read")
    rep.encoding = table.encoding
    rep.rows_read = table.rows_read
    rep.notes.extend(table.notes)
    try:
        adapter, version = detect_adapter(table.header, adapters, source)
    except RefusedFile as e:
        return fail(f"{path.name}: {e}")
    rep.source, rep.schema_version = adapter.source, version.name
    frame = canonical_header(table.frame, version)
    raw_cols = [c for c in frame.columns if c != "_line"]
    frame.attrs.update({"file_sha": sha, "file_name": path.name, "batch_id": batch_id})
    q = _Quarantine(frame, raw_cols)
    for b in table.bad_rows:
        q.add(b.line, None, None, b.reason)
        q.extra_raw[b.line] = b.raw

    try:
        norm = adapter.normalize(frame, version)
    except Exception as e:  # an adapter bug must not stop the other files; say which adapter and why
        return fail(f"adapter {adapter.source} failed on {path.name}: {type(e).__name__}: {e}", adapter.source)
    lap("normalize")
    for r in norm.rejections:
        q.add(r.line, r.column, r.value, r.reason)
    ev = _prepare_events(norm.events, adapter)
    mn = _prepare_mentions(norm.mentions)

    # one event per line, ids present and unique
    known = frame["_line"].to_numpy()
    ev = ev[ev["_line"].isin(known)]
    if ev["_line"].nunique() + len(q.rows) < len(known):
        missing = set(known.tolist()) - set(ev["_line"].tolist()) - q.lines()
        for ln in sorted(missing):
            q.add(ln, None, None, f"adapter {adapter.source} produced no event for this row")
    no_key = _blank(ev["source_key"])
    kcol = version.key or "_line"
    for ln in ev.loc[no_key, "_line"]:
        q.add(ln, kcol, "", "missing key")
    ev = ev[~no_key]
    dup = ev["event_id"].duplicated(keep="first")
    if dup.any():
        q.add_many(ev.loc[dup, "_line"], [kcol] * int(dup.sum()), ev.loc[dup, "source_key"],
                   ["duplicate key in this file (the first row with this key was loaded)"] * int(dup.sum()))
        ev = ev[~dup]
    mdup = mn["mention_id"].duplicated(keep="first")
    if mdup.any():
        for ln, mid in zip(mn.loc[mdup, "_line"], mn.loc[mdup, "mention_id"], strict=True):
            q.add(ln, None, mid, "duplicate mention id")

    # declared schema (pandera), coordinates
    from .schema import validate

    ev = ev.reset_index(drop=True)
    for f in validate(ev, "event").itertuples():
        q.add(ev.at[f.index, "_line"], f.column, f.value, f"schema check failed: {f.check}")
    mn = mn.reset_index(drop=True)
    if len(mn):
        for f in validate(mn, "mention").itertuples():
            q.add(mn.at[f.index, "_line"], f.column, f.value, f"schema check failed on a person: {f.check}")
    lap("checks")
    ev, outside, notes = place_events(ev)
    lap("geo")
    rep.notes.extend(notes)
    if outside.any():
        sub = ev.loc[outside]
        q.add_many(sub["_line"], ["latitud,longitud"] * len(sub),
                   (sub["lat"].astype(str) + "," + sub["lon"].astype(str)),
                   ["coordinates outside Mexico City"] * len(sub))

    bad_lines = q.lines()
    if bad_lines:
        bad_arr = np.fromiter(bad_lines, dtype="int64", count=len(bad_lines))
        ev = ev[~ev["_line"].isin(bad_arr)]
        mn = mn[~mn["_line"].isin(bad_arr)]
    if len(mn):
        mn = mn[mn["event_id"].isin(ev["event_id"].to_numpy())]
    rep.rows_quarantined = len(bad_lines)
    rep.rows_loaded = int(ev["_line"].nunique())
    if rep.rows_loaded + rep.rows_quarantined != rep.rows_read:
        return fail(f"internal: loaded {rep.rows_loaded} + quarantined {rep.rows_quarantined} != read "
                    f"{rep.rows_read} for {path.name}", adapter.source)

    # provenance
    raw_hash = _hash_rows(frame[raw_cols])
    pos = pd.Index(frame["_line"].to_numpy()).get_indexer(ev["_line"].to_numpy())
    ev = ev.assign(source=adapter.source, batch_id=batch_id, source_row=ev["_line"].astype("int64"),
                   row_hash=raw_hash.to_numpy()[pos])
    mhash_cols = [c for c in MENTION_COLUMNS if c not in ("_line",)]
    mn = mn.assign(source=adapter.source, batch_id=batch_id, source_row=mn["_line"].astype("int64"),
                   row_hash=_hash_rows(mn[mhash_cols]) if len(mn) else pd.Series(dtype=str))

    lap("provenance")
    # classify against what the warehouse holds for this source
    old = _existing_hashes(wh, adapter.source, ev)
    if len(old):  # event_id is unique in `ev`, so the left merge keeps its rows and their order
        old_hash = ev[["event_id"]].merge(old, on="event_id", how="left")["old_hash"].to_numpy()
        is_new = pd.isna(old_hash)
        is_same = ~is_new & (old_hash == ev["row_hash"].to_numpy())
    else:         # a source the warehouse has never seen: every row is new
        is_new = np.ones(len(ev), dtype=bool)
        is_same = np.zeros(len(ev), dtype=bool)
    is_upd = ~is_new & ~is_same
    rep.rows_new, rep.rows_updated, rep.rows_unchanged = int(is_new.sum()), int(is_upd.sum()), int(is_same.sum())
    upd_ids = pd.DataFrame({"event_id": ev["event_id"].to_numpy()[is_upd].astype(str)})
    ev_w = ev[~is_same] if is_same.any() else ev
    mn_w = mn[mn["event_id"].isin(ev_w["event_id"].to_numpy())] if (is_same.any() and len(mn)) else mn
    qf = q.to_frame(batch_id, adapter.source, path.name)

    lap("classify")
    wh.execute("BEGIN TRANSACTION")
    try:
        wh.execute("INSERT INTO batch (batch_id, source, file_name, file_path, sha256, schema_version, encoding, "
                   "status) VALUES (?, ?, ?, ?, ?, ?, ?, 'loading')",
                   [batch_id, adapter.source, path.name, str(path), sha, version.name, table.encoding])
        if len(qf):
            wh.insert_frame("quarantine", qf)
        if len(upd_ids):
            wh.execute("CREATE OR REPLACE TEMP TABLE _tr_upd (event_id VARCHAR)")
            wh.insert_frame("_tr_upd", upd_ids)
            ecols = ", ".join(EVENT_DB_COLUMNS)
            mcols = ", ".join(MENTION_DB_COLUMNS)
            wh.execute(f"INSERT INTO event_history ({ecols}, superseded_by_batch) SELECT {ecols}, ? FROM event "
                       "WHERE event_id IN (SELECT event_id FROM _tr_upd)", [batch_id])
            wh.execute(f"INSERT INTO person_mention_history ({mcols}, superseded_by_batch) SELECT {mcols}, ? "
                       "FROM person_mention WHERE event_id IN (SELECT event_id FROM _tr_upd)", [batch_id])
            wh.execute("DELETE FROM person_mention WHERE event_id IN (SELECT event_id FROM _tr_upd)")
            wh.execute("DELETE FROM event WHERE event_id IN (SELECT event_id FROM _tr_upd)")
            wh.execute("DROP TABLE _tr_upd")
        if len(ev_w):
            wh.insert_frame("event", ev_w[EVENT_DB_COLUMNS].reset_index(drop=True), EVENT_DB_COLUMNS)
        if len(mn_w):
            wh.insert_frame("person_mention", mn_w[MENTION_DB_COLUMNS].reset_index(drop=True), MENTION_DB_COLUMNS)
        wh.execute("UPDATE batch SET rows_read = ?, rows_loaded = ?, rows_quarantined = ?, rows_new = ?, "
                   "rows_updated = ?, rows_unchanged = ?, status = 'done', message = ?, "
                   "finished_at = current_timestamp WHERE batch_id = ?",
                   [rep.rows_read, rep.rows_loaded, rep.rows_quarantined, rep.rows_new, rep.rows_updated,
                    rep.rows_unchanged, "; ".join(rep.notes) or None, batch_id])
        wh.execute("COMMIT")
        lap("write")
    except Exception as e:
        wh.execute("ROLLBACK")
        rep.rows_new = rep.rows_updated = rep.rows_unchanged = rep.rows_loaded = 0
        return fail(f"could not write {path.name}: {type(e).__name__}: {str(e).splitlines()[0]}", adapter.source)
    rep.seconds = time.perf_counter() - t0
    log(f"{path.name}: {adapter.source}/{version.name}: read {rep.rows_read:,}, loaded {rep.rows_loaded:,} "
        f"({rep.rows_new:,} new, {rep.rows_updated:,} updated, {rep.rows_unchanged:,} unchanged), "
        f"quarantined {rep.rows_quarantined:,} in {rep.seconds:.1f} s")
    return rep


# -- many files ---------------------------------------------------------------------------------------

def expand_paths(paths: Iterable[str | Path], log: Callable = print) -> list[Path]:
    """Files named directly, plus data files found recursively in folders (sorted). A `truth/` folder
    (the synthetic city's answers) and a national run's `states/states.csv` are skipped with a note."""
    out: list[Path] = []
    noted: set[Path] = set()
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for sub in sorted(p.rglob("*")):
                rel = sub.relative_to(p).parts
                skip = [i for i, d in enumerate(rel[:-1]) if d in SKIP_DIRS or d.startswith(".")]
                if skip:
                    top = p.joinpath(*rel[:skip[0] + 1])
                    if rel[skip[0]] == "truth" and top not in noted:
                        noted.add(top)
                        log(f"skipping {top}: a truth/ folder holds the generator's answers, not an extract")
                    continue
                if rel[-2:] == ("states", "states.csv"):  # a national run's manifest, not an extract
                    log(f"skipping {sub}: the generator's list of states, not an extract")
                    continue
                if sub.is_file() and is_data_file(sub):
                    out.append(sub)
        elif p.exists():
            out.append(p)
        else:
            raise TraceabilityError(f"{p}: no such file or folder")
    seen, uniq = set(), []
    for p in out:
        r = p.resolve()
        if r not in seen:
            seen.add(r)
            uniq.append(p)
    return uniq


def finish_ingest(wh, log: Callable = print) -> None:
    """After a set of files: refresh the crime code table from the taxonomy, when it is available."""
    try:
        from .. import taxonomy
    except Exception:
        return
    load = getattr(taxonomy, "load_into", None)
    if load is not None:
        try:
            load(wh)
        except Exception as e:  # the crime table is a convenience; the ingest itself succeeded
            log(f"taxonomy.load_into failed: {type(e).__name__}: {e}")
