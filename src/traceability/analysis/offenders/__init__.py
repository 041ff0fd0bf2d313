"""Repeat offenders: histories, concentration, RFG ranking, fairness, hidden offenders, reoffending.

Public surface::

    from traceability.analysis.offenders import (
        OffenderHistories, Concentration, RFGRanking, FairnessCheck, HiddenPopulation,
        Reoffending, RepeatOffenders)

`materialize(wh)` lives in `offenders.report` (found there by `analysis.materialize.materialize_all`).

`RepeatOffenders.from_warehouse(wh, ...)` computes everything the CLI, the API and the page show;
each part is also usable on its own. See DESIGN.md §6 (Repeat offenders).
"""

from __future__ import annotations

from .concentration import Concentration, concentration_by
from .fairness import FairnessCheck
from .hidden import HiddenPopulation, chao, zelterman
from .histories import BASES, OffenderHistories
from .ranking import RFGRanking, load_weights
from .reoffending import Incapacitation, Reoffending
from .report import RepeatOffenders

__all__ = [
    "BASES", "Concentration", "FairnessCheck", "HiddenPopulation", "Incapacitation", "OffenderHistories",
    "RFGRanking", "RepeatOffenders", "Reoffending", "chao", "concentration_by", "load_weights",
    "zelterman",
]
