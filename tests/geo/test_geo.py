"""Geography: alcaldía names in every form, point-in-polygon on known points, projection, layers."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests.conftest import shared_path
from traceability import geo


@pytest.mark.parametrize("name,code", [
    ("Cuauhtémoc", "09015"), ("CUAUHTEMOC", "09015"), ("cuauhtemoc", "09015"), ("CuauhtÃ©moc", "09015"),
    ("TlÃ¡huac", "09011"), ("TLAHUAC", "09011"), ("Ã\x81lvaro ObregÃ³n", "09010"), ("ALVARO OBREGON", "09010"),
    ("Álvaro Obregón", "09010"), ("GAM", "09005"), ("G.A.M.", "09005"), ("GUSTAVO A. MADERO", "09005"),
    ("Gustavo A Madero", "09005"), ("CUAJIMALPA", "09004"), ("CUAJIMALPA DE MORELOS", "09004"),
    ("MAGDALENA CONTRERAS", "09008"), ("LA MAGDALENA CONTRERAS", "09008"), ("Delegación Coyoacán", "09003"),
    ("DELEGACION BENITO JUAREZ", "09014"), ("Alcaldía Miguel Hidalgo", "09016"), ("V. CARRANZA", "09017"),
    ("09015", "09015"), ("15", "09015"), (15.0, "09015"), ("Milpa Alta", "09009"), ("Xochimilco, CDMX", "09013"),
    ("ÃLVARO OBREGÃ\u0093N", "09010"),  # a byte lost on the way: one close name
])
def test_alcaldia_code(name, code):
    assert geo.alcaldia_code(name) == code


@pytest.mark.parametrize("name", [None, "", float("nan"), "TOLUCA", "ECATEPEC", "MEXICO", "99"])
def test_alcaldia_code_unknown(name):
    assert geo.alcaldia_code(name) is None


def test_every_name_of_the_double_encoded_file():
    import geopandas as gpd

    g = gpd.read_file(shared_path("data", "geo", "alcaldias_doble_codificacion.geojson"))
    assert any("Ã" in n for n in g.nomgeo)
    assert [geo.alcaldia_code(n) for n in g.nomgeo] == list(g.cvegeo)


def test_alcaldia_codes_vectorized():
    s = pd.Series(["GAM", None, "Tlalpan", "nada", "GAM"])
    assert geo.alcaldia_codes(s).tolist() == ["09005", None, "09012", None, "09005"]


def test_alcaldias_dict_matches_shipped_layer():
    props, geoms = geo.layer("alcaldias")
    assert sorted(props.alcaldia) == sorted(geo.ALCALDIAS) and len(geo.ALCALDIAS) == 16
    for code, name in zip(props.alcaldia, props.name, strict=True):
        assert geo.alcaldia_code(name) == code


def test_locate_known_points():
    lat = [19.4326, 19.1920, 19.3467, 19.5000, 19.9000, np.nan]
    lon = [-99.1332, -99.0230, -99.1617, -99.2500, -99.1000, -99.1]
    r = geo.locate(lat, lon)
    assert list(r.columns) == ["alcaldia", "colonia", "cuadrante"] and len(r) == 6
    assert r.alcaldia.tolist() == ["09015", "09009", "09003", None, None, None]  # Zócalo, Milpa Alta, Coyoacán
    assert r.cuadrante[0].startswith("C-") and r.colonia[0] is not None
    assert r.iloc[3:].isna().all().all()  # Naucalpan (Edomex), far north, NaN


def test_locate_layers_agree():
    """A point's colonia and cuadrante lie in the same alcaldía as the point (away from edges)."""
    rng = np.random.default_rng(3)
    lat = rng.uniform(19.25, 19.55, 3000)
    lon = rng.uniform(-99.25, -99.0, 3000)
    r = geo.locate(lat, lon)
    col = geo.layer("colonias")[0].set_index("colonia").alcaldia
    cua = geo.layer("cuadrantes")[0].set_index("cuadrante").alcaldia
    inside = r.dropna()
    assert len(inside) > 1500
    assert (col[inside.colonia].to_numpy() == inside.alcaldia.to_numpy()).mean() > 0.97
    assert (cua[inside.cuadrante].to_numpy() == inside.alcaldia.to_numpy()).mean() > 0.97


def test_in_city():
    got = geo.in_city([19.4326, 19.1920, 19.9, 19.5, np.nan], [-99.1332, -99.0230, -99.1, -99.25, 0])
    assert got.dtype == bool and got.tolist() == [True, True, False, False, False]


def test_to_metric():
    x, y = geo.to_metric([19.4326, 19.4326], [-99.1332, -99.1232])
    assert x[0] == pytest.approx(486_017, abs=5) and y[0] == pytest.approx(2_148_700, abs=5)
    assert x[1] - x[0] == pytest.approx(1050, rel=0.01)  # 0.01° of longitude at 19.4° N ≈ 1.05 km


def test_cuadrante_population():
    pop = geo.cuadrante_population()
    assert list(pop.columns) == ["cuadrante", "alcaldia", "population"]
    assert len(pop) == 847 and pop.cuadrante.is_unique
    assert pop.alcaldia.isin(list(geo.ALCALDIAS)).all()
    assert pop.population.sum() == pytest.approx(9_118_579)  # SUMPOB1 of the SSC 2023 file
    assert pop.set_index("cuadrante").loc["P-1.3.8", "population"] == 569


@pytest.mark.parametrize("layer,n", [("alcaldias", 16), ("colonias", 1813), ("cuadrantes", 847)])
def test_geojson(layer, n):
    fc = geo.geojson(layer)
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == n
    small = geo.geojson(layer, simplify_m=50)
    assert len(small["features"]) == n
    assert len(json.dumps(small)) < len(json.dumps(fc))
    with pytest.raises(Exception, match="unknown layer"):
        geo.geojson("manzanas")


def test_colonias_carry_alcaldia_and_string_ids():
    props, _ = geo.layer("colonias")
    assert props.colonia.map(type).eq(str).all() and props.colonia.is_unique
    assert props.alcaldia.isin(list(geo.ALCALDIAS)).all()


@pytest.mark.slow
def test_locate_real_carpetas_agrees_with_their_alcaldia():
    path = shared_path("data", "fgj", "carpetas_puntos_2019_2024.csv.gz")
    d = pd.read_csv(path, usecols=["alcaldia_hecho", "latitud", "longitud"], nrows=200_000)
    r = geo.locate(d.latitud.to_numpy(), d.longitud.to_numpy())
    written = geo.alcaldia_codes(d.alcaldia_hecho)
    assert written.notna().all()
    assert (r.alcaldia == written).mean() > 0.99
