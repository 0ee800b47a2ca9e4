"""tests/ref/common.py: what the reference tests share. skip() ends a test
with ctest's skip code (77) and says why: a missing Python package (pass the
ImportError) or no RETAIN binary; retain_binary() is that binary; Checks
prints one `ok`/`FAIL` line per check and gives the exit code; scratch() is
a temporary folder under $TMPROOT (the build's), removed afterwards. CDNOW
is the shared CDNOW sample; cdnow_log() writes it as the CSV purchase log
the clv commands read."""
import os
import sys
import tempfile


def skip(why):
    print(f"skip: {why}")
    sys.exit(77)


def retain_binary():
    path = os.environ.get("RETAIN")
    if not path:
        skip("RETAIN is not set (run the test under ctest)")
    return path


class Checks:
    def __init__(self):
        self.failed = []

    def __call__(self, ok, what):
        print(f"{'ok  ' if ok else 'FAIL'} {what}")
        if not ok:
            self.failed.append(what)
        return ok

    def exit_code(self):
        if self.failed:
            print(f"{len(self.failed)} check(s) failed")
        return 1 if self.failed else 0


CDNOW = os.path.join(os.environ.get("SHARED", os.path.join(os.path.dirname(__file__), "..", "..",
                                                            "..", "shared")),
                     "datasets", "CDNOW_sample.txt")


def cdnow_log(d):
    """CDNOW_sample.txt as a CSV purchase log (user_id, timestamp: the date,
    amount; sorted by time) in folder d: its path and the frame read (the
    file's columns master, user_id, date, cds, amount, and day as a
    timestamp)."""
    import pandas as pd
    log = pd.read_csv(CDNOW, sep=r"\s+", header=None, dtype={"date": str},
                      names=["master", "user_id", "date", "cds", "amount"])
    log["day"] = pd.to_datetime(log["date"], format="%Y%m%d")
    log["timestamp"] = log["day"].dt.strftime("%Y-%m-%d")
    log = log.sort_values(["timestamp", "user_id"], kind="stable")
    path = os.path.join(d, "cdnow.csv")
    log[["user_id", "timestamp", "amount"]].to_csv(path, index=False)
    return path, log


def scratch():
    root = os.environ.get("TMPROOT", tempfile.gettempdir())
    os.makedirs(root, exist_ok=True)
    return tempfile.TemporaryDirectory(dir=root)


def sklearn_segments(model_path):
    """A retain k-means model file as scikit-learn objects: (scaler, KMeans)
    whose scaler.transform then KMeans.predict assign segments as the model
    does (scaler None for --scale none). Also used by bench/cases/score.py."""
    import h5py
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import MinMaxScaler, StandardScaler
    with h5py.File(model_path, "r") as f:
        scale = f["meta"].attrs["scale"]
        scale = scale.decode() if isinstance(scale, bytes) else scale
        centres = f["centroids_scaled"][:].astype(np.float64)
        scaler = None
        if scale == "standard":
            scaler = StandardScaler()
            scaler.mean_, scaler.scale_ = f["scaler/mean"][:], f["scaler/scale"][:]
            scaler.var_ = scaler.scale_ ** 2
        elif scale == "minmax":
            scaler = MinMaxScaler()
            lo, span = f["scaler/min"][:], f["scaler/range"][:]
            scaler.scale_, scaler.min_ = 1.0 / span, -lo / span
            scaler.data_min_, scaler.data_range_ = lo, span
        if scaler is not None:
            scaler.n_features_in_ = centres.shape[1]
    km = KMeans(n_clusters=centres.shape[0], n_init=1)
    km.cluster_centers_ = centres
    km.n_features_in_ = centres.shape[1]
    km._n_threads = 1
    return scaler, km


def sklearn_churn(model_path):
    """A retain churn model file as (StandardScaler, LogisticRegression)
    whose predict_proba gives the model's churn probability."""
    import h5py
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    with h5py.File(model_path, "r") as f:
        scaler = StandardScaler()
        scaler.mean_, scaler.scale_ = f["scaler/mean"][:], f["scaler/scale"][:]
        scaler.var_ = scaler.scale_ ** 2
        coef = f["coef"][:]
        intercept = float(f["meta"].attrs["intercept"])
    scaler.n_features_in_ = coef.shape[0]
    lr = LogisticRegression()
    lr.coef_ = coef.reshape(1, -1)
    lr.intercept_ = np.array([intercept])
    lr.classes_ = np.array([0, 1])
    lr.n_features_in_ = coef.shape[0]
    return scaler, lr
