"""Statistics of the benchmark: is a model's difference to a reference more than noise?

Pure functions of numbers (no I/O, no models), used by :mod:`skfocal.benchmark`.

On one data set, ``J = folds x repeats`` paired differences ``d_j`` (model minus reference, each on
the same held-out fold) overlap in their training rows, so their plain variance understates the
variance of their mean. The corrected resampled t statistic of Nadeau and Bengio (2003) scales it
by ``1/J + n_test/n_train``:

    t = mean(d) / sqrt((1/J + n_test/n_train) * var(d)),  with J - 1 degrees of freedom.

The Bayesian correlated t-test of Corani and Benavoli (2015), with its non-informative prior, has
as posterior of the mean difference the Student t with the same location, scale and degrees of
freedom (its correlation ``rho = n_test / (n_train + n_test)`` gives ``rho / (1 - rho) =
n_test/n_train``): the 95% confidence interval of the one is the 95% highest-density interval of
the other, and the posterior gives the probabilities that the difference lies below, inside or
above a region of practical equivalence (ROPE) ``[-rope, rope]``.

The verdict is Kruschke's HDI+ROPE rule on that interval: ``"better"`` or ``"worse"`` when the
whole interval lies beyond the ROPE on one side, ``"equivalent"`` when it lies inside the ROPE,
``"undecided"`` otherwise. With ``rope=0`` "better" is a significant difference at the 5% level
(two-sided) and "equivalent" never happens.

Across data sets, the Wilcoxon signed-rank test of the per-data-set mean differences (Demšar 2006,
zero differences split between the two signs) and the mean rank of each model.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import stats

__all__ = ["VERDICTS", "corrected_t", "mean_ranks", "verdict", "wilcoxon_signed_rank"]

VERDICTS = ("better", "equivalent", "worse", "undecided")


def corrected_t(
    differences, n_train: float, n_test: float, *, rope: float = 0.0, confidence: float = 0.95
) -> dict[str, float]:
    """The corrected resampled t-test and the Bayesian correlated t-test of paired differences.

    Parameters
    ----------
    differences : array-like of shape (J,)
        Model minus reference, one per held-out fold of a repeated cross-validation (J >= 2).
    n_train, n_test : float
        Rows in a training and in a test fold (the mean over folds where they differ by one).
    rope : float, default=0.0
        Half-width of the region of practical equivalence, in the metric's units.
    confidence : float, default=0.95
        Coverage of the interval.

    Returns
    -------
    result : dict
        ``mean``, ``low``, ``high`` (the interval), ``t``, ``p`` (two-sided), ``df``, and the
        posterior probabilities ``p_below`` (difference < -rope), ``p_rope`` and ``p_above``
        (difference > rope). Where every difference is the same the scale is 0: the interval is
        that one value and the probabilities are 0 or 1.
    """
    d = np.asarray(differences, dtype=np.float64)
    if d.ndim != 1 or d.size < 2:
        raise ValueError(f"corrected_t needs at least two differences, got {d.size}.")
    if not (n_train > 0 and n_test > 0):
        raise ValueError(f"n_train and n_test must be positive, got {n_train!r} and {n_test!r}.")
    if not rope >= 0:
        raise ValueError(f"rope must be >= 0, got {rope!r}.")
    df = d.size - 1
    mean = float(d.mean())
    scale = math.sqrt((1.0 / d.size + n_test / n_train) * float(d.var(ddof=1)))
    if scale == 0.0:
        below, above = float(mean < -rope), float(mean > rope)
        return {"mean": mean, "low": mean, "high": mean, "t": math.copysign(math.inf, mean) if mean else 0.0,
                "p": 1.0 if mean == 0 else 0.0, "df": df, "p_below": below, "p_rope": 1.0 - below - above,
                "p_above": above}  # fmt: skip
    posterior = stats.t(df, loc=mean, scale=scale)
    t = mean / scale
    low, high = posterior.interval(confidence)
    p_below = float(posterior.cdf(-rope))
    p_above = float(posterior.sf(rope))
    return {
        "mean": mean,
        "low": float(low),
        "high": float(high),
        "t": t,
        "p": float(2 * stats.t.sf(abs(t), df)),
        "df": df,
        "p_below": p_below,
        "p_rope": max(0.0, 1.0 - p_below - p_above),
        "p_above": p_above,
    }


def verdict(low: float, high: float, rope: float, greater_is_better: bool) -> str:
    """``"better"``, ``"equivalent"``, ``"worse"`` or ``"undecided"`` from an interval and a ROPE.

    Parameters
    ----------
    low, high : float
        The interval of the difference, model minus reference.
    rope : float
        Half-width of the region of practical equivalence.
    greater_is_better : bool
        Whether a positive difference favours the model.

    Returns
    -------
    verdict : str
    """
    if low > rope:
        return "better" if greater_is_better else "worse"
    if high < -rope:
        return "worse" if greater_is_better else "better"
    if rope > 0 and -rope <= low and high <= rope:
        return "equivalent"
    return "undecided"


def wilcoxon_signed_rank(differences) -> dict[str, float]:
    """The Wilcoxon signed-rank test of per-data-set differences (zero differences split).

    Parameters
    ----------
    differences : array-like of shape (N,)
        One difference per data set (model minus reference, mean over folds).

    Returns
    -------
    result : dict
        ``r_plus`` and ``r_minus`` (the sums of the ranks of the positive and negative
        differences, zeros shared half and half), ``statistic`` (the smaller of the two) and
        ``p`` (two-sided, scipy's; ``nan`` with fewer than two data sets or all differences 0).
    """
    d = np.asarray(differences, dtype=np.float64)
    ranks = stats.rankdata(np.abs(d))
    zeros = ranks[d == 0].sum() / 2
    r_plus, r_minus = float(ranks[d > 0].sum() + zeros), float(ranks[d < 0].sum() + zeros)
    p = math.nan
    if d.size >= 2 and np.any(d != 0):
        with warnings.catch_warnings():  # scipy < 1.11 says it falls back to the normal approximation with zeros
            warnings.filterwarnings("ignore", message="Exact p-value calculation", category=UserWarning)
            p = float(stats.wilcoxon(d, zero_method="zsplit").pvalue)
    return {"r_plus": r_plus, "r_minus": r_minus, "statistic": min(r_plus, r_minus), "p": p}


def mean_ranks(scores, greater_is_better: bool) -> np.ndarray:
    """Mean rank of each model over data sets, 1 the best, ties sharing their ranks.

    Parameters
    ----------
    scores : array-like of shape (n_datasets, n_models)
        A metric per data set (rows) and model (columns).
    greater_is_better : bool
        Whether the best model has the greatest score.

    Returns
    -------
    ranks : ndarray of shape (n_models,)
    """
    scores = np.asarray(scores, dtype=np.float64)
    oriented = -scores if greater_is_better else scores
    return stats.rankdata(oriented, axis=1).mean(axis=0)
