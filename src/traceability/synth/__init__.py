"""The synthetic city: a simulated Mexico City that emits every agency's extracts and plants the truth.

``generate_city(out, scale, years, start, seed)`` runs ``world.World`` (the truth) and ``emit.Emitter``
(the agencies' files and ``out/truth/``). The city model it needs ships in ``synth/data/`` (rebuilt from
``shared/`` by ``python -m traceability.synth.citymodel``); CURP helpers live in ``synth/curp.py``.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from .curp import curp_check_digit, is_valid_curp

__all__ = ["generate_city", "curp_check_digit", "is_valid_curp"]


def generate_city(out: Path, scale: float = 1.0, years: int = 1, start: date = date(2023, 1, 1), seed: int = 7,
                  progress=None, states=None) -> dict:
    """Simulate the city and write every agency's extract plus ``truth/`` into ``out``.

    With ``scale`` above 1, a national run (``synth/states.py``): Mexico City at scale 1.0 in ``out`` and the
    other states (all, or those in ``states``) in ``out/states/<code>/``, listed in ``out/states/states.csv``.

    Returns ``{"files": {relative name: rows}, "truth": {...counts}, "scale", "years", "start", "seed"}``
    (national runs add ``"states"``: one summary per other state).
    """
    out = Path(out)
    if out.exists():
        for sub in ("c5_911", "fgj_carpetas", "truth", "states"):
            shutil.rmtree(out / sub, ignore_errors=True)
    if scale <= 1:
        return _generate_one(out, scale, years, start, seed, progress)
    import pandas as pd

    from . import states as st
    from .model import city

    alloc = st.allocate(scale, states)
    summary = _generate_one(out, alloc.pop(st.CDMX), years, start, seed, progress)
    rows, summary["states"] = [], {}
    for code, sc in sorted(alloc.items()):
        reg = st.region(code, city())
        s = _generate_one(out / "states" / code, sc, years, start, [seed, int(code)], progress, region=reg)
        summary["states"][code] = s
        rows.append({"state": code, "state_name": reg.state_name, "scale": sc, "seed": f"{seed}-{code}",
                     "municipios": len(set(reg.pt_mun)), "carpetas": s["truth"]["carpetas"],
                     "calls_911": s["truth"]["calls_911"], "persons": s["truth"]["persons"]})
    pd.DataFrame(rows, columns=["state", "state_name", "scale", "seed", "municipios", "carpetas", "calls_911",
                                "persons"]).to_csv(out / "states" / "states.csv", index=False, lineterminator="\n")
    summary["scale"] = scale
    return summary


def _generate_one(out: Path, scale: float, years: int, start: date, seed, progress=None, region=None) -> dict:
    from .emit import Emitter
    from .world import World

    out.mkdir(parents=True, exist_ok=True)
    world = World(scale=scale, years=years, start=start, seed=seed, progress=progress).run()
    em = Emitter(world, out, region=region)
    steps = [em.carpetas, em.victimas, em.imputados, em.c5, em.detenciones, em.causas, em.prision, em.cjm,
             em.lesiones, em.uif, em.comisiones, em.comunicaciones]
    for step in steps:
        step()
        if progress:
            progress(n=1, total=world.n_steps + len(steps), description=f"writing {step.__name__}")
    truth = em.truth()
    files = {k: em.files[k] for k in sorted(em.files) if not k.startswith("truth/")}
    truth_files = {k: em.files[k] for k in sorted(em.files) if k.startswith("truth/")}
    truth["carpetas"] = len(world.crimes)
    truth["calls_911"] = len(world.calls)
    return {"files": files, "truth_files": truth_files, "truth": truth, "scale": scale, "years": years,
            "start": start.isoformat(), "seed": seed}
