#!/usr/bin/python3
"""scikit-learn's KMeans on codes written by `Segmenter.Bench bench`, for a like-for-like k-means comparison.

Usage: kmeans_sklearn.py CODES.f32 N DIMS K
CODES.f32 holds N*DIMS float32 values, little-endian, row-major. Prints one JSON line:
{"seconds": fit time, "inertia": ..., "n_iter": ...}; the file read and the imports are not timed."""
import json, sys, time
import numpy as np
from sklearn.cluster import KMeans

path, n, dims, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
codes = np.fromfile(path, dtype='<f4').reshape(n, dims)
t = time.perf_counter()
km = KMeans(n_clusters=k, n_init=10, random_state=42).fit(codes)
seconds = time.perf_counter() - t
print(json.dumps({'seconds': seconds, 'inertia': float(km.inertia_), 'n_iter': int(km.n_iter_), 'n': n, 'dims': dims}))
