"""The done-when checks of the sources issue that the adapter tests do not cover on their own.

- the pyarrow fast reader gives exactly the careful reader's frame, and every odd file falls back to the
  careful reader (so truncated lines, blank lines, quoted newlines and latin-1 are still handled there);
- every file of shared/data/fgj loads with loaded + quarantined = records in the file (category tables are
  refused with a clear message);
- a malformed file of each kind, also through the fast path and the internal adapters;
- one rule for "in the city" (the outline + `places.EDGE_TOLERANCE_M`) in every adapter;
- `traceability ingest DIR` on a generated city: all 12 sources routed by header, truth/ skipped with a note,
  person mentions per source and role = truth/person_mentions.csv;
- `--watch`: a file still growing is not read until it stops changing.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from traceability.sources import ingest_paths, readers, watch_folder

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "fgj"
needs_data = pytest.mark.skipif(not DATA.exists(), reason="shared real data not available")
POINTS_HDR = "alcaldia_hecho,colonia,latitud,longitud,delito,fecha_hecho,hora_hecho,anio_hecho,trimestre"


def quiet(*_a, **_k):
    pass


def points_row(i: int, fecha="2022-02-11", lat="19.4326", lon="-99.1332") -> str:
    return f"CUAUHTEMOC,Centro,{lat},{lon},FRAUDE,{fecha},{i % 24:02d}:50:00,2022,1"


def both_readers(path: Path):
    """(fast-or-fallback result, careful-only result, whether the fast path was taken)."""
    text, _ = readers.decode_text(readers._open_bytes(path)[0])
    took = readers._fast_csv(text.encode("utf-8"), path.name) is not None
    a = readers.read_table(path)
    orig = readers._fast_csv
    readers._fast_csv = lambda *_a, **_k: None
    try:
        b = readers.read_table(path)
    finally:
        readers._fast_csv = orig
    return a, b, took


def assert_same_table(a, b):
    assert a.header == b.header and a.encoding == b.encoding and a.notes == b.notes
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert [(x.line, x.reason, x.raw) for x in a.bad_rows] == [(x.line, x.reason, x.raw) for x in b.bad_rows]


# -- the fast reader -------------------------------------------------------------------------------------

GOOD = "\n".join([POINTS_HDR] + [points_row(i) for i in range(5)]) + "\n"
FAST_CASES = {
    "plain": (GOOD.encode(), True),
    "crlf_no_final_newline": (GOOD.replace("\n", "\r\n").rstrip("\r\n").encode(), True),
    "bom": (b"\xef\xbb\xbf" + GOOD.encode(), True),
    "quoted_commas_and_spaces": ((POINTS_HDR + '\n"CUAUHTEMOC ", Centro Norte ,19.43,-99.13,"ROBO, ""A"" CASA",'
                                  "2022-02-11,,2022,1\n").encode(), True),
    "stray_quotes": ((POINTS_HDR + '\nCUAUHTEMOC,"Centro, Norte" ,19.43,-99.13,FRA"UDE",'
                      '"2022"-02-11,,2022,1\n').encode(), True),   # the csv module's reading of each
    "trailing_blank_line": ((GOOD + "\n").encode(), False),
    "double_encoded": (("\n".join([POINTS_HDR, points_row(1).replace("Centro", "JuÃ¡rez")]) + "\n").encode(), True),
    "semicolons": (GOOD.replace(",", ";").encode(), True),
    "latin1": (GOOD.replace("Centro", "Juárez").encode("latin-1"), True),
    "utf16": (GOOD.replace("Centro", "Juárez").encode("utf-16"), True),
    "blank_line": (GOOD.replace("\n", "\n\n", 2).encode(), False),
    "quoted_newline": ((POINTS_HDR + '\nCUAUHTEMOC,"Centro\nNorte",19.43,-99.13,FRAUDE,2022-02-11,,2022,1\n'
                        + points_row(2) + "\n").encode(), False),
    "truncated_line": ((GOOD + points_row(9)[:30] + "\n").encode(), False),
    "extra_field": ((GOOD + points_row(9) + ",x\n").encode(), False),
    "unbalanced_quote": ((GOOD + 'CUAUHTEMOC,"Centro,19.43,-99.13,FRAUDE,2022-02-11,,2022,1\n' + points_row(3)
                          + "\n").encode(), False),
    "bare_cr": (GOOD.replace("\n", "\r").encode(), False),
    "leading_blank_lines": (b"\n\n" + GOOD.encode(), False),
}


@pytest.mark.parametrize("case", sorted(FAST_CASES))
def test_fast_reader_matches_careful_reader(tmp_path, case):
    data, fast = FAST_CASES[case]
    f = tmp_path / f"{case}.csv"
    f.write_bytes(data)
    a, b, took = both_readers(f)
    assert took is fast
    assert_same_table(a, b)


@needs_data
@pytest.mark.parametrize("rel", ["carpetas_privacion_libertad_2016_2025.csv",
                                 "victimas_3_alcaldias_2016_2022/LA_MAGDALENA_CONTRERAS.csv",
                                 "victimas_cuauhtemoc_2019_2024/Delitos_C5_Cuau.csv"])
def test_fast_reader_matches_careful_reader_on_real_files(rel):
    a, b, took = both_readers(DATA / rel)
    assert took
    assert_same_table(a, b)


def test_fast_path_file_with_one_truncated_line_loads_the_rest(wh, tmp_path):
    """A large points file with one line cut short: the careful reader takes over, quarantines that line
    only (with its raw text), and every other line loads."""
    rows = [points_row(i) for i in range(3000)]
    rows[1500] = rows[1500][:25]
    f = tmp_path / "points.csv"
    f.write_text(POINTS_HDR + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    (r,) = ingest_paths(wh, [f], log=quiet)
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (3000, 2999, 1)
    q = wh.query_dicts("SELECT source_row, reason, raw_row FROM quarantine")
    assert q[0]["source_row"] == 1502 and "truncated" in q[0]["reason"]
    assert json.loads(q[0]["raw_row"])["_raw_text"] == rows[1500]


# -- every real file ------------------------------------------------------------------------------------

def _records_in(path: Path) -> int:
    """Records in a CSV counted independently of the ingest code (csv module over the decoded text)."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    return sum(1 for rec in csv.reader(io.StringIO(text, newline="")) if rec) - 1


@pytest.mark.slow
@needs_data
def test_every_real_fgj_file_balances(wh):
    """Every extract in shared/data/fgj (whole files, except the 1.3M-row one: a slice of it, the whole file
    is the benchmark) loads through fgj_carpetas / fgj_victimas with loaded + quarantined = records in the
    file and every delito mapped; the two category tables are refused naming the columns found."""
    files = sorted(p for p in DATA.rglob("*") if p.is_file())
    big = DATA / "carpetas_puntos_2019_2024.csv.gz"
    assert big in files
    seen = set()
    for p in files:
        if p == big:
            continue
        (r,) = ingest_paths(wh, [p], log=quiet)
        if p.name.startswith("categorias_"):
            assert r.error and "unknown layout" in r.error and "Columns found" in r.error, p.name
            continue
        assert r.error is None, (p.name, r.error)
        assert r.source in ("fgj_carpetas", "fgj_victimas"), p.name
        assert r.rows_read == _records_in(p), p.name
        assert r.rows_loaded + r.rows_quarantined == r.rows_read, p.name
        assert r.rows_quarantined <= 0.002 * r.rows_read, (p.name, r.rows_quarantined)
        seen.add((r.source, r.schema_version))
    assert seen == {("fgj_carpetas", "portal_2024"), ("fgj_victimas", "three_alcaldias"),
                    ("fgj_victimas", "cuauhtemoc"), ("fgj_victimas", "cuauhtemoc_minimal")}
    assert wh.scalar("SELECT count(*) FROM event WHERE crime IS NULL AND crime_raw IS NOT NULL") == 0


@needs_data
def test_big_real_file_slice_balances(wh, tmp_path):
    """20,000 lines of the 1.3M-row points file, gzip-compressed like the original."""
    with gzip.open(DATA / "carpetas_puntos_2019_2024.csv.gz", "rt", encoding="utf-8", newline="") as f:
        lines = [next(f) for _ in range(20_001)]
    g = tmp_path / "puntos.csv.gz"
    with gzip.open(g, "wt", encoding="utf-8", newline="") as out:
        out.write("".join(lines))
    (r,) = ingest_paths(wh, [g], log=quiet)
    assert (r.source, r.schema_version, r.rows_read) == ("fgj_carpetas", "points_2019_2024", 20_000)
    assert r.rows_loaded + r.rows_quarantined == 20_000 and r.rows_quarantined <= 5
    assert wh.scalar("SELECT count(*) FROM event WHERE crime IS NULL") == 0
    assert wh.scalar("SELECT count(*) FROM event WHERE colonia IS NOT NULL") > 19_000


# -- malformed files of each kind --------------------------------------------------------------------------

def test_malformed_points_file_each_kind(wh, tmp_path):
    rows = [points_row(0), points_row(1, fecha="2022-13-45"), points_row(2, lat="25.6866", lon="-100.3161"),
            points_row(3)[:20], points_row(4, lat="abc")]
    f = tmp_path / "points.csv"
    f.write_text(POINTS_HDR + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    (r,) = ingest_paths(wh, [f], log=quiet)
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (5, 1, 4)
    q = {x["source_row"]: x for x in wh.query_dicts("SELECT * FROM quarantine")}
    assert q[3]["column_name"] == "fecha_hecho" and q[3]["raw_value"] == "2022-13-45"
    assert "outside the city" in q[4]["reason"] and q[4]["raw_value"] == "25.6866,-100.3161"
    assert "truncated" in q[5]["reason"]
    assert q[6]["column_name"] == "latitud" and "unreadable" in q[6]["reason"]


def test_wrong_encoding(wh, tmp_path):
    """UTF-16 without a byte-order mark is refused with a clear message; with one it loads; cp1252 is
    detected (not guessed as UTF-8)."""
    text = POINTS_HDR + "\n" + points_row(0).replace("Centro", "Juárez") + "\n"
    (tmp_path / "u16.csv").write_bytes(text.encode("utf-16-le"))
    (tmp_path / "u16bom.csv").write_bytes(text.encode("utf-16"))
    (tmp_path / "cp.csv").write_bytes(text.replace("0,", "1,", 1).encode("cp1252"))
    reps = {Path(r.file).name: r for r in ingest_paths(wh, [tmp_path], log=quiet)}
    assert reps["u16.csv"].error and "binary content" in reps["u16.csv"].error
    assert "CSV, XLSX or JSON Lines" in reps["u16.csv"].error
    assert reps["u16bom.csv"].error is None and reps["u16bom.csv"].encoding == "utf-16"
    assert reps["cp.csv"].error is None and reps["cp.csv"].encoding == "cp1252"
    names = {json.loads(a)["colonia_nombre"] for (a,) in wh.query("SELECT attrs FROM event")}
    assert names == {"JUAREZ"}


def test_unknown_header_of_a_known_source_is_refused_with_expected_columns(wh, tmp_path):
    f = tmp_path / "detenciones.csv"
    f.write_text("id_detencion,fecha_detencion,nombre\nSSC-1,2024-01-01,ANA\n", encoding="utf-8")
    (r,) = ingest_paths(wh, [f], source="ssc_detenciones", log=quiet)
    assert r.error and "Columns found: id_detencion, fecha_detencion, nombre" in r.error
    assert "apellido_paterno" in r.error and wh.scalar("SELECT count(*) FROM event") == 0


# -- one rule for "in the city" ----------------------------------------------------------------------------

def _north_edge():
    """The city's northernmost vertex (lat, lon): a point north of it is outside the outline by about the
    distance moved."""
    import shapely

    from traceability import geo

    city = shapely.union_all(geo.layer("alcaldias")[1])
    xy = shapely.get_coordinates(city.exterior if hasattr(city, "exterior") else city.convex_hull.exterior)
    lon, lat = xy[xy[:, 1].argmax()]
    return float(lat), float(lon)


def test_edge_tolerance_is_the_same_in_every_adapter(wh, tmp_path):
    """A point 100 m outside the published outline is in the city (within `EDGE_TOLERANCE_M`) and one 1 km
    outside is not, for the open-data adapters (FGJ points, C5) and the internal ones (SSC) alike."""
    from traceability.sources import places

    lat, lon = _north_edge()
    near, far = f"{lat + 100 / 110_800:.6f}", f"{lat + 1000 / 110_800:.6f}"
    lon_s = f"{lon:.6f}"
    assert places.EDGE_TOLERANCE_M >= 100
    pts = tmp_path / "points.csv"
    pts.write_text("\n".join([POINTS_HDR, points_row(0, lat=near, lon=lon_s), points_row(1, lat=far, lon=lon_s)])
                   + "\n", encoding="utf-8")
    ssc_hdr = ("id_detencion,fecha_detencion,hora_detencion,nombre,apellido_paterno,apellido_materno,alias,sexo,edad,"
               "fecha_nacimiento,curp,domicilio,alcaldia_detencion,colonia_detencion,cuadrante,latitud,longitud,motivo,"
               "folio_c5,id_carpeta,autoridad_disposicion,unidad_policial")
    ssc = tmp_path / "ssc.csv"
    ssc.write_text("\n".join([
        ssc_hdr,
        f"S1,2024-01-02,10:00,ANA,LOPEZ,,,M,30,,,,GAM,,,{near},{lon_s},RIÑA,,,JUEZ CIVICO,",
        f"S2,2024-01-02,10:00,ANA,LOPEZ,,,M,30,,,,GAM,,,{far},{lon_s},RIÑA,,,JUEZ CIVICO,",
    ]) + "\n", encoding="utf-8")
    reps = ingest_paths(wh, [pts, ssc], log=quiet)
    assert [(r.source, r.rows_loaded, r.rows_quarantined) for r in reps] == [
        ("fgj_carpetas", 1, 1), ("ssc_detenciones", 1, 1)]
    assert {r[0] for r in wh.query("SELECT reason FROM quarantine")} == {"coordinates outside the city"}
    assert wh.query("SELECT DISTINCT lat FROM event") == [(float(near),)]


# -- the generated city through the command line ------------------------------------------------------------

@pytest.mark.slow
def test_cli_ingest_generated_city_all_sources(tmp_path):
    """`traceability ingest DIR --format json` on a generated city: the 12 sources each recognised by header,
    truth/ skipped with a note, nothing refused, loaded + quarantined = read per file, and the person
    mentions per source and role are the generator's truth (bar rows quarantined for a point off the edge)."""
    synth = pytest.importorskip("traceability.synth")
    from typer.testing import CliRunner

    from traceability.cli.main import app
    from traceability.warehouse import Warehouse

    city = tmp_path / "city"
    synth.generate_city(city, scale=0.005, years=1, seed=11)
    db = tmp_path / "w.duckdb"
    res = CliRunner().invoke(app, ["ingest", str(city), "--db", str(db), "--format", "json"])
    assert res.exit_code == 0, res.output
    out = res.stdout
    reports = json.loads(out[out.index("["):])
    assert {r["source"] for r in reports} == {
        "c5_911", "ssc_detenciones", "fgj_carpetas", "fgj_victimas", "fgj_imputados", "tsj_causas",
        "penitenciario", "cjm_casos", "ssa_lesiones", "uif_reportes", "comisiones_seguridad", "comunicaciones"}
    for r in reports:
        assert "error" not in r, r
        assert r["rows_loaded"] + r["rows_quarantined"] == r["rows_read"] > 0, r
    assert "truth" in res.stderr and "skipping" in res.stderr

    truth = pd.read_csv(city / "truth" / "person_mentions.csv", dtype=str, keep_default_na=False)
    with Warehouse(db) as wh:
        q = wh.df("SELECT source, reason, raw_row FROM quarantine")
        mine = wh.df("SELECT source, source_key, role FROM person_mention")
        keys = wh.df("SELECT source, source_key FROM event")
    assert set(q["reason"]) <= {"coordinates outside the city"}, q["reason"].tolist()
    assert len(q) <= 3
    # the truth of rows that were loaded (a quarantined row's mentions are not in the warehouse)
    loaded = set(zip(keys["source"], keys["source_key"], strict=True))
    kept = truth[[(s, k) in loaded for s, k in zip(truth["source"], truth["source_key"], strict=True)]]
    assert len(truth) - len(kept) <= 3
    expected = kept.groupby(["source", "role"]).size().sort_index()
    got = mine.groupby(["source", "role"]).size().sort_index()
    pd.testing.assert_series_equal(got, expected, check_names=False)
    pd.testing.assert_series_equal(mine.groupby(["source", "source_key", "role"]).size().sort_index(),
                                   kept.groupby(["source", "source_key", "role"]).size().sort_index(),
                                   check_names=False)


# -- the watcher -------------------------------------------------------------------------------------------

def test_watch_waits_while_a_file_grows(wh, tmp_path, monkeypatch):
    """An agency copies a file in pieces: while its size keeps changing between scans it is not read; once
    two scans agree it is read once, complete (no truncated last line in quarantine)."""
    import traceability.sources as src

    d = tmp_path / "drop"
    d.mkdir()
    f = d / "puntos.csv"
    rows = [points_row(i) for i in range(6)]
    pieces = [POINTS_HDR + "\n" + "\n".join(rows[:2]) + "\n" + rows[2][:15],
              rows[2][15:] + "\n" + rows[3] + "\n",
              "\n".join(rows[4:]) + "\n"]
    f.write_text(pieces[0], encoding="utf-8")
    real_scan = src._scan
    scans = []

    def growing_scan(folder):
        scans.append(1)
        if len(scans) in (2, 3):            # the copy goes on while the watcher looks
            with open(f, "a", encoding="utf-8") as h:
                h.write(pieces[len(scans) - 1])
        return real_scan(folder)

    monkeypatch.setattr(src, "_scan", growing_scan)
    reports = watch_folder(wh, d, interval=0.001, log=quiet, max_scans=5)
    assert len(reports) == 1
    (r,) = reports
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (6, 6, 0)
    assert wh.scalar("SELECT count(*) FROM quarantine") == 0


def test_watch_failing_file_does_not_stop_the_others(wh, tmp_path, monkeypatch):
    """A file whose ingest raises (not just a refused layout) is reported; the files after it still load."""
    import traceability.sources as src

    d = tmp_path / "drop"
    d.mkdir()
    for name in ("a.csv", "b.csv", "c.csv"):
        (d / name).write_text(POINTS_HDR + "\n" + points_row(ord(name[0])) + "\n", encoding="utf-8")
    real = src.ingest_file

    def flaky(wh_, path, *a, **k):
        if Path(path).name == "b.csv":
            raise OSError("disk went away")
        return real(wh_, path, *a, **k)

    monkeypatch.setattr(src, "ingest_file", flaky)
    reports = watch_folder(wh, d, interval=0.001, log=quiet, max_scans=2)
    assert sorted((Path(r.file).name, r.error is None) for r in reports) == [
        ("a.csv", True), ("b.csv", False), ("c.csv", True)]
    assert "disk went away" in next(r.error for r in reports if r.error)
    assert wh.scalar("SELECT count(*) FROM event") == 2


def test_national_manifest_is_not_an_extract(tmp_path):
    """A national run writes `states/states.csv` (the generator's list of states) beside the states' extracts:
    folder ingestion skips it with a note instead of refusing it as a file of no known agency."""
    from traceability.sources.ingest import expand_paths

    (tmp_path / "states" / "21").mkdir(parents=True)
    (tmp_path / "states" / "states.csv").write_text("state,state_name\n21,Puebla\n", encoding="utf-8")
    (tmp_path / "states" / "21" / "fgj_imputados.csv").write_text("id_imputado\n", encoding="utf-8")
    notes: list[str] = []
    files = expand_paths([tmp_path], log=notes.append)
    assert [f.name for f in files] == ["fgj_imputados.csv"]
    assert any("states.csv" in n for n in notes)
