"""The ingest framework and the three open-data adapters: real slices, malformed files, idempotence,
incremental update with history, folders, formats and the watcher."""

from __future__ import annotations

import gzip
import json
import threading
from pathlib import Path

import pytest

from traceability.sources import ingest_paths, watch_folder
from traceability.warehouse import Warehouse

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "fgj"
needs_data = pytest.mark.skipif(not DATA.exists(), reason="shared real data not available")

C5_HEADER = ("folio,fecha_creacion,hora_creacion,dia_semana,categoria_incidente_c4,incidente_c4,anio_creacion,"
             "mes_creacion,fecha_cierre,hora_cierre,anio_cierre,mes_cierre,codigo_cierre,clas_con_f_alarma,"
             "tipo_entrada,alcaldia_inicio,colonia,alcaldia_cierre,manzana,latitud,longitud")


def c5_row(folio, fecha="2024-03-01", hora="10:15:00", incidente="Robo-Transeúnte C/V", lat="19.4326",
           lon="-99.1332", alcaldia="CUAUHTEMOC"):
    return (f"{folio},{fecha},{hora},Viernes,Delito,{incidente},2024,Marzo,{fecha},11:00:00,2024,Marzo,"
            f"\"(A) La unidad llegó y confirmó\",DELITO,LLAMADA DEL 911,{alcaldia},CENTRO,{alcaldia},,{lat},{lon}")


@pytest.fixture
def wh(tmp_path):
    w = Warehouse(tmp_path / "w.duckdb")
    yield w
    w.close()


def quiet(*_a, **_k):
    pass


def head(src: Path, dst: Path, n: int) -> Path:
    """The header and the first `n` rows of a real file."""
    opener = gzip.open if src.suffix == ".gz" else open
    with opener(src, "rt", encoding="utf-8", newline="") as f:
        lines = [next(f) for _ in range(n + 1)]
    dst.write_text("".join(lines), encoding="utf-8")
    return dst


def one(reports):
    assert len(reports) == 1
    return reports[0]


def balanced(r):
    return r.rows_loaded + r.rows_quarantined == r.rows_read


# -- real variants -----------------------------------------------------------------------------------

REAL = [
    ("carpetas_puntos_2019_2024.csv.gz", "fgj_carpetas", "points_2019_2024"),
    ("carpetas_privacion_libertad_2016_2025.csv", "fgj_carpetas", "portal_2024"),
    ("victimas_3_alcaldias_2016_2022/CUAJIMALPA_DE_MORELOS.csv", "fgj_victimas", "three_alcaldias"),
    ("victimas_3_alcaldias_2016_2022/MILPA_ALTA.csv", "fgj_victimas", "three_alcaldias"),
    ("victimas_cuauhtemoc_2019_2024/2023.csv", "fgj_victimas", "cuauhtemoc"),
    ("victimas_cuauhtemoc_2019_2024/Delitos_C5_Cuau.csv", "fgj_victimas", "cuauhtemoc"),
    ("victimas_cuauhtemoc_2019_2024/ROBO_TRANSEUNTE_EN_VIA_PUBLICA_CON_VIOLENCIA_2023.csv", "fgj_victimas",
     "cuauhtemoc"),
    ("victimas_cuauhtemoc_2019_2024/ROBO_TRANSEUNTE_EN_VIA_PUBLICA_CON_VIOLENCIA_2024.csv", "fgj_victimas",
     "cuauhtemoc_minimal"),
]


@needs_data
@pytest.mark.parametrize("rel, source, version", REAL)
def test_real_variant_slice_loads(wh, tmp_path, rel, source, version):
    f = head(DATA / rel, tmp_path / Path(rel).name.replace(".gz", ""), 400)
    r = one(ingest_paths(wh, [f], log=quiet))
    assert r.error is None and (r.source, r.schema_version) == (source, version)
    assert r.rows_read == 400 and balanced(r)
    assert r.rows_quarantined <= 2          # a stray point far outside the city at most
    assert wh.scalar("SELECT count(*) FROM event WHERE crime IS NULL AND crime_raw IS NOT NULL") == 0
    assert wh.scalar("SELECT count(*) FROM event WHERE occurred_at IS NULL") <= 2
    assert wh.scalar("SELECT count(*) FROM event WHERE alcaldia IS NULL") == 0 or source == "fgj_victimas"


@needs_data
def test_real_victims_details(wh, tmp_path):
    f = head(DATA / "victimas_3_alcaldias_2016_2022/MILPA_ALTA.csv", tmp_path / "MILPA_ALTA.csv", 5)
    one(ingest_paths(wh, [f], log=quiet))
    row = wh.query_dicts("SELECT e.occurred_at, e.case_key, e.case_key_norm, e.alcaldia, m.sex, m.age "
                         "FROM event e JOIN person_mention m USING (event_id) WHERE e.source_row = 2")[0]
    # 8325024.0,...,04/01/2019,70200.0 (seconds) -> 19:30, Masculino, 50.0
    assert str(row["occurred_at"]) == "2019-01-04 19:30:00"
    assert row["case_key"] == "8325024" and row["case_key_norm"] == "8325024"
    assert row["alcaldia"] == "09009" and row["sex"] == "H" and row["age"] == 50


@needs_data
def test_export_timestamp_in_hour_column_is_ignored(wh, tmp_path):
    f = head(DATA / "victimas_cuauhtemoc_2019_2024/2023.csv", tmp_path / "2023.csv", 3)
    one(ingest_paths(wh, [f], log=quiet))
    occ = [str(r[0]) for r in wh.query("SELECT occurred_at FROM event ORDER BY source_row")]
    assert occ[0] == "2023-01-01 00:00:00"


@pytest.mark.slow
@needs_data
def test_whole_real_file(wh):
    r = one(ingest_paths(wh, [DATA / "carpetas_privacion_libertad_2016_2025.csv"], log=quiet))
    assert r.rows_read == 6660 and balanced(r) and r.rows_quarantined == 0
    assert wh.scalar("SELECT count(*) FROM event WHERE crime IS NULL") == 0


# -- malformed files -------------------------------------------------------------------------------------

def test_truncated_and_wrong_column_count_are_quarantined(wh, tmp_path):
    f = tmp_path / "c5.csv"
    f.write_text("\n".join([C5_HEADER, c5_row("C5/1"), c5_row("C5/2") + ",extra", c5_row("C5/3"),
                            c5_row("C5/4")[:40]]) + "\n", encoding="utf-8")
    r = one(ingest_paths(wh, [f], log=quiet))
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (4, 2, 2)
    q = wh.query_dicts("SELECT source_row, reason, raw_row FROM quarantine ORDER BY source_row")
    assert [x["source_row"] for x in q] == [3, 5]
    assert "expected 21, found 22" in q[0]["reason"] and "truncated" in q[1]["reason"]
    assert "C5/4" in json.loads(q[1]["raw_row"])["_raw_text"]


def test_impossible_date_and_outside_city_quarantined(wh, tmp_path):
    f = tmp_path / "c5.csv"
    f.write_text("\n".join([C5_HEADER, c5_row("A1"), c5_row("A2", fecha="2024-02-30"),
                            c5_row("A3", lat="25.6866", lon="-100.3161"),       # Monterrey
                            c5_row("A4", lat="-99.1332", lon="19.4326")]) + "\n",  # swapped: corrected
                 encoding="utf-8")
    r = one(ingest_paths(wh, [f], log=quiet))
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (4, 2, 2)
    q = {x["source_row"]: x for x in wh.query_dicts("SELECT * FROM quarantine")}
    assert q[3]["column_name"] == "fecha_creacion" and q[3]["raw_value"] == "2024-02-30"
    assert "outside the city" in q[4]["reason"]
    lat, lon = wh.query("SELECT lat, lon FROM event WHERE source_key = 'A4'")[0]
    assert (lat, lon) == (19.4326, -99.1332)


def test_unknown_header_refused_with_expected_columns(wh, tmp_path):
    f = tmp_path / "mystery.csv"
    f.write_text("foo,bar\n1,2\n", encoding="utf-8")
    r = one(ingest_paths(wh, [f], log=quiet))
    assert r.error and "Columns found: foo, bar" in r.error and "fgj_carpetas" in r.error
    assert r.to_dict()["error"] == r.error
    assert wh.scalar("SELECT count(*) FROM event") == 0
    assert wh.scalar("SELECT status FROM batch") == "failed"


def test_latin1_and_bom_and_double_encoded(wh, tmp_path):
    rows = [c5_row("L1", incidente="Robo-Transeúnte C/V", alcaldia="ÁLVARO OBREGÓN", lat="19.36", lon="-99.19")]
    text = C5_HEADER + "\n" + "\n".join(rows) + "\n"
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "latin1.csv").write_bytes(text.encode("latin-1"))
    (tmp_path / "a" / "bom.csv").write_bytes(b"\xef\xbb\xbf" + text.replace("L1", "B1").encode("utf-8"))
    double = text.replace("L1", "D1").encode("utf-8").decode("latin-1").encode("utf-8")
    (tmp_path / "a" / "double.csv").write_bytes(double)
    reports = ingest_paths(wh, [tmp_path / "a"], log=quiet)
    assert [r.error for r in reports] == [None, None, None]
    assert {r.encoding for r in reports} == {"cp1252", "utf-8-sig", "utf-8+repaired"}
    got = wh.query("SELECT DISTINCT crime_raw, alcaldia, crime FROM event")
    assert got == [("Robo-Transeúnte C/V", "09010", "ROBO_TRANSEUNTE_CV")]


def test_binary_file_refused(wh, tmp_path):
    f = tmp_path / "x.csv"
    f.write_bytes(b"\x00\x01\x02garbage\x00" * 10)
    r = one(ingest_paths(wh, [f], log=quiet))
    assert r.error and "binary" in r.error


# -- provenance, idempotence, update ------------------------------------------------------------------

def test_reingest_same_file_adds_nothing(wh, tmp_path):
    f = tmp_path / "c5.csv"
    f.write_text("\n".join([C5_HEADER, c5_row("X1"), c5_row("X2")]) + "\n", encoding="utf-8")
    r1 = one(ingest_paths(wh, [f], log=quiet))
    r2 = one(ingest_paths(wh, [f], log=quiet))
    assert (r1.rows_new, r2.rows_new, r2.rows_updated, r2.rows_unchanged) == (2, 0, 0, 2)
    assert wh.scalar("SELECT count(*) FROM event") == 2 and wh.scalar("SELECT count(*) FROM batch") == 1
    row = wh.query_dicts("SELECT batch_id, source_row, row_hash FROM event WHERE source_key = 'X2'")[0]
    assert row["source_row"] == 3 and row["batch_id"] == r1.batch_id and row["row_hash"]


def test_later_extract_updates_and_keeps_history(wh, tmp_path):
    f1, f2 = tmp_path / "c5_enero.csv", tmp_path / "c5_febrero.csv"
    f1.write_text("\n".join([C5_HEADER, c5_row("K1"), c5_row("K2")]) + "\n", encoding="utf-8")
    f2.write_text("\n".join([C5_HEADER, c5_row("K1"), c5_row("K2", incidente="Violencia-Familiar"),
                             c5_row("K3")]) + "\n", encoding="utf-8")
    ingest_paths(wh, [f1], log=quiet)
    r = one(ingest_paths(wh, [f2], log=quiet))
    assert (r.rows_new, r.rows_updated, r.rows_unchanged) == (1, 1, 1)
    assert wh.scalar("SELECT crime FROM event WHERE source_key = 'K2'") == "VIOLENCIA_FAMILIAR"
    hist = wh.query_dicts("SELECT crime, superseded_by_batch FROM event_history")
    assert hist == [{"crime": "ROBO_TRANSEUNTE_CV", "superseded_by_batch": r.batch_id}]
    assert wh.scalar("SELECT count(*) FROM event") == 3


def test_keyless_files_do_not_collide(wh, tmp_path):
    hdr = "alcaldia_hecho,colonia,latitud,longitud,delito,fecha_hecho,hora_hecho,anio_hecho,trimestre"
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(hdr + "\nCUAUHTEMOC,Centro,19.4326,-99.1332,FRAUDE,2022-02-11,13:50:00,2022,1\n", encoding="utf-8")
    b.write_text(hdr + "\nCOYOACAN,Centro,19.35,-99.16,FRAUDE,2022-02-12,06:30:00:00,2022,1\n", encoding="utf-8")
    reports = ingest_paths(wh, [a, b], log=quiet)
    assert [r.rows_new for r in reports] == [1, 1]
    assert wh.scalar("SELECT count(DISTINCT event_id) FROM event") == 2
    assert one(ingest_paths(wh, [a], log=quiet)).rows_new == 0


# -- containers, folders, watcher ----------------------------------------------------------------------

def test_xlsx_jsonl_gzip_and_truth_folder(wh, tmp_path):
    import openpyxl

    d = tmp_path / "drop"
    (d / "truth").mkdir(parents=True)
    (d / "truth" / "persons.csv").write_text("true_person_id\n1\n", encoding="utf-8")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(C5_HEADER.split(","))
    vals = c5_row("XL1").replace('"', "").split(",")
    vals[1] = 45352  # Excel serial of 2024-03-01
    ws.append(vals)
    wb.save(d / "c5.xlsx")
    keys = C5_HEADER.split(",")
    rec = dict(zip(keys, c5_row("JS1").replace('"', "").split(","), strict=True))
    (d / "c5.jsonl").write_text(json.dumps(rec, ensure_ascii=False) + "\n{broken\n", encoding="utf-8")
    with gzip.open(d / "c5.csv.gz", "wt", encoding="utf-8") as g:
        g.write(C5_HEADER + "\n" + c5_row("GZ1") + "\n")
    notes = []
    reports = ingest_paths(wh, [d], log=notes.append)
    assert sorted((Path(r.file).name, r.rows_loaded, r.rows_quarantined) for r in reports) == [
        ("c5.csv.gz", 1, 0), ("c5.jsonl", 1, 1), ("c5.xlsx", 1, 0)]
    assert any("truth" in str(n) for n in notes)
    assert str(wh.scalar("SELECT occurred_at FROM event WHERE source_key = 'XL1'")) == "2024-03-01 10:15:00"


def test_watch_folder_waits_for_complete_files(wh, tmp_path):
    d = tmp_path / "watch"
    d.mkdir()
    (d / "late.csv.part").write_text(C5_HEADER + "\n" + c5_row("P1") + "\n", encoding="utf-8")
    (d / "ok.csv").write_text(C5_HEADER + "\n" + c5_row("W1") + "\n", encoding="utf-8")
    (d / "bad.csv").write_text("foo,bar\n1,2\n", encoding="utf-8")
    reports = watch_folder(wh, d, interval=0.01, log=quiet, max_scans=3)
    names = sorted(Path(r.file).name for r in reports)
    assert names == ["bad.csv", "ok.csv"]                    # each once; the .part file waits
    assert wh.scalar("SELECT count(*) FROM event") == 1
    (d / "late.csv.part").rename(d / "late.csv")
    stop = threading.Event()
    more = watch_folder(wh, d, interval=0.01, log=quiet, max_scans=3, stop=stop)
    assert [Path(r.file).name for r in more if not r.already_loaded and not r.error] == ["late.csv"]
    assert wh.scalar("SELECT count(*) FROM event") == 2


def test_c5_older_geopoint_and_internal_caller(wh, tmp_path):
    old_hdr = (C5_HEADER.replace("alcaldia_inicio", "delegacion_inicio").replace("alcaldia_cierre", "delegacion_cierre")
               .replace(",latitud,longitud", ",geopoint"))
    old = c5_row("O1", alcaldia="DELEGACION COYOACAN").rsplit(",", 2)[0] + ',"19.35,-99.16"'
    (tmp_path / "old.csv").write_text(old_hdr + "\n" + old + "\n", encoding="utf-8")
    int_hdr = C5_HEADER + ",nombre_llamante,telefono_llamante,linea_mujeres"
    (tmp_path / "int.csv").write_text("\n".join([
        int_hdr, c5_row("I1", incidente="Violencia-Familiar") + ",María Guadalupe Pérez López,55 1234 5678,SI",
        c5_row("I2") + ",,,NO"]) + "\n", encoding="utf-8")
    reports = ingest_paths(wh, [tmp_path / "old.csv", tmp_path / "int.csv"], log=quiet)
    assert [(r.schema_version, r.rows_loaded) for r in reports] == [("older", 1), ("internal", 2)]
    assert wh.query("SELECT lat, lon, alcaldia FROM event WHERE source_key = 'O1'") == [(19.35, -99.16, "09003")]
    m = wh.query_dicts("SELECT given_names, surname_1, surname_2, phone, role FROM person_mention")
    assert m == [{"given_names": "MARIA GUADALUPE", "surname_1": "PEREZ", "surname_2": "LOPEZ",
                  "phone": "5512345678", "role": "caller"}]
    sens = dict(wh.query("SELECT source_key, sensitivity FROM event WHERE source_key LIKE 'I%'"))
    assert sens == {"I1": "vaw", "I2": None}
    attrs = json.loads(wh.scalar("SELECT attrs FROM event WHERE source_key = 'I1'"))
    assert attrs["codigo_cierre"] == "A" and attrs["linea_mujeres"] is True
