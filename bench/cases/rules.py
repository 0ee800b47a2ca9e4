"""bench/cases/rules.py: frequent itemsets on the FIMI data sets of
../shared/datasets, whole process: `retain rules FILE --min-support S
--itemsets-only -o OUT.csv` reads the file, mines every frequent itemset and
writes each one to a CSV file, best of 3 wall times. The baseline is the
best C implementation's time (Christian Borgelt's eclat) from the speed
table of REFERENCE.md, measured the same way on a 2-core machine of this
kind; those programs are not installed here, so it is a listed figure, not
one timed in this run. Rows are skipped when the data folder is absent.
"""
import os

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared",
                    "datasets")

# (file, min support, Borgelt eclat seconds in REFERENCE.md, itemsets in REFERENCE.md)
ROWS = [("retail.dat", 0.01, 0.053, 159), ("retail.dat", 0.001, 0.092, 7589),
        ("retail.dat", 0.0001, 0.236, 240852), ("T10I4D100K.dat", 0.001, 0.128, 27532),
        ("T10I4D100K.dat", 0.0001, 0.305, 411365)]


def rules_case(bench):
    rows = []
    for name, support, eclat, want in ROWS:
        path = os.path.join(DATA, name)
        if not os.path.exists(path):
            print(f"   skip {name}: {DATA} is absent")
            continue
        if bench.quick and support < 0.001:
            continue
        out = bench.path("itemsets.csv")
        t = bench.best_of(lambda: bench.run("rules", path, "--min-support", support,
                                            "--itemsets-only", "--quiet", "-o", out))
        lines = sum(1 for _ in open(out)) - 1
        if lines != want:
            raise SystemExit(f"{name} at {support}: {lines} itemsets written, REFERENCE.md {want}")
        os.remove(out)
        rows.append(bench.Row(f"itemsets {name} at {support * 100:g}% ({want:,})", "seconds", t,
                              "Borgelt eclat (REFERENCE.md)", eclat,
                              note="whole process, every itemset written to CSV; baseline "
                                   "listed, not timed here"))
    return rows


CASES = [("rules", rules_case)]
