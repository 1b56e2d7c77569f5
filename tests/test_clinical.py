"""ASTCT CRS and ICANS grading, the ICE score and tocilizumab dosing: at and around every threshold."""

from __future__ import annotations

import pytest

from course.clinical import (
    crs_grade,
    icans_grade,
    ice_grade,
    ice_score,
    max_doses_in_window,
    oxygen_grade,
    tocilizumab_dose,
    tocilizumab_repeat,
)


class TestCRS:
    def test_fever_threshold_is_38_0(self):
        assert crs_grade(37.9).grade == 0
        assert crs_grade(38.0).grade == 1
        assert crs_grade(38.1).grade == 1
        assert "38.0" in crs_grade(38.0).criterion

    def test_no_fever_and_no_treatment_means_no_crs_even_with_hypotension(self):
        result = crs_grade(37.2, hypotension="one_vasopressor")
        assert result.grade == 0
        assert "another cause" in result.criterion

    def test_fever_not_required_after_antipyretics_or_tocilizumab(self):
        assert crs_grade(37.0, hypotension="one_vasopressor", antipyretic_or_anticytokine_given=True).grade == 3
        assert (
            crs_grade(
                36.8, oxygen_device="nasal_cannula", oxygen_flow_l_min=2, antipyretic_or_anticytokine_given=True
            ).grade
            == 2
        )
        nothing = crs_grade(36.8, antipyretic_or_anticytokine_given=True)
        assert nothing.grade == 0 and "no grading criterion" in nothing.criterion

    @pytest.mark.parametrize(
        ("hypotension", "grade"),
        [("none", 1), ("no_vasopressor", 2), ("one_vasopressor", 3), ("multiple_vasopressors", 4)],
    )
    def test_hypotension_sets_grade(self, hypotension, grade):
        assert crs_grade(38.5, hypotension=hypotension).grade == grade

    @pytest.mark.parametrize(
        ("device", "flow", "grade"),
        [
            ("none", 0, 1),
            ("blow_by", 0, 2),
            ("nasal_cannula", 5.9, 2),
            ("nasal_cannula", 6.0, 2),
            ("nasal_cannula", 6.1, 3),
            ("high_flow_nasal_cannula", 30, 3),
            ("high_flow_nasal_cannula", 6.1, 3),
            ("high_flow_nasal_cannula", 6.0, 2),
            ("high_flow_nasal_cannula", 4, 2),
            ("facemask", 0, 3),
            ("non_rebreather", 0, 3),
            ("venturi", 0, 3),
            ("cpap", 0, 4),
            ("bipap", 0, 4),
            ("mechanical_ventilation", 0, 4),
        ],
    )
    def test_oxygen_sets_grade(self, device, flow, grade):
        assert crs_grade(39.0, oxygen_device=device, oxygen_flow_l_min=flow).grade == grade

    def test_grade_is_the_worse_of_the_two_and_names_it(self):
        result = crs_grade(39.0, hypotension="no_vasopressor", oxygen_device="facemask")
        assert result.grade == 3
        assert "facemask" in result.criterion and "vasopressor" not in result.criterion
        both = crs_grade(39.0, hypotension="one_vasopressor", oxygen_device="facemask")
        assert both.grade == 3 and "one vasopressor" in both.criterion and "facemask" in both.criterion

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"temperature_c": 29.9},
            {"temperature_c": 45.1},
            {"temperature_c": float("nan")},
            {"temperature_c": "39"},
            {"temperature_c": 39, "hypotension": "severe"},
            {"temperature_c": 39, "oxygen_device": "tent"},
            {"temperature_c": 39, "oxygen_device": "nasal_cannula", "oxygen_flow_l_min": 0},
            {"temperature_c": 39, "oxygen_device": "nasal_cannula", "oxygen_flow_l_min": -1},
            {"temperature_c": 39, "oxygen_device": "high_flow_nasal_cannula", "oxygen_flow_l_min": 0},
            {"temperature_c": 39, "antipyretic_or_anticytokine_given": "yes"},
        ],
    )
    def test_bad_input_says_what_is_allowed(self, kwargs):
        with pytest.raises(ValueError, match=r"must|needs"):
            crs_grade(**kwargs)

    def test_oxygen_grade_alone(self):
        assert oxygen_grade("none").grade == 0
        assert "6" in oxygen_grade("nasal_cannula", 6).criterion

    def test_high_flow_cannula_is_graded_by_flow_not_device(self):
        """ASTCT defines high flow as more than 6 L/min: a high-flow device at 5 L/min is low flow (review F29a)."""
        low = oxygen_grade("high_flow_nasal_cannula", 5)
        assert low.grade == 2 and "set to low flow" in low.criterion and "here 5" in low.criterion
        high = oxygen_grade("high_flow_nasal_cannula", 40)
        assert high.grade == 3 and "above 6 L/min" in high.criterion
        # the standard cannula keeps the wording the banks quote
        assert oxygen_grade("nasal_cannula", 4).criterion == "hypoxia needing low-flow nasal cannula (≤6 L/min; here 4)"


class TestTocilizumabRepeat:
    """Label: at least 8 h apart, 4 doses in total, only without clinical improvement; ASCO: at most 3 in 24 h."""

    def test_first_dose(self):
        assert tocilizumab_repeat([]).allowed

    @pytest.mark.parametrize(("hours", "allowed"), [(7.9, False), (8.0, True), (8.1, True)])
    def test_eight_hours_apart(self, hours, allowed):
        check = tocilizumab_repeat([hours])
        assert check.allowed is allowed
        if not allowed:
            assert check.wait_hours == pytest.approx(8 - hours) and "8 h apart" in check.reason

    @pytest.mark.parametrize(
        ("hours_ago", "allowed"),
        [
            ([24, 16, 8], False),  # doses at 0, 8, 16; now is 24 h: four in one closed 24-hour window
            ([24.5, 16.5, 8.5], True),  # the first dose is now more than 24 h ago
            ([23, 15, 8], False),
            ([16, 8], True),  # the third dose in 24 hours is allowed
        ],
    )
    def test_at_most_three_in_any_closed_24_hour_window(self, hours_ago, allowed):
        check = tocilizumab_repeat(hours_ago)
        assert check.allowed is allowed
        if not allowed:
            assert "at most 3 in any 24 hours" in check.reason

    def test_window_is_closed_at_both_ends(self):
        assert max_doses_in_window([0, 8, 16, 24]) == 4
        assert max_doses_in_window([0, 8, 16, 24.5]) == 3
        assert max_doses_in_window([]) == 0

    def test_four_in_total(self):
        check = tocilizumab_repeat([60, 40, 20, 10])
        assert not check.allowed and "maximum in total" in check.reason

    def test_only_without_clinical_improvement(self):
        assert tocilizumab_repeat([10], improved=False).allowed
        check = tocilizumab_repeat([10], improved=True)
        assert not check.allowed and "no clinical improvement" in check.reason

    @pytest.mark.parametrize(
        ("hours_ago", "improved"), [("8", False), ([8, -1], False), ([300], False), ([8], "no"), ([1, 2, 3, 4, 5], False)]
    )
    def test_bad_input_is_refused(self, hours_ago, improved):
        with pytest.raises(ValueError, match="must|at most"):
            tocilizumab_repeat(hours_ago, improved)


class TestICE:
    def test_full_score_is_10(self):
        assert ice_score(4, 3, 1, 1, 1) == 10
        assert ice_score(0, 0, 0, 0, 0) == 0

    @pytest.mark.parametrize(
        "args",
        [(5, 3, 1, 1, 1), (4, 4, 1, 1, 1), (4, 3, 2, 1, 1), (4, 3, 1, -1, 1), (4, 3, 1, 1, 1.5), (True, 3, 1, 1, 1)],
    )
    def test_items_out_of_range(self, args):
        with pytest.raises(ValueError, match="whole number from 0 to"):
            ice_score(*args)

    @pytest.mark.parametrize(("ice", "grade"), [(10, 0), (9, 1), (7, 1), (6, 2), (3, 2), (2, 3), (0, 3)])
    def test_ice_grade_bands(self, ice, grade):
        assert ice_grade(ice).grade == grade

    @pytest.mark.parametrize("ice", [-1, 11, 5.5, None])
    def test_ice_grade_refuses_bad_scores(self, ice):
        with pytest.raises(ValueError, match="0 to 10"):
            ice_grade(ice)


class TestICANS:
    def test_normal_is_grade_0(self):
        assert icans_grade(10).grade == 0

    @pytest.mark.parametrize(
        ("kwargs", "grade", "words"),
        [
            ({"ice": 8}, 1, "ICE score 8"),
            ({"ice": 10, "consciousness": "awakens_spontaneously"}, 1, "awakens spontaneously"),
            ({"ice": 6}, 2, "ICE score 6"),
            ({"ice": 10, "consciousness": "awakens_to_voice"}, 2, "voice"),
            ({"ice": 0}, 3, "ICE score 0"),
            ({"ice": 9, "consciousness": "awakens_to_tactile"}, 3, "tactile"),
            ({"ice": 9, "seizure": "rapidly_resolving"}, 3, "resolves rapidly"),
            ({"ice": 9, "raised_icp": "focal_edema"}, 3, "focal"),
            ({"ice": None, "consciousness": "unarousable"}, 4, "unarousable"),
            ({"ice": 0, "consciousness": "unarousable"}, 4, "unarousable"),
            ({"ice": 9, "seizure": "prolonged_or_repetitive"}, 4, "prolonged"),
            ({"ice": 9, "motor": "deep_focal_weakness"}, 4, "hemiparesis"),
            ({"ice": 9, "raised_icp": "diffuse_edema"}, 4, "diffuse"),
        ],
    )
    def test_worst_domain_sets_grade_and_is_named(self, kwargs, grade, words):
        result = icans_grade(**kwargs)
        assert result.grade == grade
        assert words in result.criterion

    def test_ties_name_every_domain(self):
        result = icans_grade(2, consciousness="awakens_to_tactile")
        assert result.grade == 3 and "ICE score 2" in result.criterion and "tactile" in result.criterion

    def test_ice_may_be_missing_only_when_unarousable(self):
        with pytest.raises(ValueError, match="unarousable"):
            icans_grade(None, consciousness="awakens_to_voice")

    @pytest.mark.parametrize(
        "kwargs", [{"consciousness": "sleepy"}, {"seizure": "yes"}, {"motor": "tremor"}, {"raised_icp": "bleed"}]
    )
    def test_unknown_domain_values(self, kwargs):
        with pytest.raises(ValueError, match="must be one of"):
            icans_grade(10, **kwargs)


class TestTocilizumab:
    @pytest.mark.parametrize(
        ("weight", "mg"),
        [(10, 120), (29.9, 358.8), (30, 240), (50, 400), (99.9, 799.2), (100, 800), (100.1, 800), (140, 800)],
    )
    def test_dose(self, weight, mg):
        assert tocilizumab_dose(weight).mg == pytest.approx(mg)

    def test_rule_says_why(self):
        assert "12 mg/kg" in tocilizumab_dose(20).rule
        assert "capped" in tocilizumab_dose(120).rule
        assert "under the 800 mg cap" in tocilizumab_dose(60).rule

    @pytest.mark.parametrize("weight", [0, 1.9, 351, -5, float("inf"), "70", True])
    def test_bad_weight(self, weight):
        with pytest.raises(ValueError, match="weight"):
            tocilizumab_dose(weight)
