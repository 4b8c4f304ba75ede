"""scikit-learn's side of bench/sklearn.ts: reads the float32 matrix and the parameters it wrote, runs DBSCAN,
agglomerative (average, single, complete, Ward linkage), k-means (explicit initial centres) and affinity propagation `--repeat` times each, writes each method's
labels (int32) and prints the times as JSON. Debian /usr/bin/python3 with python3-sklearn (1.2.1)."""
import json, sys, time
import numpy as np
import sklearn
from sklearn.cluster import DBSCAN, AgglomerativeClustering, KMeans, AffinityPropagation

work = sys.argv[1]
p = json.load(open(f"{work}/params.json"))
x = np.fromfile(f"{work}/x.f32", dtype=np.float32).reshape(p["n"], p["d"])
init = np.fromfile(f"{work}/init.f32", dtype=np.float32).reshape(p["k"], p["d"])
runs = {
    "dbscan": lambda: DBSCAN(eps=p["eps"], min_samples=p["minSamples"]).fit(x).labels_,
    "agglomerative": lambda: AgglomerativeClustering(n_clusters=None, distance_threshold=p["threshold"], linkage="average").fit(x).labels_,
    "kmeans": lambda: KMeans(n_clusters=p["k"], init=init, n_init=1, max_iter=p["maxIter"], tol=p["tol"], algorithm="lloyd").fit(x).labels_,
    "single": lambda: AgglomerativeClustering(n_clusters=None, distance_threshold=p["thresholds"]["single"], linkage="single").fit(x).labels_,
    "complete": lambda: AgglomerativeClustering(n_clusters=None, distance_threshold=p["thresholds"]["complete"], linkage="complete").fit(x).labels_,
    "ward": lambda: AgglomerativeClustering(n_clusters=None, distance_threshold=p["thresholds"]["ward"], linkage="ward").fit(x).labels_,
    "affinity": lambda: AffinityPropagation(damping=p["damping"], preference=p["preference"], max_iter=p["apMaxIter"], convergence_iter=p["convergenceIter"], random_state=0).fit(x).labels_,
}
def affinity_exact():
    """scikit-learn's own algorithm (_affinity_propagation) on float64 similarities without its random noise: the
    estimator above works in the dtype of X (float32 here) and adds noise, so its partition is not ours by design."""
    import sklearn.cluster._affinity_propagation as apm
    from sklearn.metrics.pairwise import euclidean_distances

    class NoNoise:
        def standard_normal(self, size):
            return np.zeros(size)

    S = -euclidean_distances(x.astype(np.float64), squared=True)
    _, labels = apm._affinity_propagation(S, preference=np.array(p["preference"]), convergence_iter=p["convergenceIter"], max_iter=p["apMaxIter"], damping=p["damping"], verbose=False, return_n_iter=False, random_state=NoNoise())
    return labels


runs["affinity-exact"] = affinity_exact
out = {"sklearn": sklearn.__version__, "numpy": np.__version__, "times": {}, "cpu": {}}
for name in p["methods"]:
    times, cpu = [], []
    for _ in range(p["repeat"]):
        c0 = time.process_time()
        t0 = time.perf_counter()
        labels = runs[name]()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)  # every thread of the process
    labels.astype(np.int32).tofile(f"{work}/{name}.sklearn.i32")
    out["times"][name] = times
    out["cpu"][name] = cpu
print(json.dumps(out))
