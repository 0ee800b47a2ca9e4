#!/bin/sh
# scripts/demo.sh: what `make demo` runs: the retention workflow on a
# generated purchase log of 200,000 customers (two years from 2024-01-01,
# from a known buy-till-you-die process): the lifetime-value models, per-user
# features (with the lifetime-value columns, which the segment and churn
# models then use too) and churn labels as of 2025-07-01, the cohort
# retention view, customer segments (a k sweep, then the fit), the churn
# model with 5-fold cross-validation, and association rules from the orders;
# then every customer scored with the segment, churn and lifetime-value
# models by `retain score`. Each step prints its summary; outputs go to
# demo-out/ (or $DEMO_DIR).
set -eu
retain=${1:-build/retain}
out=${DEMO_DIR:-demo-out}
mkdir -p "$out"

step() { printf '\n== %s\n$ %s\n' "$1" "$2"; }
run() {
    step "$1" "retain $2"
    # shellcheck disable=SC2086
    "$retain" $2
}

run "a purchase log: 200,000 customers over two years, with known parameters" \
    "gen transactions -n 200k --seed 7 -o $out/log.csv"
run "lifetime value: BG/NBD and Gamma-Gamma on the first 18 months" \
    "clv fit $out/log.csv --calibration-end 2025-06-30 -o $out/clv.h5"
run "per-user features, lifetime-value columns and churn labels as of 2025-07-01 (churned: no purchase in the next 90 days)" \
    "features $out/log.csv --asof 2025-07-01 --horizon 90d --with-clv $out/clv.h5 -o $out/features.h5"
run "monthly cohorts: the share of each month's new customers still buying j months later" \
    "cohorts $out/log.csv --period month --no-color"
run "how many segments: k-means for k = 2..8, silhouette on a 5,000-row sample" \
    "kmeans sweep $out/features.h5 -k 2:8 --sample 5000"
run "the segments (k = 5)" \
    "kmeans fit $out/features.h5 -k 5 -o $out/segments.h5"
run "the churn model, with 5-fold cross-validation" \
    "logreg fit $out/features.h5 --label /churned --cv 5 -o $out/churn.h5"
run "market baskets (one per order), then association rules" \
    "baskets $out/log.csv -o $out/baskets.h5"
run "rules with support >= 0.2% and confidence >= 30%" \
    "rules $out/baskets.h5 --min-support 0.002 --min-confidence 0.3 -o $out/rules.csv"
run "the nightly job: every customer's segment, churn probability, risk tier and lifetime value, streamed in bounded memory" \
    "score --segments $out/segments.h5 --churn $out/churn.h5 --clv $out/clv.h5 $out/features.h5 -o $out/scores.h5"

printf '\noutputs are in %s/\n' "$out"
