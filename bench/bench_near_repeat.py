"""Near repeat (Knox test): the city's real burglaries 2019–2024 and 100,000 synthetic events, 99 permutations.

Real: FGJ carpetas open data (../shared/data/fgj/carpetas_puntos_2019_2024.csv.gz), delito labels starting with
"ROBO A CASA HABITACION" (about 24,000 events), bands 0–400 m × 0–28 days by 100 m / 7 days. The Near Repeat
Calculator needed about 8 minutes for 12,000 events (issue 7).

Synthetic: 100,000 events over a 30 × 30 km city and six years (uniform background, 30 % of them near repeats
of an earlier event within 200 m and 1–14 days), same bands.
"""

from __future__ import annotations

import numpy as np

from bench.measure import measured

BANDS = {"distance_bands": [0, 100, 200, 300, 400], "time_bands": [0, 7, 14, 21, 28], "permutations": 99,
         "seed": 7}


def synthetic(n: int = 100_000, seed: int = 1):
    rng = np.random.default_rng(seed)
    n0 = int(n / 1.3)
    x, y, t = rng.uniform(0, 30_000, n0), rng.uniform(0, 30_000, n0), rng.integers(0, 6 * 365, n0)
    k = n - n0
    src = rng.integers(0, n0, k)
    r, a = rng.uniform(0, 200, k), rng.uniform(0, 2 * np.pi, k)
    return (np.concatenate([x, x[src] + r * np.cos(a)]), np.concatenate([y, y[src] + r * np.sin(a)]),
            np.concatenate([t, t[src] + rng.integers(1, 15, k)]).astype(float))


def run(results: list) -> None:
    from traceability.analysis.near_repeat import KnoxTest, read_fgj_points
    from traceability.config import shared_dir

    sd = shared_dir()
    path = sd / "data" / "fgj" / "carpetas_puntos_2019_2024.csv.gz" if sd else None
    if path is not None and path.exists():
        ev = read_fgj_points(path)
        with measured(results, "near_repeat.knox real burglaries", engine="numpy", scale="2019-2024") as rec:
            k = KnoxTest.from_frame(ev, **BANDS)
            rec["rows"] = k.n
            rec["pairs"] = k.pairs
            rec["note"] = (f"{k.pairs:,} pairs within 400 m; [0,100) m x [0,7) d ratio "
                           f"{k.knox_ratio[0, 0]:.2f} p={k.p_value[0, 0]:.2f}")
    else:
        results.append({"stage": "near_repeat.knox real burglaries", "note": "skipped: shared data not found"})
    x, y, t = synthetic()
    with measured(results, "near_repeat.knox synthetic 100k", engine="numpy", scale="100k") as rec:
        k = KnoxTest(x, y, t, **BANDS)
        rec["rows"] = k.n
        rec["pairs"] = k.pairs
        rec["note"] = f"{k.pairs:,} pairs within 400 m; [0,100) m x [0,7) d ratio {k.knox_ratio[0, 0]:.2f}"
