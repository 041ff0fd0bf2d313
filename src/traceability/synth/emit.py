"""Write the simulated city as each agency's extract, with that agency's habits and errors, plus the truth.

Columns follow ``shared/formats/README.md`` exactly (``COLUMNS`` below). Agency habits:

========================  ===============================================================================
fgj_carpetas              monthly files (by fecha_inicio), UTF-8, dates YYYY-MM-DD, accents as the portal
fgj_victimas              UTF-8, birth dates DD/MM/YYYY, Sexo Masculino/Femenino, age sometimes only
fgj_imputados             UTF-8, accents dropped, fecha_detencion YYYY-MM-DD HH:MM:SS, sexo H/M, aliases
c5_911                    monthly files, latin-1, older header variant (delegacion_*, geopoint) some months
ssc_detenciones           UTF-8, DD/MM/YYYY, HOMBRE/MUJER, carpeta numbers copied loosely, nicknames
tsj_causas                UTF-8, nombre_completo "PATERNO MATERNO NOMBRE", DD/MM/YYYY, causa numbers
penitenciario             XLSX (dates as Excel serials), HOMBRE/MUJER
cjm_casos                 UTF-8 with BOM, nombre_usuaria + apellidos_usuaria, fecha_atencion with time
ssa_lesiones              UTF-8, DD/MM/YYYY, H/M, age only, ICD-10
uif_reportes              UTF-8, titular/contraparte whole names, RFC and CURP
comisiones_seguridad      UTF-8, DD/MM/YYYY, aliases only
comunicaciones            JSON Lines, numbers with country code or spaces sometimes
========================  ===============================================================================
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from .model import ALCALDIA_NAMES, CJM_SEDE, FISCALIA, labels, pick_label
from .world import keep_in_city

COLUMNS = {
    "fgj_carpetas": "id_carpeta, anio_inicio, mes_inicio, fecha_inicio, hora_inicio, anio_hecho, mes_hecho, fecha_hecho, hora_hecho, delito, categoria_delito, competencia, fiscalia, agencia, unidad_investigacion, colonia_hecho, colonia_catalogo, alcaldia_hecho, alcaldia_catalogo, municipio_hecho, latitud, longitud, calle_hecho",
    "fgj_victimas": "id_victima, id_carpeta, nombre, apellido_paterno, apellido_materno, fecha_nacimiento, curp, telefono, domicilio, colonia_domicilio, alcaldia_domicilio, razon_social, Delito, Categoria, Sexo, Edad, TipoPersona, CalidadJuridica, FechaHecho, HoraHecho, AlcaldiaHechos, ColoniaHechos, latitud, longitud",
    "fgj_imputados": "id_imputado, id_carpeta, nombre, apellido_paterno, apellido_materno, alias, sexo, edad, fecha_nacimiento, curp, domicilio, colonia_domicilio, alcaldia_domicilio, telefono, detenido, fecha_detencion, delito",
    "c5_911": "folio, fecha_creacion, hora_creacion, dia_semana, categoria_incidente_c4, incidente_c4, anio_creacion, mes_creacion, fecha_cierre, hora_cierre, anio_cierre, mes_cierre, codigo_cierre, clas_con_f_alarma, tipo_entrada, alcaldia_inicio, colonia, alcaldia_cierre, manzana, latitud, longitud, nombre_llamante, telefono_llamante, linea_mujeres",
    "ssc_detenciones": "id_detencion, fecha_detencion, hora_detencion, nombre, apellido_paterno, apellido_materno, alias, sexo, edad, fecha_nacimiento, curp, domicilio, alcaldia_detencion, colonia_detencion, cuadrante, latitud, longitud, motivo, folio_c5, id_carpeta, autoridad_disposicion, unidad_policial",
    "tsj_causas": "id_registro, causa_penal, juzgado, id_carpeta, nombre_completo, sexo, fecha_nacimiento, delito, fecha_audiencia_inicial, vinculacion_proceso, medida_cautelar, fecha_resolucion, sentido, pena_prision_meses",
    "penitenciario": "id_ingreso, expediente, nombre, apellido_paterno, apellido_materno, alias, fecha_nacimiento, sexo, centro, dormitorio, fecha_ingreso, fecha_egreso, motivo_egreso, causa_penal, juzgado, delito, situacion_juridica",
    "cjm_casos": "folio, sede, fecha_atencion, nombre_usuaria, apellidos_usuaria, edad, fecha_nacimiento, telefono, domicilio, colonia, alcaldia, tipo_violencia, modalidad, nombre_agresor, relacion_agresor, servicios, id_carpeta, medidas_proteccion",
    "ssa_lesiones": "id_atencion, clues, unidad_medica, fecha_atencion, hora_atencion, nombre, apellido_paterno, apellido_materno, sexo, edad, domicilio, alcaldia_residencia, sitio_ocurrencia, fecha_evento, intencionalidad, tipo_violencia, agente_lesion, area_anatomica, consecuencia, cie10, cie10_causa_externa, relacion_agresor, sexo_agresor, aviso_ministerio_publico, destino",
    "uif_reportes": "id_reporte, fecha_reporte, tipo, institucion, titular_nombre, titular_rfc, titular_curp, contraparte_nombre, contraparte_rfc, monto_mxn, instrumento, descripcion",
    "comisiones_seguridad": "id_registro, fecha_sesion, alcaldia, colonia, cuadrante, tema, descripcion, grupo_mencionado, alias_mencionados, lugar, latitud, longitud",
    "comunicaciones": "id_registro, orden_judicial, fecha_hora, numero_origen, numero_destino, tipo, duracion_segundos",
}
COLUMNS = {k: [c.strip() for c in v.split(",")] for k, v in COLUMNS.items()}
C5_OLD = [c.replace("alcaldia_inicio", "delegacion_inicio").replace("alcaldia_cierre", "delegacion_cierre")
          for c in COLUMNS["c5_911"]]
C5_OLD.insert(C5_OLD.index("longitud") + 1, "geopoint")
MESES = np.array(["", "Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio", "Julio", "Agosto", "Septiembre",
                  "Octubre", "Noviembre", "Diciembre"], dtype=object)
DIAS = np.array(["Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado", "Domingo"], dtype=object)
_ACCENTS = str.maketrans("ÁÉÍÓÚÜáéíóúü", "AEIOUUaeiouu")
CENTROS_H = ["RECLUSORIO PREVENTIVO VARONIL NORTE", "RECLUSORIO PREVENTIVO VARONIL ORIENTE",
             "RECLUSORIO PREVENTIVO VARONIL SUR", "PENITENCIARÍA DEL DISTRITO FEDERAL",
             "CENTRO VARONIL DE REINSERCIÓN SOCIAL SANTA MARTHA"]
CENTRO_M = "CENTRO FEMENIL DE REINSERCIÓN SOCIAL"
HOSPITALES = [("DFSSA003932", "HOSPITAL GENERAL BALBUENA"), ("DFSSA003944", "HOSPITAL GENERAL DR. RUBÉN LEÑERO"),
              ("DFSSA003956", "HOSPITAL GENERAL XOCO"), ("DFSSA003961", "HOSPITAL GENERAL LA VILLA"),
              ("DFSSA003973", "HOSPITAL GENERAL IZTAPALAPA"), ("DFSSA003985", "HOSPITAL GENERAL TICOMÁN"),
              ("DFSSA004001", "HOSPITAL GENERAL AJUSCO MEDIO"), ("DFSSA004013", "HOSPITAL GENERAL TLÁHUAC")]
CIE10_INJ = ["S00.8", "S01.8", "S06.0", "S09.9", "S20.2", "S30.0", "S40.0", "S50.0", "S60.0", "S70.0", "T14.0",
             "T14.1", "S11.8", "S21.9"]
INSTITUCIONES = ["BBVA MEXICO", "BANCO SANTANDER MEXICO", "BANORTE", "CITIBANAMEX", "HSBC MEXICO", "BANCO AZTECA",
                 "BANCOPPEL", "SCOTIABANK INVERLAT", "CASA DE CAMBIO TIBER", "INBURSA"]


def _zfill(a, width: int):
    """np.char.zfill, also on an empty array (numpy's fails there: a small state may have no records)."""
    a = np.asarray(a)
    return np.char.zfill(a, width) if a.size else a.astype(f"<U{width}")


def _serials(prefix: str, n: int, width: int) -> np.ndarray:
    """prefix + 1..n zero-padded to `width` digits, as objects."""
    return np.char.add(prefix, _zfill((np.arange(n) + 1).astype(str), width)).astype(object)


class Emitter:
    """Writes ``world`` to ``out``. With ``region`` (a ``states.Region``: another state simulated on the city
    template) the same formats carry that state's municipalities, fiscalía and key prefix, no colonias,
    cuadrantes or coordinates, and person ids offset by ``region.pid_offset``."""

    def __init__(self, world, out: Path, region=None):
        self.w = world
        self.out = out
        # a small state can leave a month's frame empty, and an empty frame's columns come out as floats or
        # objects (also once concatenated with full ones): ids and days are array indices and arithmetic here,
        # so they are made integers once
        for name, frame in list(vars(world).items()):
            if isinstance(frame, pd.DataFrame):
                ints = {c: "int64" for c in frame.columns if (c in ("pid", "cid", "gid") or c.endswith("_day"))
                        and frame[c].dtype.kind in "fO" and frame[c].notna().all()
                        and (pd.to_numeric(frame[c], errors="coerce") % 1 == 0).all()}
                if ints:
                    setattr(world, name, frame.astype(ints))
        self.rng = world.rng
        self.region = region
        self.kp = region.key_prefix if region else ""
        self.pid_offset = region.pid_offset if region else 0
        self.pt_alc = region.pt_mun if region else world.pt_alc
        self.alc_names = region.names if region else ALCALDIA_NAMES
        self.files: dict[str, int] = {}
        self.mentions: list[pd.DataFrame] = []
        p = world.persons
        self.p = p
        self.pt_street = np.asarray(world.C["streets"], dtype=object)
        pts = world.C["pts"]
        n_pts = len(pts)
        self.pt_streetname = self.pt_street[(np.arange(n_pts) * 7919 + 13) % len(self.pt_street)]
        cols = world.C["colonias"]
        self.pt_colonia = np.array([cols.get(int(c), "") for c in world.pt_col], dtype=object)
        self.cua_name = world.C["cua"]["cuadrante"].to_numpy(dtype=object)
        if region:
            self.pt_colonia = np.full(n_pts, "", dtype=object)
            self.cua_name = np.full(len(self.cua_name), "", dtype=object)
        nick = world.C["nicknames"]
        self.nick = dict(zip(nick["name"], nick["nickname"], strict=False))

    # -- helpers -------------------------------------------------------------------------------
    @property
    def _nan(self) -> float:
        """NaN for another state's extracts (the package ships no geometry but the city's), else 0."""
        return np.nan if self.region else 0.0

    def coords(self, lat, lon, sd_deg: float):
        """Jittered points inside the city; none (NaN) for another state."""
        if self.region:
            return np.full(len(lat), np.nan), np.full(len(lon), np.nan)
        return self.w.jitter(lat, lon, sd_deg)

    def write_csv(self, name: str, df: pd.DataFrame, encoding: str = "utf-8") -> None:
        path = self.out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding=encoding, newline="", errors="replace") as fh:
            df.to_csv(fh, index=False, lineterminator="\n")
        self.files[name] = len(df)

    def mention(self, source: str, keys, role: str, pids) -> None:
        keys = np.asarray(keys, dtype=object)
        pids = np.asarray(pids, dtype=np.int64)
        m = pids >= 0
        self.mentions.append(pd.DataFrame({"source": source, "source_key": keys[m], "role": role,
                                           "true_person_id": pids[m] + self.pid_offset}))

    def dates(self, days, fmt: str = "iso", minutes=None) -> np.ndarray:
        days = np.asarray(days)
        d = pd.to_datetime(self.w.dates(np.maximum(days, -10 ** 6)))
        if minutes is not None:
            d = d + pd.to_timedelta(np.asarray(minutes) % 1440, unit="m")
        if fmt == "iso":
            s = d.strftime("%Y-%m-%d")
        elif fmt == "dmy":
            s = d.strftime("%d/%m/%Y")
        else:
            s = d.strftime("%Y-%m-%d %H:%M:%S")
        return np.where(days < 0, "", np.asarray(s, dtype=object))

    def birth(self, pids, fmt: str, missing: float = 0.0) -> np.ndarray:
        b = self.p["birth_date"].to_numpy()[pids]
        d = pd.to_datetime(b)
        s = np.asarray(d.strftime("%Y-%m-%d" if fmt == "iso" else "%d/%m/%Y"), dtype=object)
        return np.where(self.rng.random(len(pids)) < missing, "", s)

    def age(self, pids, days) -> np.ndarray:
        return ((np.asarray(days) - self.p["birth"].to_numpy()[pids]) / 365.25).astype(int)

    def names(self, pids, accents: bool, typo=0.02, nick=0.0, swap=0.01, drop2=0.03, short=0.05):
        """Given names, paternal and maternal surnames as an agency writes them."""
        rng = self.rng
        n = len(pids)
        g = self.p["given"].to_numpy()[pids].copy()
        a = self.p["s1"].to_numpy()[pids].copy()
        b = self.p["s2"].to_numpy()[pids].copy()
        u = rng.random((5, n))
        sw = u[0] < swap
        a[sw], b[sw] = b[sw], a[sw]
        b[u[1] < drop2] = ""
        for i in np.flatnonzero(u[2] < short):
            g[i] = g[i].split(" ")[0]
        for i in np.flatnonzero(u[3] < nick):
            first = g[i].split(" ")[0]
            if first in self.nick:
                g[i] = self.nick[first]
        for i in np.flatnonzero(u[4] < typo):
            col = (a, g, b)[i % 3]
            col[i] = _typo(col[i], int(i * 2654435761 % 1000))
        if not accents:
            g, a, b = (pd.Series(x, dtype=object).str.translate(_ACCENTS).to_numpy(dtype=object) for x in (g, a, b))
        return g, a, b

    def address(self, pids, accents=True):
        pt = self.p["point"].to_numpy()[pids]
        s = self.pt_streetname[pt] + " " + self.p["number"].to_numpy()[pids].astype(str).astype(object)
        if not accents:
            s = pd.Series(s, dtype=object).str.translate(_ACCENTS).to_numpy(dtype=object)
        return s, self.pt_colonia[pt], self.pt_alc[pt]

    def alc_name(self, codes, accents=True):
        names = np.array([self.alc_names.get(c, "") for c in codes], dtype=object)
        if not accents:
            names = pd.Series(names, dtype=object).str.translate(_ACCENTS).to_numpy(dtype=object)
        return names

    def sex(self, pids, style: str):
        s = self.p["sex"].to_numpy()[pids]
        if style == "HM":
            return s
        if style == "word":
            return np.where(s == "H", "HOMBRE", "MUJER")
        return np.where(s == "H", "Masculino", "Femenino")

    def phone(self, pids, missing=0.3):
        ph = self.p["phone"].to_numpy()[pids].astype(str).astype(object)
        u = self.rng.random(len(pids))
        ph = np.where(u < 0.1, "+52 " + ph, np.where(u < 0.15, "044" + ph, ph))
        return np.where(self.rng.random(len(pids)) < missing, "", ph)

    def curp(self, pids, missing=0.4):
        c = self.p["curp"].to_numpy()[pids]
        return np.where(self.rng.random(len(pids)) < missing, "", c)

    def messy_key(self, keys) -> np.ndarray:
        """A carpeta number as another agency copies it."""
        rng = self.rng
        keys = np.asarray(keys, dtype=object)
        out = keys.copy()
        u = rng.random(len(keys))
        for i in np.flatnonzero(u < 0.45):
            k = keys[i]
            v = int(u[i] * 1000) % 5
            if v == 0:
                k = k.replace("CI-", "")
            elif v == 1:
                k = k.replace("/", " / ")
            elif v == 2:
                k = k.replace("/", "-")
            elif v == 3:
                k = re.sub(r"/0+(\d+)/", r"/\1/", k)
            else:
                k = k.lower()
            out[i] = k
        return out

    # -- sources -------------------------------------------------------------------------------
    def carpetas(self) -> None:
        w, rng = self.w, self.rng
        cr = w.crimes
        n = len(cr)
        d = cr["delito"].to_numpy()
        pt = cr["point"].to_numpy()
        alc = self.pt_alc[pt]
        rep = cr["reported_day"].to_numpy()
        rep_dt = pd.to_datetime(w.dates(rep))
        year = rep_dt.year.to_numpy()
        fiscalia = self.region.fiscalia if self.region else FISCALIA
        fis = np.array([fiscalia[a][0] for a in alc], dtype=object)
        ag = np.array([fiscalia[a][1] for a in alc], dtype=object)
        grp = w.d_group[d]
        sexual = np.isin(grp, ["VIOLACION", "ABUSO_SEXUAL"])
        if not self.region:  # specialised fiscalías of the city; elsewhere only the agency says so
            fis = np.where(sexual, "FDS", np.where(grp == "VIOLENCIA_FAMILIAR", "FAM", fis))
        ag = np.where(sexual, "FDS", np.where(grp == "VIOLENCIA_FAMILIAR", "FAM", ag))
        agn = rng.integers(1, 6, n)
        ui = rng.integers(1, 4, n)
        cd = np.where(rng.random(n) < 0.15, "C/D", "S/D")
        seq = pd.DataFrame({"f": fis, "y": year, "i": np.arange(n)}).groupby(["f", "y"]).cumcount().to_numpy() + 1
        mm = rep_dt.month.to_numpy()
        key = [f"CI-{f}/{a}-{x}/UI-{u} {c}/{s:05d}/{m:02d}-{y}" for f, a, x, u, c, s, m, y in
               zip(fis, ag, agn, ui, cd, seq, mm, year, strict=False)]
        self.carpeta_id = np.asarray(key, dtype=object)
        occ = pd.to_datetime(w.dates(cr["day"].to_numpy()))
        minute = cr["minute"].to_numpy()
        rep_min = np.where(rep == cr["day"].to_numpy(), np.minimum(minute + rng.integers(30, 300, n), 1439),
                           rng.integers(480, 1200, n))
        hh = lambda m: np.char.add(np.char.add(_zfill((m // 60).astype(str), 2), ":"),  # noqa: E731
                                   np.char.add(_zfill((m % 60).astype(str), 2), ":00")).astype(object)
        lat, lon = cr["lat"].to_numpy(), cr["lon"].to_numpy()
        nocoord = (rng.random(n) < 0.03) | (self.region is not None)
        col = self.pt_colonia[pt]
        df = pd.DataFrame({
            "id_carpeta": self.carpeta_id, "anio_inicio": year, "mes_inicio": MESES[mm],
            "fecha_inicio": self.dates(rep), "hora_inicio": hh(rep_min), "anio_hecho": occ.year,
            "mes_hecho": MESES[occ.month.to_numpy()], "fecha_hecho": self.dates(cr["day"].to_numpy()),
            "hora_hecho": hh(minute), "delito": w.delito_names[d], "categoria_delito": w.d_cat[d],
            "competencia": "FUERO COMUN",
            "fiscalia": np.char.add("FISCALÍA DE INVESTIGACIÓN ", fis.astype(str)).astype(object),
            "agencia": np.char.add(np.char.add(ag.astype(str), "-"), agn.astype(str)).astype(object),
            "unidad_investigacion": np.char.add("UI-", ui.astype(str)).astype(object) + "" + np.char.add(" ", cd.astype(str)).astype(object),
            "colonia_hecho": col, "colonia_catalogo": col, "alcaldia_hecho": self.alc_name(alc, accents=False),
            "alcaldia_catalogo": self.alc_name(alc), "municipio_hecho": self.alc_name(alc),
            "latitud": np.where(nocoord, np.nan, np.round(lat, 6)), "longitud": np.where(nocoord, np.nan, np.round(lon, 6)),
            "calle_hecho": self.pt_streetname[pt],
        })
        df = df[COLUMNS["fgj_carpetas"]]
        ym = pd.Series(rep_dt.strftime("%Y-%m"))
        for m in sorted(ym.unique()):
            self.write_csv(f"fgj_carpetas/fgj_carpetas_{m}.csv", df[(ym == m).to_numpy()])

    def victimas(self) -> None:
        w, rng = self.w, self.rng
        cr = w.crimes
        v = pd.concat([pd.DataFrame({"cid": np.arange(len(cr)), "pid": cr["victim"].to_numpy(), "o": 0}),
                       w.extra_victims.assign(o=1)]).sort_values(["cid", "o", "pid"], kind="stable")
        cid, pid = v["cid"].to_numpy(), v["pid"].to_numpy()
        n = len(v)
        legal = self.p["is_legal"].to_numpy()[pid]
        g, a, b = self.names(pid, accents=True, typo=0.02, swap=0.01, drop2=0.04)
        g, a, b = (np.where(legal, "", x) for x in (g, a, b))
        dom, colo, alc = self.address(pid)
        day = cr["day"].to_numpy()[cid]
        age = self.age(pid, day)
        d = cr["delito"].to_numpy()[cid]
        u = rng.random(n)
        calidad = np.select([u < 0.55, u < 0.75, u < 0.95], ["VICTIMA Y DENUNCIANTE", "VICTIMA", "OFENDIDO"],
                            "DENUNCIANTE")
        nocoord = (rng.random(n) < 0.05) | (self.region is not None)
        jit = rng.normal(0, 0.0004, (2, n))
        vlat, vlon = keep_in_city(cr["lat"].to_numpy()[cid], cr["lon"].to_numpy()[cid],
                                  np.round(cr["lat"].to_numpy()[cid] + jit[0], 6),
                                  np.round(cr["lon"].to_numpy()[cid] + jit[1], 6),
                                  lambda m: (np.round(cr["lat"].to_numpy()[cid[m]] + rng.normal(0, 0.0004, len(m)), 6),
                                             np.round(cr["lon"].to_numpy()[cid[m]] + rng.normal(0, 0.0004, len(m)), 6)))
        keys = _serials(self.kp + "V", n, 8)
        cpt = cr["point"].to_numpy()[cid]
        df = pd.DataFrame({
            "id_victima": keys, "id_carpeta": self.carpeta_id[cid], "nombre": g, "apellido_paterno": a,
            "apellido_materno": b,
            "fecha_nacimiento": np.where(legal, "", self.birth(pid, "dmy", missing=0.35)),
            "curp": np.where(legal, "", self.curp(pid, missing=0.55)), "telefono": self.phone(pid, 0.3),
            "domicilio": dom, "colonia_domicilio": colo, "alcaldia_domicilio": self.alc_name(alc),
            "razon_social": np.where(legal, self.p["business"].to_numpy()[pid], ""),
            "Delito": w.delito_names[d], "Categoria": w.d_cat[d],
            "Sexo": np.where(legal, "", self.sex(pid, "word3")),
            "Edad": np.where(legal | (rng.random(n) < 0.1), "", age.astype(str)),
            "TipoPersona": np.where(legal, "MORAL", "FISICA"), "CalidadJuridica": calidad,
            "FechaHecho": self.dates(day), "HoraHecho": [f"{m // 60:02d}:{m % 60:02d}" for m in cr["minute"].to_numpy()[cid]],
            "AlcaldiaHechos": self.alc_name(self.pt_alc[cpt], accents=False), "ColoniaHechos": self.pt_colonia[cpt],
            "latitud": np.where(nocoord, np.nan, vlat), "longitud": np.where(nocoord, np.nan, vlon),
        })
        self.write_csv("fgj_victimas.csv", df[COLUMNS["fgj_victimas"]])
        self.mention("fgj_victimas", keys, "victim", pid)
        self.victim_keys = pd.DataFrame({"cid": cid, "pid": pid, "key": keys})

    def imputados(self) -> None:
        w, rng = self.w, self.rng
        ac = w.accused.sort_values(["cid", "pid"], kind="stable").reset_index(drop=True)
        w.accused = ac
        pid, cid = ac["pid"].to_numpy(), ac["cid"].to_numpy()
        n = len(ac)
        g, a, b = self.names(pid, accents=False, typo=0.03, nick=0.03, swap=0.02, drop2=0.05)
        dom, colo, alc = self.address(pid, accents=False)
        keys = _serials(self.kp + "IMP-", n, 7)
        alias = self.p["alias"].to_numpy()[pid]
        alias = np.where(rng.random(n) < 0.6, alias, "")
        det = ac["detenido"].to_numpy()
        d = w.crimes["delito"].to_numpy()[cid]
        df = pd.DataFrame({
            "id_imputado": keys, "id_carpeta": self.carpeta_id[cid], "nombre": g, "apellido_paterno": a,
            "apellido_materno": b, "alias": alias, "sexo": self.sex(pid, "HM"),
            "edad": self.age(pid, w.crimes["day"].to_numpy()[cid]).astype(str),
            "fecha_nacimiento": self.birth(pid, "iso", missing=0.4), "curp": self.curp(pid, 0.6),
            "domicilio": dom, "colonia_domicilio": colo,
            "alcaldia_domicilio": self.alc_name(alc, accents=False), "telefono": self.phone(pid, 0.5),
            "detenido": np.where(det, "SI", "NO"),
            "fecha_detencion": np.where(det, self.dates(ac["det_day"].to_numpy(), "ts",
                                                        minutes=rng.integers(0, 1440, n)), ""),
            "delito": w.delito_names[d],
        })
        self.write_csv("fgj_imputados.csv", df[COLUMNS["fgj_imputados"]])
        self.mention("fgj_imputados", keys, "accused", pid)
        ac["key"] = keys

    def c5(self) -> None:
        w, rng = self.w, self.rng
        k = w.calls
        n = len(k)
        codes = k["code"].to_numpy()
        lab = pick_label("c5_911", codes, rng)
        vc = labels("c5_911")
        lm = k["linea_mujeres"].to_numpy()
        women_label = vc.loc[vc["label"].str.contains("Mujer"), "label"]
        if len(women_label):
            lab = np.where(lm, women_label.iloc[0], lab)
        cat_of = dict(zip(vc["label"], vc["categoria"] if "categoria" in vc else vc["code"], strict=False))
        cat = np.array([cat_of.get(x, "Delito") for x in lab], dtype=object)
        clas = np.array([{"Delito": "DELITO", "Emergencia": "EMERGENCIA", "Urgencias Medicas": "URGENCIAS MEDICAS",
                          "Falsa Alarma": "FALSA ALARMA", "Servicio": "SERVICIO"}.get(c, "DELITO") for c in cat],
                        dtype=object)
        day = k["day"].to_numpy()
        dt = pd.to_datetime(w.dates(day))
        close_day = day + k["close_min"].to_numpy() // 1440
        cdt = pd.to_datetime(w.dates(close_day))
        pt = k["point"].to_numpy()
        alc = self.alc_name(self.pt_alc[pt], accents=False)
        keys = [f"{self.kp}C5/{d}/{i:06d}" for d, i in zip(dt.strftime("%y%m%d"), np.arange(n) + 1, strict=False)]
        keys = np.asarray(keys, dtype=object)
        cierre_txt = {"A": "(A) LA UNIDAD DE ATENCION A EMERGENCIAS FUE DESPACHADA, LLEGO AL LUGAR DE LOS HECHOS Y CONFIRMO LA EMERGENCIA REPORTADA",
                      "N": "(N) LA UNIDAD DE ATENCION A EMERGENCIAS FUE DESPACHADA, LLEGO AL LUGAR DE LOS HECHOS, PERO EN EL SITIO DEL EVENTO NADIE SOLICITO EL APOYO DE LA UNIDAD",
                      "D": "(D) EL INCIDENTE REPORTADO SE REGISTRO EN VARIAS OCASIONES",
                      "F": "(F) EL INCIDENTE REPORTADO ES FALSO",
                      "I": "(I) EL INCIDENTE REPORTADO ES INFORMATIVO"}
        cierre = np.array([cierre_txt[c] for c in k["cierre"].to_numpy()], dtype=object)
        u = rng.random(n)
        entrada = np.select([lm | (u < 0.78), u < 0.86, u < 0.93, u < 0.97], ["LLAMADA DEL 911", "BOTÓN DE AUXILIO",
                                                                              "CÁMARA", "RADIO"], "APLICATIVOS")
        caller = k["caller"].to_numpy()
        has = caller >= 0
        cp = np.maximum(caller, 0)
        g, a, b = self.names(cp, accents=False, typo=0.04, nick=0.08, swap=0.02, drop2=0.2, short=0.2)
        nombre = np.where(has, np.char.strip(np.char.add(np.char.add(np.char.add(g.astype(str), " "),
                                                                     np.char.add(a.astype(str), " ")), b.astype(str))).astype(object), "")
        tel = np.where(has, self.phone(cp, 0.1), "")
        mins = k["minute"].to_numpy()
        cmin = k["close_min"].to_numpy() % 1440
        fmt_t = lambda m: np.char.add(np.char.add(_zfill((m // 60).astype(str), 2), ":"),  # noqa: E731
                                      np.char.add(_zfill((m % 60).astype(str), 2), ":00")).astype(object)
        lat, lon = self.coords(w.pt_lat[pt], w.pt_lon[pt], 0.0006)
        df = pd.DataFrame({
            "folio": keys, "fecha_creacion": self.dates(day), "hora_creacion": fmt_t(mins),
            "dia_semana": DIAS[dt.dayofweek.to_numpy()], "categoria_incidente_c4": cat, "incidente_c4": lab,
            "anio_creacion": dt.year, "mes_creacion": MESES[dt.month.to_numpy()],
            "fecha_cierre": self.dates(close_day), "hora_cierre": fmt_t(cmin), "anio_cierre": cdt.year,
            "mes_cierre": MESES[cdt.month.to_numpy()], "codigo_cierre": cierre, "clas_con_f_alarma": clas,
            "tipo_entrada": entrada, "alcaldia_inicio": alc, "colonia": self.pt_colonia[pt], "alcaldia_cierre": alc,
            "manzana": (w.pt_col[pt] * 1000 + pt % 997).astype(str), "latitud": lat, "longitud": lon,
            "nombre_llamante": nombre, "telefono_llamante": tel, "linea_mujeres": np.where(lm, "SI", "NO"),
        })
        self.write_csv_monthly_c5(df, dt)
        self.mention("c5_911", keys[has], "caller", caller[has])
        k["folio"] = keys

    def write_csv_monthly_c5(self, df: pd.DataFrame, dt) -> None:
        ym = np.asarray(dt.strftime("%Y-%m"))
        months = sorted(set(ym.tolist()))
        for i, m in enumerate(months):
            part = df[ym == m]
            if i % 4 == 0:  # the older header variant, some months
                part = part.rename(columns={"alcaldia_inicio": "delegacion_inicio", "alcaldia_cierre": "delegacion_cierre"})
                part.insert(part.columns.get_loc("longitud") + 1, "geopoint",
                            np.where(part["latitud"].isna(), "",
                                     part["latitud"].astype(str) + "," + part["longitud"].astype(str)))
                part = part[C5_OLD]
            self.write_csv(f"c5_911/c5_911_{m}.csv", part, encoding="latin-1")

    def detenciones(self) -> None:
        w, rng = self.w, self.rng
        dt_ = w.detentions
        n = len(dt_)
        pid = dt_["pid"].to_numpy()
        cid = dt_["cid"].to_numpy()
        civic = dt_["civic"].to_numpy()
        g, a, b = self.names(pid, accents=False, typo=0.04, nick=0.1, swap=0.03, drop2=0.06)
        dom, _, _ = self.address(pid, accents=False)
        cpt = np.where(cid >= 0, w.crimes["point"].to_numpy()[np.maximum(cid, 0)], self.p["point"].to_numpy()[pid])
        codes = np.where(cid >= 0, w.d_code[w.crimes["delito"].to_numpy()[np.maximum(cid, 0)]], "HECHO_NO_DELICTIVO")
        voc = labels("ssc_detenciones")
        motivo = pick_label("ssc_detenciones", codes, rng)
        if "autoridad_disposicion" in voc:
            civ_labels = voc.loc[voc["autoridad_disposicion"] == "JUEZ CIVICO", "label"].to_numpy(dtype=object)
            if len(civ_labels):
                motivo = np.where(civic, civ_labels[rng.integers(0, len(civ_labels), n)], motivo)
        call_of = w.call_of_crime
        folio = np.array([w.calls.at[call_of[c], "folio"] if c >= 0 and c in call_of.index else "" for c in cid],
                         dtype=object)
        keys = _serials(self.kp + "SSC-DET-", n, 7)
        day = dt_["det_day"].to_numpy()
        show_birth = rng.random(n) < 0.5
        idc = np.where(cid >= 0, self.messy_key(self.carpeta_id[np.maximum(cid, 0)]), "")
        dlat, dlon = self.coords(w.pt_lat[cpt], w.pt_lon[cpt], 0.0008)
        df = pd.DataFrame({
            "id_detencion": keys, "fecha_detencion": self.dates(day, "dmy"),
            "hora_detencion": [f"{m // 60:02d}:{m % 60:02d}" for m in rng.integers(0, 1440, n)],
            "nombre": g, "apellido_paterno": a, "apellido_materno": b,
            "alias": np.where(rng.random(n) < 0.5, self.p["alias"].to_numpy()[pid], ""),
            "sexo": self.sex(pid, "word"), "edad": self.age(pid, day).astype(str),
            "fecha_nacimiento": np.where(show_birth, self.birth(pid, "dmy"), ""),
            "curp": self.curp(pid, 0.75), "domicilio": dom,
            "alcaldia_detencion": self.alc_name(self.pt_alc[cpt], accents=False), "colonia_detencion": self.pt_colonia[cpt],
            "cuadrante": self.cua_name[w.pt_ci[cpt]],
            "latitud": dlat, "longitud": dlon,
            "motivo": motivo, "folio_c5": folio, "id_carpeta": idc,
            "autoridad_disposicion": np.where(civic, "JUEZ CIVICO", "MINISTERIO PUBLICO"),
            "unidad_policial": [f"SECTOR {x}" for x in rng.integers(1, 75, n)],
        })
        self.write_csv("ssc_detenciones.csv", df[COLUMNS["ssc_detenciones"]])
        self.mention("ssc_detenciones", keys, "detainee", pid)
        dt_["key"] = keys

    def causas(self) -> None:
        w, rng = self.w, self.rng
        c = w.court.sort_values(["aud_day", "cid", "pid"], kind="stable").reset_index(drop=True)
        w.court = c
        n = len(c)
        pid, cid = c["pid"].to_numpy(), c["cid"].to_numpy()
        g, a, b = self.names(pid, accents=True, typo=0.02, swap=0.02, drop2=0.02, short=0.02)
        nombre = np.char.strip(np.char.add(np.char.add(a.astype(str), " "),
                                           np.char.add(np.char.add(b.astype(str), " "), g.astype(str)))).astype(object)
        nombre = np.array([" ".join(x.split()) for x in nombre], dtype=object)
        year = pd.to_datetime(w.dates(c["aud_day"].to_numpy())).year.to_numpy()
        seq = pd.Series(year).groupby(year).cumcount().to_numpy() + 1
        causa = np.array([f"{s}/{y}" for s, y in zip(seq, year, strict=False)], dtype=object)
        juz = np.array([f"JUZGADO {j} DE CONTROL DEL SISTEMA PROCESAL PENAL ACUSATORIO" for j in rng.integers(1, 60, n)],
                       dtype=object)
        keys = _serials(self.kp + "TSJ-", n, 7)
        pena = c["pena"].to_numpy()
        df = pd.DataFrame({
            "id_registro": keys, "causa_penal": causa, "juzgado": juz,
            "id_carpeta": self.messy_key(self.carpeta_id[cid]), "nombre_completo": nombre,
            "sexo": self.sex(pid, "HM"), "fecha_nacimiento": self.birth(pid, "dmy", 0.1),
            "delito": w.delito_names[w.crimes["delito"].to_numpy()[cid]],
            "fecha_audiencia_inicial": self.dates(c["aud_day"].to_numpy(), "dmy"),
            "vinculacion_proceso": np.where(c["vinculado"], "SI", "NO"), "medida_cautelar": c["medida"].to_numpy(),
            "fecha_resolucion": self.dates(c["res_day"].to_numpy(), "dmy"), "sentido": c["sentido"].to_numpy(),
            "pena_prision_meses": np.where(pena >= 0, pena.astype(str), ""),
        })
        self.write_csv("tsj_causas.csv", df[COLUMNS["tsj_causas"]])
        self.mention("tsj_causas", keys, "defendant", pid)
        c["key"], c["causa"], c["juzgado"] = keys, causa, juz

    def prision(self) -> None:
        w, rng = self.w, self.rng
        court = w.court.set_index(["cid", "pid"])
        pr = w.prison.sort_values(["in_day", "cid", "pid"], kind="stable").reset_index(drop=True)
        n = len(pr)
        pid, cid = pr["pid"].to_numpy(), pr["cid"].to_numpy()
        idx = [court.index.get_loc((c, p)) for c, p in zip(cid, pid, strict=False)]
        idx = [i if isinstance(i, (int, np.integer)) else int(np.flatnonzero(i)[0]) if not isinstance(i, slice) else i.start
               for i in idx]
        crow = w.court.iloc[idx]
        g, a, b = self.names(pid, accents=True, typo=0.02, nick=0.0, swap=0.01, drop2=0.02)
        sexm = self.p["sex"].to_numpy()[pid] == "M"
        centro = np.where(sexm, CENTRO_M, np.asarray(CENTROS_H, dtype=object)[rng.integers(0, len(CENTROS_H), n)])
        keys = _serials(self.kp + "ING-", n, 6)
        # negative days are "no date" only for admissions and releases; birth days are all before the start
        to_dt = lambda d: [None if x < 0 else pd.Timestamp(w.dates([x])[0]).to_pydatetime() for x in d]  # noqa: E731
        births = [pd.Timestamp(x).to_pydatetime() for x in w.dates(self.p["birth"].to_numpy()[pid])]
        rows = {
            "id_ingreso": keys, "expediente": [f"EXP-{x:06d}" for x in pid * 7 % 999983],
            "nombre": g, "apellido_paterno": a, "apellido_materno": b,
            "alias": np.where(rng.random(n) < 0.7, self.p["alias"].to_numpy()[pid], ""),
            "fecha_nacimiento": births, "sexo": self.sex(pid, "word"),
            "centro": centro, "dormitorio": [f"DORMITORIO {x}" for x in rng.integers(1, 11, n)],
            "fecha_ingreso": to_dt(pr["in_day"].to_numpy()), "fecha_egreso": to_dt(pr["out_day"].to_numpy()),
            "motivo_egreso": pr["motivo_egreso"].to_numpy(), "causa_penal": crow["causa"].to_numpy(),
            "juzgado": crow["juzgado"].to_numpy(), "delito": w.delito_names[w.crimes["delito"].to_numpy()[cid]],
            "situacion_juridica": pr["situacion"].to_numpy(),
        }
        self.write_xlsx("penitenciario.xlsx", COLUMNS["penitenciario"], rows, n)
        self.mention("penitenciario", keys, "inmate", pid)
        pr["key"], pr["tsj_key"], pr["causa"] = keys, crow["key"].to_numpy(), crow["causa"].to_numpy()
        w.prison = pr

    def write_xlsx(self, name: str, columns, rows: dict, n: int) -> None:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("ingresos")
        ws.append(columns)
        cols = [rows[c] for c in columns]
        for i in range(n):
            ws.append([(None if (v := col[i]) is None or v == "" else v.item() if hasattr(v, "item") else v)
                       for col in cols])
        buf = io.BytesIO()
        wb.save(buf)
        # byte-identical output: fixed zip timestamps and document dates
        src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
        path = self.out / name
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                data = src.read(info.filename)
                if info.filename == "docProps/core.xml":
                    data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2024-01-01T00:00:00Z", data)
                zi = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
                zi.compress_type = zipfile.ZIP_DEFLATED
                dst.writestr(zi, data)
        self.files[name] = n

    def cjm(self) -> None:
        w, rng = self.w, self.rng
        c = w.vaw_contacts[w.vaw_contacts["type"] == "cjm"].reset_index(drop=True)
        n = len(c)
        wid, agg = c["woman"].to_numpy(), c["aggressor"].to_numpy()
        g, a, b = self.names(wid, accents=True, typo=0.02, nick=0.05, swap=0.01, drop2=0.03)
        ag_g, ag_a, ag_b = self.names(agg, accents=True, typo=0.05, nick=0.15, drop2=0.3, short=0.3)
        named_agg = rng.random(n) < 0.7
        nombre_agr = np.where(named_agg, np.char.strip(np.char.add(np.char.add(ag_g.astype(str), " "), np.char.add(
            np.char.add(ag_a.astype(str), " "), ag_b.astype(str)))).astype(object), "")
        nombre_agr = np.array([" ".join(x.split()) for x in nombre_agr], dtype=object)
        dom, colo, alc = self.address(wid)
        sev = c["severity"].to_numpy()
        voc = labels("cjm_casos")["label"].tolist()
        tipos = []
        for s, i in zip(sev, range(n), strict=False):
            t = ["PSICOLOGICA"]
            if s > 0.2 or i % 3 == 0:
                t.append("FISICA")
            if s > 0.5 and i % 2 == 0:
                t.append("ECONOMICA")
            if s > 0.7 and i % 4 == 1:
                t.append("SEXUAL")
            if s > 0.85:
                t.append("FEMINICIDA")
            tipos.append("|".join(x for x in t if x in voc) or voc[0])
        # the carpeta of her history, when one was opened before this visit
        cr = w.crimes
        vf = cr[cr["vaw_woman"] >= 0]
        by_w = vf.index.to_series().groupby(vf["vaw_woman"].to_numpy())
        first_day = dict(zip(by_w.groups.keys(), vf["day"].groupby(vf["vaw_woman"].to_numpy()).min(), strict=True))
        first_cid = by_w.min().to_dict()
        idc = []
        for wi, d in zip(wid, c["day"].to_numpy(), strict=False):
            ok = wi in first_day and first_day[wi] <= d
            idc.append(self.messy_key([self.carpeta_id[first_cid[wi]]])[0] if ok else "")
        keys = _serials(self.kp + "CJM-", n, 6)
        u = rng.random(n)
        df = pd.DataFrame({
            "folio": keys, "sede": ["CJM " + (self.region.sede if self.region else CJM_SEDE.get(x, "CUAUHTEMOC")) for x in alc],
            "fecha_atencion": self.dates(c["day"].to_numpy(), "ts", minutes=rng.integers(540, 1140, n)),
            "nombre_usuaria": g, "apellidos_usuaria": np.array([" ".join(f"{x} {y}".split()) for x, y in zip(a, b, strict=False)],
                                                               dtype=object),
            "edad": self.age(wid, c["day"].to_numpy()).astype(str), "fecha_nacimiento": self.birth(wid, "iso", 0.3),
            "telefono": self.phone(wid, 0.15), "domicilio": dom, "colonia": colo, "alcaldia": self.alc_name(alc),
            "tipo_violencia": tipos, "modalidad": np.where(u < 0.8, "PAREJA", "FAMILIAR"),
            "nombre_agresor": nombre_agr,
            "relacion_agresor": np.select([u < 0.45, u < 0.75, u < 0.8], ["PAREJA", "EXPAREJA", "NOVIO"], "FAMILIAR"),
            "servicios": np.where(rng.random(n) < 0.5, "ASESORIA JURIDICA|PSICOLOGIA", "ASESORIA JURIDICA|PSICOLOGIA|TRABAJO SOCIAL"),
            "id_carpeta": idc, "medidas_proteccion": np.where(rng.random(n) < 0.35, "SI", "NO"),
        })
        path = "cjm_casos.csv"
        self.write_csv(path, df[COLUMNS["cjm_casos"]], encoding="utf-8-sig")
        self.mention("cjm_casos", keys, "cjm_user", wid)
        self.mention("cjm_casos", keys[named_agg], "aggressor", agg[named_agg])

    def lesiones(self) -> None:
        w, rng = self.w, self.rng
        e = w.er
        n = len(e)
        pid = e["pid"].to_numpy()
        kind = e["kind"].to_numpy()
        vaw = kind == "vaw"
        g, a, b = self.names(pid, accents=False, typo=0.05, nick=0.05, swap=0.03, drop2=0.08, short=0.15)
        dom, _, alc = self.address(pid, accents=False)
        hosp = rng.integers(0, len(HOSPITALES), n)
        sev = e["severity"].to_numpy()
        u = rng.random(n)
        code = e["code"].to_numpy()
        fire = code == "LESIONES_ARMA_FUEGO"
        agente = np.where(vaw, np.where(sev > 0.8, np.where(u < 0.5, "AHORCAMIENTO", "OBJETO PUNZOCORTANTE"), "GOLPE"),
                          np.where(kind == "assault", np.where(fire, "ARMA DE FUEGO", np.where(u < 0.4, "OBJETO PUNZOCORTANTE", "GOLPE")),
                                   np.where(kind == "sexual", "GOLPE", np.where(u < 0.6, "CAIDA", "OTRO"))))
        # (intencionalidad, tipo_violencia, cie10_causa_externa) chosen so that the taxonomy maps it to the code
        intenc = np.select([vaw, (kind == "assault") | (kind == "sexual"), code == "ACCIDENTE"],
                           ["VIOLENCIA FAMILIAR", "VIOLENCIA NO FAMILIAR", "ACCIDENTAL"], "SE IGNORA").astype(object)
        tipo = np.where(code == "ABUSO_SEXUAL", "SEXUAL", np.where(vaw | (kind == "assault"), "FISICA", "")).astype(object)
        causa = np.select([code == "ABUSO_SEXUAL", vaw, fire, agente == "OBJETO PUNZOCORTANTE", kind == "assault",
                           code == "ACCIDENTE"], ["Y05", "Y07.0", "X95", "X99", "Y04", "W19"], "Y34").astype(object)
        intenc, tipo, causa = _consistent_er(code, intenc, tipo, causa)
        destino = np.where(sev > 0.9, "HOSPITALIZACION", np.where(u < 0.05, "TRASLADO", "DOMICILIO"))
        fecha_at = e["day"].to_numpy() + (rng.random(n) < 0.1)
        keys = _serials(self.kp + "SSA-", n, 7)
        df = pd.DataFrame({
            "id_atencion": keys, "clues": [HOSPITALES[h][0] for h in hosp], "unidad_medica": [HOSPITALES[h][1] for h in hosp],
            "fecha_atencion": self.dates(fecha_at, "dmy"),
            "hora_atencion": [f"{m // 60:02d}:{m % 60:02d}" for m in rng.integers(0, 1440, n)],
            "nombre": g, "apellido_paterno": a, "apellido_materno": b, "sexo": self.sex(pid, "HM"),
            "edad": self.age(pid, e["day"].to_numpy()).astype(str), "domicilio": dom,
            "alcaldia_residencia": self.alc_name(alc, accents=False),
            "sitio_ocurrencia": np.where(vaw, "VIVIENDA", np.where(u < 0.5, "VIA PUBLICA", np.where(u < 0.8, "VIVIENDA", "TRABAJO"))),
            "fecha_evento": self.dates(e["day"].to_numpy(), "dmy"), "intencionalidad": intenc, "tipo_violencia": tipo,
            "agente_lesion": agente, "area_anatomica": np.asarray(["CABEZA", "CARA", "CUELLO", "TORAX", "ABDOMEN",
                                                                    "MIEMBROS SUPERIORES", "MIEMBROS INFERIORES"],
                                                                   dtype=object)[rng.integers(0, 7, n)],
            "consecuencia": np.where(agente == "AHORCAMIENTO", "ASFIXIA", np.where(u < 0.5, "CONTUSION", "HERIDA")),
            "cie10": np.asarray(CIE10_INJ, dtype=object)[rng.integers(0, len(CIE10_INJ), n)],
            "cie10_causa_externa": causa,
            "relacion_agresor": np.where(vaw, np.where(u < 0.7, "PAREJA", "EXPAREJA"),
                                         np.where((kind == "assault") | (kind == "sexual"), "DESCONOCIDO", "")),
            "sexo_agresor": np.where(vaw | (kind == "assault") | (kind == "sexual"), "H", ""),
            "aviso_ministerio_publico": np.where(vaw | (kind == "assault") | (kind == "sexual"),
                                                 np.where(u < 0.6, "SI", "NO"), "NO"),
            "destino": destino,
        })
        self.write_csv("ssa_lesiones.csv", df[COLUMNS["ssa_lesiones"]])
        self.mention("ssa_lesiones", keys, "patient", pid)
        self.er_codes = pd.DataFrame({"source_key": keys, "code": code})

    def _rfc(self, pids) -> np.ndarray:
        c = self.p["curp"].to_numpy()[pids]
        biz = self.p["business"].to_numpy()[pids]
        out = []
        for i, (cu, bz) in enumerate(zip(c, biz, strict=False)):
            hc = "".join("ABCDEFGHJKLMNPRSTUVWXYZ0123456789"[(pids[i] * k) % 33] for k in (7, 11, 13))
            out.append(cu[:10] + hc if cu else (bz[:3].replace(" ", "X") + "200101" + hc if bz else ""))
        return np.asarray(out, dtype=object)

    def uif(self) -> None:
        w, rng = self.w, self.rng
        u_ = w.uif
        n = len(u_)
        h = u_["holder"].to_numpy()
        c = u_["counterparty"].to_numpy()
        hc = np.maximum(c, 0)
        g, a, b = self.names(h, accents=False, typo=0.01, swap=0.0, drop2=0.01, short=0.0)
        cg, ca, cb = self.names(hc, accents=False, typo=0.03, drop2=0.05, short=0.2)
        join = lambda *x: np.array([" ".join(" ".join(t).split()) for t in zip(*x, strict=False)], dtype=object)  # noqa: E731
        keys = _serials(self.kp + "UIF-", n, 7)
        uu = rng.random(n)
        df = pd.DataFrame({
            "id_reporte": keys, "fecha_reporte": self.dates(u_["day"].to_numpy()),
            "tipo": np.select([uu < 0.6, uu < 0.95], ["INUSUAL", "RELEVANTE"], "INTERNA PREOCUPANTE"),
            "institucion": np.asarray(INSTITUCIONES, dtype=object)[rng.integers(0, len(INSTITUCIONES), n)],
            "titular_nombre": join(g, a, b), "titular_rfc": self._rfc(h), "titular_curp": self.curp(h, 0.2),
            "contraparte_nombre": np.where(c >= 0, join(cg, ca, cb), ""),
            "contraparte_rfc": np.where(c >= 0, np.where(rng.random(n) < 0.6, self._rfc(hc), ""), ""),
            "monto_mxn": np.round(rng.lognormal(11.5, 1.2, n), 2),
            "instrumento": np.asarray(["EFECTIVO", "TRANSFERENCIA", "CHEQUE", "TARJETA"], dtype=object)[rng.integers(0, 4, n)],
            "descripcion": np.where(u_["group_id"].to_numpy() >= 0, "DEPOSITOS FRACCIONADOS EN EFECTIVO SIN ACTIVIDAD ECONOMICA APARENTE",
                                    "OPERACION POR ARRIBA DEL UMBRAL"),
        })
        self.write_csv("uif_reportes.csv", df[COLUMNS["uif_reportes"]])
        self.mention("uif_reportes", keys, "account_holder", h)
        self.mention("uif_reportes", keys[c >= 0], "counterparty", c[c >= 0])

    def comisiones(self) -> None:
        w, rng = self.w, self.rng
        cm = w.commissions
        n = len(cm)
        pt = cm["point"].to_numpy()
        voc = labels("comisiones_seguridad")["label"].tolist()
        temas, descs, grupos, aliases, mkeys, mpids = [], [], [], [], [], []
        keys = _serials(self.kp + "COM-", n, 6)
        alias_of = self.p["alias"].to_numpy()
        for i, (g, named) in enumerate(zip(cm["group_id"], cm["named"], strict=False)):
            if g >= 0:
                tema = voc[int(rng.integers(0, min(3, len(voc))))]
                al = [alias_of[p] for p in named if alias_of[p]]
                street = self.pt_streetname[pt[i]]
                descs.append(f"VECINOS REPORTAN QUE {' Y '.join(al)} SE REUNEN EN LA CALLE {street}; {tema}".strip())
                grupos.append(f"LOS DE {street}" if i % 2 else f"BANDA DE {self.pt_colonia[pt[i]]}")
                aliases.append("|".join(al))
                for p in named:
                    if alias_of[p]:
                        mkeys.append(keys[i])
                        mpids.append(p)
            else:
                tema = voc[int(rng.integers(0, len(voc)))]
                descs.append(f"SE SOLICITA MAYOR PRESENCIA POLICIAL POR {tema}")
                grupos.append("")
                aliases.append("")
            temas.append(tema)
        df = pd.DataFrame({
            "id_registro": keys, "fecha_sesion": self.dates(cm["day"].to_numpy(), "dmy"),
            "alcaldia": self.alc_name(self.pt_alc[pt], accents=False), "colonia": self.pt_colonia[pt],
            "cuadrante": self.cua_name[w.pt_ci[pt]], "tema": temas, "descripcion": descs, "grupo_mencionado": grupos,
            "alias_mencionados": aliases, "lugar": self.pt_streetname[pt],
            "latitud": np.round(w.pt_lat[pt], 5) + self._nan, "longitud": np.round(w.pt_lon[pt], 5) + self._nan,
        })
        self.write_csv("comisiones_seguridad.csv", df[COLUMNS["comisiones_seguridad"]])
        self.mention("comisiones_seguridad", np.asarray(mkeys, dtype=object), "mentioned", np.asarray(mpids, dtype=np.int64))

    def comunicaciones(self) -> None:
        w, rng = self.w, self.rng
        q = w.comms
        n = len(q)
        minute = q["minute"].to_numpy()
        ts = self.dates(minute // 1440, "ts", minutes=minute % 1440)
        tipo = np.where(rng.random(n) < 0.6, "LLAMADA", "MENSAJE")
        dur = np.where(tipo == "LLAMADA", rng.integers(5, 900, n), 0)
        path = self.out / "comunicaciones.jsonl"
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            for i in range(n):
                fh.write(json.dumps({
                    "id_registro": f"{self.kp}COMM-{i + 1:08d}", "orden_judicial": f"OJ-{int(q['group_id'].iat[i]) + 1:04d}/{self.w.start.year}",
                    "fecha_hora": ts[i], "numero_origen": str(q["a"].iat[i]), "numero_destino": str(q["b"].iat[i]),
                    "tipo": tipo[i], "duracion_segundos": int(dur[i])}, ensure_ascii=False) + "\n")
        self.files["comunicaciones.jsonl"] = n

    # -- truth ---------------------------------------------------------------------------------
    def truth(self) -> dict:
        w = self.w
        t = self.out / "truth"
        t.mkdir(parents=True, exist_ok=True)
        p = self.p
        plain = lambda s: pd.Series(s, dtype=object).str.translate(_ACCENTS).to_numpy(dtype=object)  # noqa: E731
        dom, colo, alc = self.address(np.arange(len(p)), accents=False)
        persons = pd.DataFrame({
            "true_person_id": np.arange(len(p)) + self.pid_offset,
            "given_names": np.where(p["is_legal"], plain(p["business"].to_numpy()), plain(p["given"].to_numpy())),
            "surname_1": np.where(p["is_legal"], "", plain(p["s1"].to_numpy())),
            "surname_2": np.where(p["is_legal"], "", plain(p["s2"].to_numpy())),
            "sex": np.where(p["is_legal"], "", p["sex"].to_numpy()),
            "birth_date": np.where(p["is_legal"], "", pd.to_datetime(p["birth_date"]).dt.strftime("%Y-%m-%d").to_numpy()),
            "curp": p["curp"].to_numpy(), "phone": p["phone"].astype(str).to_numpy(),
            "address": dom + ", " + colo + ", " + self.alc_name(alc, accents=False),
            "is_offender": p["is_offender"].astype(int).to_numpy(), "offender_rate": np.round(p["rate"].to_numpy(), 4),
            "group_id": p["group_id"].to_numpy(), "is_legal_person": p["is_legal"].astype(int).to_numpy(),
        })
        self._truth_csv("persons.csv", persons)
        m = w.members
        self._truth_csv("groups.csv", pd.DataFrame({"group_id": m["group_id"], "true_person_id": m["pid"] + self.pid_offset,
                                                    "role": m["role"], "joined": self.dates(m["joined"].to_numpy())}))
        # targets: one per target id; its events are the victim records of its crimes
        tg = w.targets.sort_values(["target", "cid"], kind="stable")
        first = tg.drop_duplicates("target")
        cr = w.crimes
        kind = first["kind"].to_numpy()
        pid = first["victim"].to_numpy()
        tdom, _, _ = self.address(pid, accents=False)
        self._truth_csv("targets.csv", pd.DataFrame({
            "target_id": first["target"].to_numpy(), "kind": kind, "true_person_id": pid + self.pid_offset,
            "address": np.where(kind == "person", "", tdom),
            "lat": np.round(cr["lat"].to_numpy()[first["cid"].to_numpy()], 6),
            "lon": np.round(cr["lon"].to_numpy()[first["cid"].to_numpy()], 6)}))
        vk = self.victim_keys
        prim = vk.drop_duplicates("cid")
        te = tg.merge(prim.rename(columns={"pid": "vpid"}), on="cid", how="left")
        self._truth_csv("target_events.csv", pd.DataFrame({
            "target_id": te["target"], "source": "fgj_victimas", "source_key": te["key"],
            "carpeta_id": self.carpeta_id[te["cid"].to_numpy()], "day": self.dates(cr["day"].to_numpy()[te["cid"].to_numpy()])}))
        # near repeat
        nr = np.flatnonzero(cr["near_origin"].to_numpy() >= 0)
        self._truth_csv("near_repeat.csv", pd.DataFrame({
            "source_key": self.carpeta_id[nr], "origin_source_key": self.carpeta_id[cr["near_origin"].to_numpy()[nr]]}))
        # offences (truth of who committed what)
        off = pd.DataFrame(w.offence_rows, columns=["cid", "pid"]).drop_duplicates().sort_values(["cid", "pid"])
        self._truth_csv("offences.csv", pd.DataFrame({"source": "fgj_carpetas", "source_key": self.carpeta_id[off["cid"].to_numpy()],
                                                      "true_person_id": off["pid"].to_numpy() + self.pid_offset,
                                                      "day": self.dates(cr["day"].to_numpy()[off["cid"].to_numpy()])}))
        # the code each ER record is meant to map to (taxonomy.map_label of intencionalidad|tipo|cie10)
        self._truth_csv("er_codes.csv", self.er_codes)
        # chains
        self._truth_csv("chains.csv", self._chains())
        vw = w.vaw_women
        self._truth_csv("vaw.csv", pd.DataFrame({
            "true_person_id": vw["woman"] + self.pid_offset, "aggressor_person_id": vw["aggressor"] + self.pid_offset,
            "escalating": vw["escalating"].map({True: "true", False: "false"}),
            "femicide_date": self.dates(vw["femicide_day"].to_numpy()),
            "attempted": vw["attempted"].map({True: "true", False: "false"})}))
        men = pd.concat(self.mentions, ignore_index=True)
        self._truth_csv("person_mentions.csv", men)
        return {"persons": len(persons), "offenders": int(persons["is_offender"].sum()), "groups": int(m["group_id"].nunique()),
                "targets": len(first), "near_repeats": len(nr), "vaw_women": len(vw),
                "femicides": int((vw["femicide_day"] >= 0).sum()), "attempted_femicides": int(vw["attempted"].sum()),
                "person_mentions": len(men), "offences": len(off)}

    def _chains(self) -> pd.DataFrame:
        w = self.w
        cr = w.crimes
        ac = w.accused[["cid", "pid", "key"]].rename(columns={"key": "imputado_id"})
        det = w.detentions[w.detentions["cid"] >= 0][["cid", "pid", "key"]].rename(columns={"key": "detention_id"})
        court = w.court[["cid", "pid", "key", "causa"]].rename(columns={"key": "tsj_id_registro", "causa": "causa_penal"})
        pr = w.prison[["cid", "pid", "key"]].rename(columns={"key": "ingreso_id"})
        ch = ac.merge(det.drop_duplicates(["cid", "pid"]), on=["cid", "pid"], how="left")
        ch = ch.merge(court.drop_duplicates(["cid", "pid"]), on=["cid", "pid"], how="left")
        ch = ch.merge(pr.drop_duplicates(["cid", "pid"]), on=["cid", "pid"], how="left")
        called = w.call_of_crime
        only_call = np.setdiff1d(called.index.to_numpy(), ac["cid"].to_numpy())
        ch = pd.concat([ch, pd.DataFrame({"cid": only_call, "pid": -1})], ignore_index=True).sort_values(["cid", "pid"])
        folio = w.calls["folio"].to_numpy()
        cidx = ch["cid"].to_numpy()
        ch["call_folio"] = [folio[called[c]] if c in called.index else "" for c in cidx]
        ch["carpeta_id"] = self.carpeta_id[cidx]
        ch["chain_id"] = np.arange(1, len(ch) + 1)
        del cr
        return ch[["chain_id", "call_folio", "carpeta_id", "detention_id", "imputado_id", "causa_penal",
                   "tsj_id_registro", "ingreso_id"]].fillna("")

    def _truth_csv(self, name: str, df: pd.DataFrame) -> None:
        self.write_csv(f"truth/{name}", df)


def _consistent_er(code, intenc, tipo, causa):
    """Check each distinct ER triple against ``taxonomy.map_label('ssa_lesiones', ...)``; a triple that maps
    elsewhere than its intended code is replaced by the first rule of labels_ssa_lesiones.csv for that code
    whose example maps to it (so the generator follows the taxonomy when its rules change)."""
    from .. import taxonomy

    voc = labels("ssa_lesiones")
    trip = pd.DataFrame({"code": code, "i": intenc, "t": tipo, "c": causa})
    for (c, i, t, k), idx in trip.groupby(["code", "i", "t", "c"], sort=True).indices.items():
        if taxonomy.map_label("ssa_lesiones", f"{i}|{t}|{k}") == c:
            continue
        concrete = [x for x in dict.fromkeys(voc["label"]) if x != "*"]
        cands = [(lab, "" if r.tipo_violencia == "*" else r.tipo_violencia, r.example_cie10_causa_externa)
                 for r in voc[voc["code"] == c].itertuples()
                 for lab in ([i] + concrete if r.label == "*" else [r.label])]
        for cand in cands:
            if taxonomy.map_label("ssa_lesiones", "|".join(cand)) == c:
                intenc[idx], tipo[idx], causa[idx] = cand
                break
        else:
            raise ValueError(f"no ER label of the taxonomy maps to {c}")
    return intenc, tipo, causa


def _typo(s: str, k: int) -> str:
    if len(s) < 4:
        return s
    i = 1 + k % (len(s) - 2)
    v = k % 3
    if v == 0:
        return s[:i] + s[i + 1:]
    if v == 1:
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    return s[:i] + s[i] + s[i:]
