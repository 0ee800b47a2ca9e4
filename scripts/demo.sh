#!/bin/sh
# scripts/demo.sh: what `make demo` runs. Generates a customer feature file,
# a basket file and a purchase log with known ground truth, then shows what
# is inside each with `retain info`. Outputs go to demo-out/ (or $DEMO_DIR).
set -eu
retain=${1:-build/retain}
out=${DEMO_DIR:-demo-out}
mkdir -p "$out"

step() { printf '\n== %s\n$ %s\n' "$1" "$2"; }

step "200,000 customers, 12 behaviour features, 6 true segments, a known churn model" \
     "retain gen users -n 200k -d 12 -k 6 -o $out/users.h5"
"$retain" gen users -n 200k -d 12 -k 6 --separation 6 -o "$out/users.h5"
"$retain" info "$out/users.h5"

step "100,000 baskets with planted frequent itemsets" \
     "retain gen baskets -n 100k -o $out/baskets.h5"
"$retain" gen baskets -n 100k -o "$out/baskets.h5"
"$retain" info "$out/baskets.h5"

step "a purchase log of 50,000 customers from a buy-till-you-die process" \
     "retain gen transactions -n 50k -o $out/log.csv"
"$retain" gen transactions -n 50k -o "$out/log.csv"
"$retain" info "$out/log.csv"

printf '\noutputs are in %s/\n' "$out"
