"""The benchmark's statistics against textbook formulas worked by hand, published values and baycomp."""

import math

import numpy as np
import pytest

from skfocal._stats import VERDICTS, corrected_t, mean_ranks, verdict, wilcoxon_signed_rank

# Ten paired differences of a 5-fold cross-validation repeated twice, 400 training and 100 test rows.
DIFFS = [0.01, 0.03, -0.02, 0.04, 0.00, 0.02, 0.01, -0.01, 0.03, 0.02]


def test_corrected_t_is_nadeau_and_bengios_formula_worked_by_hand():
    result = corrected_t(DIFFS, 400, 100)
    # By hand: mean 0.13 / 10 = 0.013; squared deviations sum to 3210e-6, so var = 3210e-6 / 9;
    # corrected variance of the mean (1/J + n_test/n_train) var = (1/10 + 100/400) * 3210e-6 / 9.
    mean, var = 0.013, 3210e-6 / 9
    se = math.sqrt((0.1 + 0.25) * var)
    assert result["mean"] == pytest.approx(mean, abs=1e-15)  # float sums of two-decimal numbers
    assert result["t"] == pytest.approx(mean / se, rel=1e-12)
    assert result["df"] == 9
    # t_{0.975, 9} = 2.262 in printed tables (three decimals): the half-width agrees to that rounding.
    half = (result["high"] - result["low"]) / 2
    assert half == pytest.approx(2.262 * se, rel=5e-4 / 2.262)
    assert (result["low"] + result["high"]) / 2 == pytest.approx(mean, abs=1e-15)
    # The uncorrected t-test (variance / J only) would call this interval much narrower: the
    # correction multiplies the standard error by sqrt(0.35 / 0.1).
    assert half / (2.262 * math.sqrt(0.1 * var)) == pytest.approx(math.sqrt(3.5), rel=5e-4)


def test_corrected_t_posterior_matches_baycomp():
    # baycomp 1.0.3 (Benavoli et al.), CorrelatedTTest.probs(zeros(10), DIFFS, rope, runs=2), computed
    # once in a separate environment; it returns (left, rope, right).
    result = corrected_t(DIFFS, 400, 100, rope=0.01)
    expected = (0.034821411628462196, 0.3623596766335988, 0.602818911737939)
    got = (result["p_below"], result["p_rope"], result["p_above"])
    assert got == pytest.approx(expected, rel=1e-9)  # both are scipy's Student t cdf of the same numbers
    no_rope = corrected_t(DIFFS, 400, 100, rope=0.0)
    assert (no_rope["p_below"], no_rope["p_above"]) == pytest.approx(
        (0.13726626599752323, 0.8627337340024768), rel=1e-9
    )
    # and the two-sided p of the t-test is twice the smaller tail of the same posterior
    assert no_rope["p"] == pytest.approx(2 * 0.13726626599752323, rel=1e-9)


def test_corrected_t_three_repeats_against_baycomp():
    diffs = [0.021, 0.034, 0.012, 0.027, 0.018, 0.025, 0.031, 0.015, 0.022, 0.029, 0.019, 0.024, 0.017, 0.028, 0.026]
    result = corrected_t(diffs, 4, 1, rope=0.01)  # 5 folds: n_test / n_train = 1/4, as baycomp's 1/(folds - 1)
    expected = (9.029600997196604e-08, 0.0010377885850723079, 0.9989621211189177)  # baycomp 1.0.3, runs=3
    assert (result["p_below"], result["p_rope"], result["p_above"]) == pytest.approx(expected, rel=1e-6)
    assert verdict(result["low"], result["high"], 0.01, greater_is_better=True) == "better"


def test_corrected_t_equal_differences():
    result = corrected_t([0.0, 0.0, 0.0], 20, 10, rope=0.01)
    assert (result["low"], result["high"], result["p_rope"], result["p"]) == (0.0, 0.0, 1.0, 1.0)
    shifted = corrected_t([0.5, 0.5], 20, 10, rope=0.01)
    assert (shifted["p_above"], shifted["p_rope"]) == (1.0, 0.0)


@pytest.mark.parametrize("bad", [{"differences": [0.1]}, {"n_train": 0}, {"rope": -0.1}])
def test_corrected_t_rejects_bad_input(bad):
    arguments = {"differences": DIFFS, "n_train": 400, "n_test": 100, **bad}
    with pytest.raises(ValueError):
        corrected_t(arguments.pop("differences"), arguments.pop("n_train"), arguments.pop("n_test"), **arguments)


@pytest.mark.parametrize(
    ("low", "high", "rope", "greater", "expected"),
    [
        (0.02, 0.05, 0.01, True, "better"),  # the whole interval beyond the ROPE
        (0.02, 0.05, 0.01, False, "worse"),  # a loss that grew
        (-0.05, -0.02, 0.01, True, "worse"),
        (-0.05, -0.02, 0.01, False, "better"),
        (-0.005, 0.008, 0.01, True, "equivalent"),  # inside the ROPE
        (0.005, 0.02, 0.01, True, "undecided"),  # significant, but not beyond the ROPE
        (-0.004, 0.028, 0.01, True, "undecided"),
        (0.001, 0.002, 0.0, True, "better"),  # no ROPE: interval excludes 0
        (-0.001, 0.001, 0.0, True, "undecided"),  # no ROPE: never equivalent
    ],
)
def test_verdict_is_the_hdi_and_rope_rule(low, high, rope, greater, expected):
    assert verdict(low, high, rope, greater) == expected
    assert expected in VERDICTS


def test_wilcoxon_reproduces_demsar_2006():
    # Demšar (2006), JMLR 7, section 3.1.3: AUC of C4.5 with and without m-tuning on 14 data sets;
    # the paper gives R+ = 93, R- = 12 (zero differences split), T = 12 < 21, the critical value
    # for N = 14 at alpha = 0.05.
    c45 = [0.763, 0.599, 0.954, 0.628, 0.882, 0.936, 0.661, 0.583, 0.775, 1.000, 0.940, 0.619, 0.972, 0.957]
    c45m = [0.768, 0.591, 0.971, 0.661, 0.888, 0.931, 0.668, 0.583, 0.838, 1.000, 0.962, 0.666, 0.981, 0.978]
    d = np.round(np.subtract(c45m, c45), 3)  # the paper's three-decimal differences, ties exact
    result = wilcoxon_signed_rank(d)
    assert (result["r_plus"], result["r_minus"], result["statistic"]) == (93.0, 12.0, 12.0)
    # Normal approximation by hand: mean N(N+1)/4 = 52.5, variance N(N+1)(2N+1)/24 = 253.75 less the
    # tie correction sum(t^3 - t)/48 = (6 + 6)/48 for the two tied pairs (0, 0 and |0.005|).
    z = (12 - 52.5) / math.sqrt(253.75 - 12 / 48)
    assert result["p"] == pytest.approx(math.erfc(abs(z) / math.sqrt(2)), rel=1e-9)
    assert result["p"] < 0.05  # as the paper concludes


def test_wilcoxon_degenerate():
    assert math.isnan(wilcoxon_signed_rank([0.0, 0.0, 0.0])["p"])
    assert math.isnan(wilcoxon_signed_rank([0.1])["p"])


def test_mean_ranks_by_hand():
    scores = [[0.9, 0.8, 0.8], [0.5, 0.7, 0.6]]  # data set 1: A first, B and C tie for 2-3
    assert mean_ranks(scores, greater_is_better=True).tolist() == [(1 + 3) / 2, (2.5 + 1) / 2, (2.5 + 2) / 2]
    assert mean_ranks(scores, greater_is_better=False).tolist() == [(3 + 1) / 2, (1.5 + 3) / 2, (1.5 + 2) / 2]
