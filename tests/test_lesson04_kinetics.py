"""Lesson 04 model: the conceptual kinetics behave as the lesson says, stay finite and run fast."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from course.lessons.l04_expansion_and_persistence.model import (
    BURDEN_RANGE,
    COSTIM,
    DOSE_RANGE,
    Inputs,
    cached,
    for_inputs,
    simulate,
)


@pytest.fixture(scope="module")
def default():
    return simulate()


def test_inputs_are_validated():
    with pytest.raises(ValueError, match="dose"):
        Inputs(dose=10)
    with pytest.raises(ValueError, match="burden"):
        Inputs(burden=0.01)
    with pytest.raises(ValueError, match="costim"):
        Inputs(costim="CD3")


def test_time_axis_and_values_are_sane(default):
    assert default.days[0] == 0 and default.days[-1] == pytest.approx(730)
    assert np.all(np.diff(default.days) > 0)
    for values in (default.effector, default.memory, default.tumour, default.b_cells, default.cytokine):
        assert np.all(np.isfinite(values)) and np.all(values >= 0)


def test_default_run_peaks_in_the_label_window_and_contracts(default):
    assert 7 <= default.peak_day <= 14  # "peak within the first 7 to 14 days"
    assert default.level_on(30) < default.peak_level / 5  # contraction
    assert default.level_on(365) > 1  # persistence
    assert default.tumour[np.argmin(np.abs(default.days - 28))] == 0  # tumour cleared in the model


def test_alt_text_numbers_match_the_model(default):
    assert round(default.peak_day) == 10  # l04_phases alt: "a peak around day 10"
    assert 1000 < default.peak_level < 2000  # "more than a thousand-fold" from a dose of 1 unit


@pytest.mark.parametrize(("dose", "burden", "costim"), list(itertools.product(DOSE_RANGE, BURDEN_RANGE, COSTIM)))
def test_peak_stays_in_the_first_two_weeks_at_every_slider_extreme(dose, burden, costim):
    r = cached(Inputs(dose, burden, costim))
    assert 4 <= r.peak_day <= 14


@pytest.mark.parametrize("costim", COSTIM)
def test_more_tumour_means_more_expansion_and_more_cytokine(costim):
    runs = [cached(Inputs(burden=b, costim=costim)) for b in (0.1, 1.0, 10.0)]
    peaks = [r.peak_level for r in runs]
    cytokines = [r.cytokine_peak for r in runs]
    assert peaks == sorted(peaks) and peaks[-1] > 3 * peaks[0]
    assert cytokines == sorted(cytokines) and cytokines[-1] > 10 * cytokines[0]


def test_a_higher_dose_gives_a_higher_peak_and_earlier_cytokine():
    """Not the opposite of the clinic: dose-response for expansion (KarMMa), none assumed away."""
    runs = [cached(Inputs(dose=d)) for d in (DOSE_RANGE[0], 1.0, DOSE_RANGE[1])]
    peaks = [r.peak_level for r in runs]
    assert peaks == sorted(peaks) and peaks[-1] > 4 * peaks[0]
    cytokine_days = [r.cytokine_peak_day for r in runs]
    assert cytokine_days == sorted(cytokine_days, reverse=True)
    assert [r.cytokine_peak for r in runs] == sorted(r.cytokine_peak for r in runs)


@pytest.mark.parametrize("costim", COSTIM)
def test_more_tumour_brings_the_cytokine_peak_earlier(costim):
    """Clinic: high tumour burden goes with earlier, more severe CRS; the model must not invert it."""
    days = [cached(Inputs(burden=b, costim=costim)).cytokine_peak_day for b in (0.1, 1.0, 10.0)]
    assert days == sorted(days, reverse=True) and days[0] > days[-1]


@pytest.mark.parametrize(("dose", "burden", "costim"), list(itertools.product(DOSE_RANGE, BURDEN_RANGE, COSTIM)))
def test_cytokine_peaks_in_the_first_days_before_the_car_t_peak(dose, burden, costim):
    r = cached(Inputs(dose, burden, costim))
    assert 1 <= r.cytokine_peak_day <= 5 and r.cytokine_peak_day < r.peak_day


def test_b_cell_aplasia_tracks_persistence():
    four1bb, cd28 = cached(Inputs(costim="4-1BB")), cached(Inputs(costim="CD28"))
    for r in (four1bb, cd28):
        assert r.b_cells_on(14) < 0.1 * r.b_cells[0]  # aplasia within two weeks
    assert four1bb.b_recovery_day is None  # persisting cells keep B cells away for the two years shown
    assert cd28.b_recovery_day is not None and 365 < cd28.b_recovery_day < 730  # not a quick return
    assert four1bb.level_on(730) > cd28.level_on(730)  # the model's assumption, stated in the lesson


def test_costim_parameters_are_the_only_difference():
    a, b = for_inputs(Inputs(costim="4-1BB")), for_inputs(Inputs(costim="CD28"))
    changed = {k for k in a.__dataclass_fields__ if getattr(a, k) != getattr(b, k)}
    assert changed == {"expansion_rate", "burst_days", "to_memory", "memory_death"}


def test_cached_results_are_read_only():
    r = cached(Inputs())
    r.car_t[0] = 5  # car_t is computed afresh on each access, so this changes nothing stored
    with pytest.raises(ValueError, match="read-only"):
        r.effector[0] = 5
    assert cached(Inputs()).car_t[0] == pytest.approx(1.0)


def test_text_claims_about_dose_match_the_model():
    """q04-predict-dose: at 4x dose the peak is more than twice as high, on about the same day."""
    default, high = cached(Inputs()), cached(Inputs(dose=4.0))
    assert abs(default.peak_day - high.peak_day) <= 1.0
    assert 2.0 < high.peak_level / default.peak_level < 4.0


def test_text_claims_about_costim_match_the_model():
    """q04-predict-costim: CD28 peaks higher and a little earlier; both settings clear the tumour by day 14."""
    four1bb, cd28 = cached(Inputs(costim="4-1BB")), cached(Inputs(costim="CD28"))
    assert cd28.peak_level > four1bb.peak_level and cd28.peak_day < four1bb.peak_day
    for r in (four1bb, cd28):
        assert r.tumour[np.argmin(np.abs(r.days - 14))] == 0


def test_high_burden_cytokine_is_about_ten_times_default():
    """q04-model-limits stem: "a cytokine proxy about 10 times the default" (normal B cells add a little to both runs)."""
    ratio = cached(Inputs(burden=10.0)).cytokine_peak / cached(Inputs()).cytokine_peak
    assert 9 < ratio < 12


def test_cytokine_follows_activation_on_normal_b_cells_too():
    """Review K1: the proxy must not mean 'CRS = the drug is killing tumour'. With no tumour at all, CAR-T cells
    still meet normal CD19+ B cells, so the cytokine signal is above zero (small), and B cells still go."""
    from course.lessons.l04_expansion_and_persistence.model import Params, _rates

    # One instant: tumour zero, normal B cells present, CAR-T cells present -> cytokine is being made.
    d_cytokine = _rates((10.0, 0.0, 0.0, 100.0, 0.0), Params(), 1.0)[4]
    assert d_cytokine > 0
    # ... and none without B cells either (nothing with the target, nothing made).
    assert _rates((10.0, 0.0, 0.0, 0.0, 0.0), Params(), 1.0)[4] == 0
    # A whole run with no tumour: a small but real signal, early, and B-cell aplasia all the same.
    none, default = simulate(tumour_start=0.0), cached()
    assert np.all(none.tumour == 0)
    assert 0.02 * default.cytokine_peak < none.cytokine_peak < 0.3 * default.cytokine_peak
    assert 1 <= none.cytokine_peak_day <= 5
    assert none.b_cells_on(14) < 0.1 * none.b_cells[0]
    assert none.peak_level > 10 * none.car_t[0]  # the cells still expand, on normal B cells and lymphodepletion cytokines
    with pytest.raises(ValueError, match="tumour_start"):
        simulate(tumour_start=-1.0)


def test_the_cytokine_proxy_is_not_a_response_measure():
    """The same tumour cleared can come with very different cytokine peaks: burden 0.1 and 10 both clear the
    tumour in the model, with a cytokine peak that differs more than tenfold."""
    low, high = cached(Inputs(burden=0.1)), cached(Inputs(burden=10.0))
    for r in (low, high):
        assert r.tumour[np.argmin(np.abs(r.days - 28))] == 0
    assert high.cytokine_peak > 10 * low.cytokine_peak
