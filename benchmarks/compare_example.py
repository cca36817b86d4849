"""Write the example data set of "Compare on your own data": a churn table the package does not bundle.

5,000 customers, 8.6% of whom churned ("yes"/"no"), with a string column (``region``), a column of
identifiers to drop, and missing values. Then run::

    python benchmarks/compare_example.py customers.csv
    python -m skfocal.benchmark --data customers.csv --target churned --drop customer_id --plot customers.png
"""

import argparse

import numpy as np
import pandas as pd


def make_customers(n: int = 5000, seed: int = 0) -> pd.DataFrame:
    """The example table: churn depends on tenure, support calls, region and monthly charge."""
    rng = np.random.default_rng(seed)
    region = rng.choice(["north", "south", "east", "west"], size=n, p=[0.4, 0.3, 0.2, 0.1])
    tenure = rng.gamma(2.0, 12.0, size=n).round(1)  # months
    calls = rng.poisson(1.5, size=n)
    charge = rng.normal(60, 20, size=n).clip(10, None).round(2)
    score = -2.5 - 0.04 * tenure + 0.45 * calls + 0.015 * (charge - 60) + np.where(region == "west", 0.9, 0.0)
    churned = rng.random(n) < 1 / (1 + np.exp(-score))
    frame = pd.DataFrame({
        "customer_id": np.arange(100_000, 100_000 + n),
        "region": region,
        "tenure_months": tenure,
        "support_calls": calls.astype(float),
        "monthly_charge": charge,
        "churned": np.where(churned, "yes", "no"),
    })  # fmt: skip
    frame.loc[rng.random(n) < 0.05, "monthly_charge"] = np.nan  # not recorded for 5% of the customers
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", help="where to write the CSV file")
    args = parser.parse_args()
    frame = make_customers()
    frame.to_csv(args.path, index=False)
    print(f"wrote {args.path}: {len(frame)} rows, {frame.churned.eq('yes').mean():.1%} churned")


if __name__ == "__main__":
    main()
