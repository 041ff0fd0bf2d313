"""The shared value normalizers, case by case (hand-written expectations)."""

from __future__ import annotations

import pandas as pd
import pytest

from traceability.sources import casekeys
from traceability.sources import normalize as n


def S(*v):
    return pd.Series(list(v), dtype=object)


@pytest.mark.parametrize("raw, expected", [
    ("2024-01-05", "2024-01-05 00:00:00"),
    ("05/01/2024", "2024-01-05 00:00:00"),
    ("2024-01-05 13:20:00", "2024-01-05 13:20:00"),
    ("2024-08-31 00:00:00", "2024-08-31 00:00:00"),
    ("2024-01-05T13:20:00", "2024-01-05 13:20:00"),
    ("2024-11-11T03:40:00.000Z", "2024-11-10 21:40:00"),   # UTC -> Mexico City (UTC-6)
    ("45123", "2023-07-16 00:00:00"),                      # Excel serial
    ("45123.5", "2023-07-16 12:00:00"),
])
def test_parse_dates_variants(raw, expected):
    parsed, bad = n.parse_dates(S(raw))
    assert str(parsed.iloc[0]) == expected
    assert not bad.iloc[0]


def test_parse_dates_bad_and_missing():
    parsed, bad = n.parse_dates(S("2024-02-30", "garbage", "", None, "1850-01-01"))
    assert parsed.isna().all()
    assert bad.tolist() == [True, True, False, False, True]


@pytest.mark.parametrize("raw, hhmmss", [
    ("06:30", "06:30:00"), ("06:30:15", "06:30:15"), ("06:30:00:00", "06:30:00"), ("70200.0", "19:30:00"),
    ("1200.0", "00:20:00"), ("1:05 PM", "13:05:00"),
])
def test_parse_times(raw, hhmmss):
    t, bad = n.parse_times(S(raw))
    assert str(t.iloc[0]).endswith(hhmmss) and not bad.iloc[0]


def test_parse_times_bad():
    t, bad = n.parse_times(S("25:00", "x", "", "2024-11-11T03:40:00.000Z"))
    assert bad.tolist() == [True, True, False, True]


def test_combine_datetime_keeps_own_time_when_no_hour():
    d = pd.Series(pd.to_datetime(["2024-01-01", "2024-01-02 10:00:00", None], format="mixed"))
    t = pd.Series(pd.to_timedelta(["01:00:00", None, "02:00:00"]))
    out = n.combine_datetime(d, t)
    assert str(out[0]) == "2024-01-01 01:00:00" and str(out[1]) == "2024-01-02 10:00:00" and pd.isna(out[2])


def test_name_upper():
    out = n.name_upper(S("María  Peña-Núñez", "o'brien", "TlÃ¡huac", "", None))
    assert out.tolist() == ["MARIA PEÑA NUÑEZ", "OBRIEN", "TLAHUAC", None, None]


def test_split_full_name_given_first():
    g, s1, s2 = n.split_full_name(S("María Guadalupe Pérez de la Cruz", "JOSE LUIS PEREZ", "JUAN LOPEZ GARCIA",
                                    "MARIA DE LOS ANGELES RUIZ DE LA TORRE", "ANA DEL RIO"))
    assert list(zip(g, s1, s2, strict=True)) == [
        ("MARIA GUADALUPE", "PEREZ", "DE LA CRUZ"), ("JOSE LUIS", "PEREZ", None), ("JUAN", "LOPEZ", "GARCIA"),
        ("MARIA DE LOS ANGELES", "RUIZ", "DE LA TORRE"), ("ANA", "DEL RIO", None)]


def test_split_full_name_surname_first():
    g, s1, s2 = n.split_full_name(S("PEREZ DE LA CRUZ MARIA GUADALUPE", "LOPEZ JUAN", "DEL RIO SANCHEZ JOSE LUIS"),
                                  order="surname_first")
    assert list(zip(g, s1, s2, strict=True)) == [
        ("MARIA GUADALUPE", "PEREZ", "DE LA CRUZ"), ("JUAN", "LOPEZ", None), ("JOSE LUIS", "DEL RIO", "SANCHEZ")]


def test_split_surnames():
    s1, s2 = n.split_surnames(S("Pérez de la Cruz", "DE LA O LOPEZ", "GARCIA", ""))
    assert s1.tolist() == ["PEREZ", "DE LA O", "GARCIA", None]
    assert s2.tolist() == ["DE LA CRUZ", "LOPEZ", None, None]


def test_sex_bool_numbers():
    assert n.parse_sex(S("H", "m", "Hombre", "MUJER", "Masculino", "Femenino", "x", "")).tolist() == [
        "H", "M", "H", "M", "H", "M", None, None]
    assert n.parse_bool_si_no(S("SI", "Sí", "no", "", "x")).tolist() == [True, True, False, pd.NA, pd.NA]
    assert n.parse_int(S("8324870.0", "12", "1.5", "", "a")).tolist() == [8324870, 12, pd.NA, pd.NA, pd.NA]
    assert n.parse_float(S("19,4326", "1,234.5", "$100", "-99.1")).tolist() == [19.4326, 1234.5, 100.0, -99.1]
    assert n.int_text(S("8324870.0", "ABC", "")).tolist() == ["8324870", "ABC", None]


def test_phone_curp_geopoint_address():
    assert n.normalize_phone(S("+52 55 1234 5678", "044-55-1234-5678", "12345", "5512345678.0")).tolist() == [
        "5512345678", "5512345678", None, "5512345678"]
    assert n.normalize_curp(S(" pegj-850101hdfrnn09 ", "")).tolist() == ["PEGJ850101HDFRNN09", None]
    lat, lon = n.parse_geopoint(S("19.4,-99.1", "(19.5, -99.2)", "", "x"))
    assert lat.tolist()[:2] == [19.4, 19.5] and lon.tolist()[:2] == [-99.1, -99.2] and lat[2:].isna().all()
    assert n.address_norm(S("Av. Insurgentes Sur No. 123, Col. Roma", "Cda. de Pino S/N")).tolist() == [
        "AVENIDA INSURGENTES SUR 123 COLONIA ROMA", "CERRADA DE PINO SN"]


def test_carpeta_key_copies_agree():
    variants = ["CI-FIAO/AO-4/UI-1 S/D/01234/08-2024", "CI FIAO AO 4 UI 1 S D 1234 08 2024",
                "FIAO/AO-4/UI-1 S/D/001234/08-24", "AO-4/UI-1/1234/08-2024", "ci-fiao-ao-4-ui-1-s-d-01234-08-2024"]
    keys = casekeys.carpeta_key(S(*variants))
    assert keys.nunique() == 1 and keys.iloc[0] == "AO4UI1/1234/2024-08"
    other = casekeys.carpeta_key(S("CI-FIAO/AO-4/UI-1 S/D/01235/08-2024", "CI-FIAO/AO-4/UI-2 S/D/01234/08-2024"))
    assert keys.iloc[0] not in set(other)
    assert casekeys.carpeta_key(S("8324870.0", "8324870", "")).tolist() == ["8324870", "8324870", None]


def test_causa_key():
    assert casekeys.causa_key(S("0123/2024", "CP 123/24", "123-2024", "124/2024")).tolist() == [
        "123/2024", "123/2024", "123/2024", "124/2024"]
