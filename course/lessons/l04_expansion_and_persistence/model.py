"""A CONCEPTUAL model of CAR-T cell kinetics for lesson 04 (numpy only; not patient data).

Five quantities, in arbitrary "model units", change day by day after one infusion:

* ``effector``: CAR-T cells that multiply while they meet their target antigen, and kill;
* ``memory``: long-lived CAR-T cells that effector cells turn into; they persist;
* ``tumour``: cancer cells carrying the target antigen;
* ``b_cells``: normal CD19+ B cells (CD19 is on normal B cells too), made steadily by the marrow;
* ``cytokine``: a proxy for the inflammatory signal that drives cytokine release syndrome, made whenever
  CAR-T cells are ACTIVATED by a cell carrying their target: a tumour cell or a normal B cell.

The equations are simple mass-action rules chosen to show the TEACHING POINTS, not to predict a
patient, and never the opposite of the clinic: antigen drives expansion, so a larger tumour burden gives a
larger expansion and a larger, EARLIER cytokine proxy (in patients high burden goes with earlier and more
severe CRS, ``awasthi2020-kinetics``); a higher dose gives a higher peak (dose-response in KarMMa,
``munshi2021-karmma``; none within JULIET's narrow dose band, ``awasthi2020-kinetics``); the drive to
divide comes partly from the lymphodepletion cytokines, needs no antigen, and fades over days after
infusion (so the expansion is finite); the CAR-T peak comes in the first one to two weeks (the Yescarta label reports peak levels
within the first 7 to 14 days, ``yescarta-label``); in the model most effector cells die once antigen is
cleared (in patients a fall in CAR-T numbers does not by itself show the cancer is gone); a small
memory pool persists for months to years (more than ten years in some patients,
``melenhorst2022-decade``); while CD19 CAR-T cells persist, normal B cells stay absent (B-cell
aplasia, ``wat2022-hypogamma``; higher transgene levels go with lower B-cell counts,
``awasthi2020-kinetics``).

The cytokine proxy follows CAR-T ACTIVATION: target cells engaged per day, tumour cells and normal B cells
alike (a normal B cell counts ``b_activation`` of a tumour cell, a made-up weight that lets the tumour
dominate when there is much of it). In patients CRS comes from CAR-T activation and the myeloid cells it
switches on (IL-6, IL-1), not from tumour killing as such (``shimabukuro2018-crs``), and activation on normal
CD19+ B cells is on-target, off-tumour (``wat2022-hypogamma``). So the proxy is NOT a measure of how well the
cells work against the cancer: with no tumour at all (``simulate(tumour_start=0)``) it still rises, a little,
while the cells remove normal B cells; in patients no CRS is not failure and CRS severity does not predict
response (TRANSCEND NHL 001: CRS in 42%, responses in 73%, ``abramson2020-transcend``). It peaks in the
first days, before the CAR-T peak, as CRS does in patients (median onset 1 to 7 days by product).

What the model cannot show: it clears its tumour in every run. In patients many do not respond or relapse
(ZUMA-1: 42.6% alive at five years, ``neelapu2023-zuma1-5y``), and a high tumour burden goes with a worse
durable response as well as more CRS (``locke2020-tumour-burden``); the lesson says so in its text.

Every parameter value below is MADE UP but plausible in shape. The costimulatory switch encodes a
common teaching idea (CD28: faster, bigger expansion; 4-1BB: slower expansion, longer persistence;
``cappell2021-cd28-41bb``) as an ASSUMPTION of the model, not as an established rule. With CD28 normal B
cells come back in the model after about a year and a half; in patients after axi-cel (CD28) it varies
widely (40% had B cells at one year in one centre, ``baird2021-immune``; all evaluable by three years in
ZUMA-1, ``neelapu2023-zuma1-5y``), and with 4-1BB products it varies too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

COSTIM = ("CD28", "4-1BB")
DOSE_RANGE = (0.25, 4.0)  # relative to the default dose
BURDEN_RANGE = (0.1, 10.0)  # relative to the default tumour burden
DAYS = 730.0  # two years


@dataclass(frozen=True)
class Params:
    """Made-up parameters (per day, model units). Change them only through ``for_inputs``."""

    expansion_rate: float = 2.6  # maximal growth of effector cells per day, early on and with plentiful antigen
    antigen_half: float = 30.0  # antigen level giving half the antigen-driven part of the drive
    effector_death: float = 0.25  # effector cells die within days once antigen is gone
    to_memory: float = 0.008  # share of effector cells becoming memory cells each day
    memory_death: float = 0.003  # memory cells wane slowly (half-life of months to years)
    memory_recall: float = 0.05  # memory cells re-expand a little when they meet antigen
    kill_max: float = 1.5  # most tumour that CAR-T cells can kill, per day (fraction)
    kill_half: float = 30.0  # CAR-T level giving half that killing
    tumour_growth: float = 0.04  # tumour growth per day without CAR-T cells
    b_production: float = 2.0  # new normal B cells per day from the marrow
    b_death: float = 0.02  # normal B-cell turnover per day (steady state 100 units)
    b_kill_max: float = 0.5  # most normal B cells CAR-T cells can remove, per day (fraction)
    b_kill_half: float = 5.0  # CAR-T level giving half that removal
    b_weight: float = 0.005  # how much normal B cells count as antigen for expansion
    cytokine_rate: float = 0.025  # cytokine proxy per target cell engaged (default peak about 1)
    b_activation: float = 0.15  # a normal B cell engaged counts this much, against 1 for a tumour cell
    cytokine_clearance: float = 0.8  # cytokine proxy cleared per day
    effector_cap: float = 1.0e6  # crowding: expansion slows as effector cells approach this level
    homeostatic: float = 0.7  # share of the drive to divide that needs no antigen (lymphodepletion cytokines)
    burst_days: float = 5.0  # the drive to divide fades over about this many days after infusion


@dataclass(frozen=True)
class Inputs:
    """What the learner changes: relative dose, relative tumour burden, costimulatory domain."""

    dose: float = 1.0
    burden: float = 1.0
    costim: str = "4-1BB"

    def __post_init__(self) -> None:
        if not DOSE_RANGE[0] <= self.dose <= DOSE_RANGE[1]:
            raise ValueError(f"dose must be between {DOSE_RANGE[0]} and {DOSE_RANGE[1]} (relative), not {self.dose}")
        if not BURDEN_RANGE[0] <= self.burden <= BURDEN_RANGE[1]:
            raise ValueError(
                f"burden must be between {BURDEN_RANGE[0]} and {BURDEN_RANGE[1]} (relative), not {self.burden}"
            )
        if self.costim not in COSTIM:
            raise ValueError(f"costim must be one of {COSTIM}, not {self.costim!r}")


def for_inputs(inputs: Inputs) -> Params:
    """The parameter set for a costimulatory domain (the model's assumption, see the module text)."""
    base = Params()
    if inputs.costim == "CD28":
        return replace(base, expansion_rate=3.6, burst_days=3.5, to_memory=0.004, memory_death=0.010)
    return base


@dataclass(frozen=True)
class Result:
    """Daily values (arrays over ``days``) and the summary numbers the lesson talks about."""

    inputs: Inputs
    days: np.ndarray
    effector: np.ndarray
    memory: np.ndarray
    tumour: np.ndarray
    b_cells: np.ndarray
    cytokine: np.ndarray

    @property
    def car_t(self) -> np.ndarray:
        """All CAR-T cells (effector plus memory), what a blood test for the CAR transgene would see."""
        return self.effector + self.memory

    @property
    def peak_day(self) -> float:
        return float(self.days[int(np.argmax(self.car_t))])

    @property
    def peak_level(self) -> float:
        return float(self.car_t.max())

    @property
    def cytokine_peak(self) -> float:
        return float(self.cytokine.max())

    @property
    def cytokine_peak_day(self) -> float:
        return float(self.days[int(np.argmax(self.cytokine))])

    def level_on(self, day: float) -> float:
        """CAR-T level on a given day (nearest stored time point)."""
        return float(self.car_t[int(np.argmin(np.abs(self.days - day)))])

    def b_cells_on(self, day: float) -> float:
        return float(self.b_cells[int(np.argmin(np.abs(self.days - day)))])

    @property
    def b_recovery_day(self) -> float | None:
        """First day after day 30 when normal B cells are back above half their starting level, if ever."""
        start = self.b_cells[0]
        late = np.nonzero((self.days > 30) & (self.b_cells >= 0.5 * start))[0]
        return float(self.days[late[0]]) if late.size else None


def _rates(
    state: tuple[float, float, float, float, float], p: Params, t: float
) -> tuple[float, float, float, float, float]:
    effector, memory, tumour, b_cells, cytokine = state
    antigen = tumour + p.b_weight * b_cells
    drive = antigen / (antigen + p.antigen_half)
    crowding = max(0.0, 1.0 - effector / p.effector_cap)
    car_t = effector + memory
    burst = np.exp(-t / p.burst_days)  # infused cells can divide only so many times: expansion wanes
    killing = p.kill_max * car_t / (car_t + p.kill_half) * tumour  # tumour cells killed per day
    b_removal = p.b_kill_max * car_t / (car_t + p.b_kill_half) * b_cells  # normal B cells removed per day
    activation = killing + p.b_activation * b_removal  # CAR-T cells meeting ANY cell with their target
    d_effector = (
        p.expansion_rate * (p.homeostatic + (1.0 - p.homeostatic) * drive) * burst * crowding * effector
        + p.memory_recall * drive * memory
        - p.effector_death * (1.0 - drive) * effector
        - p.to_memory * effector
    )
    d_memory = p.to_memory * effector - p.memory_death * memory
    d_tumour = p.tumour_growth * tumour - killing
    d_b = p.b_production - p.b_death * b_cells - b_removal
    d_cytokine = p.cytokine_rate * activation - p.cytokine_clearance * cytokine
    return d_effector, d_memory, d_tumour, d_b, d_cytokine


def _rk4_step(state: tuple[float, ...], t: float, h: float, p: Params) -> tuple[float, ...]:
    k1 = _rates(state, p, t)
    k2 = _rates(tuple(s + h / 2 * k for s, k in zip(state, k1, strict=True)), p, t + h / 2)
    k3 = _rates(tuple(s + h / 2 * k for s, k in zip(state, k2, strict=True)), p, t + h / 2)
    k4 = _rates(tuple(s + h * k for s, k in zip(state, k3, strict=True)), p, t + h)
    new = [max(0.0, s + h / 6 * (a + 2 * b + 2 * c + d)) for s, a, b, c, d in zip(state, k1, k2, k3, k4, strict=True)]
    if new[2] < 0.01:  # below this the tumour counts as gone
        new[2] = 0.0
    return tuple(new)


def simulate(inputs: Inputs | None = None, days: float = DAYS, *, tumour_start: float | None = None) -> Result:
    """Integrate the model from infusion (day 0) with a fixed-step RK4; about 0.05 s on a laptop.

    Steps of 0.05 day for the first 60 days (fast expansion), then 0.5 day. Values are floored at
    zero (a population cannot be negative) and the tumour is declared gone below 0.01 units.
    ``tumour_start`` replaces the starting tumour (100 units times the burden), for example 0 to ask what
    the model does in a patient with no measurable disease left (bridging therapy worked): the cells still
    meet normal B cells, so they still expand a little and still give a cytokine signal.
    """
    inputs = inputs or Inputs()
    p = for_inputs(inputs)
    tumour = 100.0 * inputs.burden if tumour_start is None else tumour_start
    if tumour < 0:
        raise ValueError(f"tumour_start cannot be negative, not {tumour}")
    state = (1.0 * inputs.dose, 0.0, tumour, p.b_production / p.b_death, 0.0)
    fine_days = min(60.0, days)
    plan = [(0.05, round(fine_days / 0.05), 1), (0.5, round((days - fine_days) / 0.5), 2)]
    times, values, t = [0.0], [state], 0.0
    for h, steps, keep_every in plan:  # fine steps while cells expand fast, then coarse ones
        for n in range(1, steps + 1):
            state = _rk4_step(state, t + (n - 1) * h, h, p)
            if n % keep_every == 0:  # every fine step; one point a day later on
                times.append(t + n * h)
                values.append(state)
        t += steps * h
    arr = np.array(values)
    return Result(inputs, np.array(times), arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3], arr[:, 4])


def cached(inputs: Inputs | None = None) -> Result:
    """``simulate`` with memory: figures, alt text and summaries of the same inputs share one run.

    The arrays of a cached result are read-only, so no caller can change another's copy.
    """
    return _cached(inputs or Inputs())


@lru_cache(maxsize=32)
def _cached(inputs: Inputs) -> Result:
    result = simulate(inputs)
    for values in (result.days, result.effector, result.memory, result.tumour, result.b_cells, result.cytokine):
        values.flags.writeable = False
    return result
