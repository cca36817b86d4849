"""scikit-learn's own estimator checks, run on both estimators."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skfocal import FocalLGBMClassifier, FocalXGBClassifier

SAMPLE_WEIGHT_REASON = (
    "Histogram boosters bin features from all rows, zero-weight rows included, and count rows "
    "(not weight) in min_child_samples / min_data_in_bin, so a zero weight is not the same as "
    "dropping the row; the boosters' own classifiers fail this check for the same reason."
)
EXPECTED_FAILURES = {
    "check_sample_weight_equivalence_on_dense_data": SAMPLE_WEIGHT_REASON,
    "check_sample_weight_equivalence_on_sparse_data": SAMPLE_WEIGHT_REASON,
}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILURES


@parametrize_with_checks(
    [
        FocalLGBMClassifier(n_estimators=10),
        FocalXGBClassifier(n_estimators=10, n_jobs=1),
    ],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
