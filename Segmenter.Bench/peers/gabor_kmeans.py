#!/usr/bin/python3
"""The Gabor filter-bank texture segmenter (Jain & Farrokhnia, 1991), a baseline row of `Segmenter.Bench quality`.

Usage:
  gabor_kmeans.py IMAGE --clusters K --labels OUT.png [--seed S] [--wavelengths 2,4,...] [--orientations N]
                  [--smoothing F] [--nonlinearity energy|tanh] [--log]
  gabor_kmeans.py --tune DIR [--seed S]        # grid search on a tuning set (k.txt, NAME.png, NAME.gt.png)

Method: the image's grey level (Rec. 601 luma) through a bank of even and odd Gabor filters (OpenCV's getGaborKernel,
bandwidth one octave: sigma = 0.56 × wavelength) at N orientations × the given wavelengths; each channel's response
put through the nonlinearity (energy: the quadrature pair's magnitude; tanh: a tanh of the even response in units of the
image's spread, taken absolute, as Jain & Farrokhnia's sigmoid), smoothed by a Gaussian of sigma = F × wavelength (their 'local energy' window),
optionally logged, each feature standardised, then k-means (scikit-learn, 10 restarts, the given seed). Prints one
JSON line {"total_s": ..., "features": ...}. The defaults (4 orientations, wavelengths 2-64 px, smoothing 1.5 x the
wavelength, energy, no log) scored best of the settings compared on the tuning mosaics (`texture_mosaics.py DIR --set
tune`; docs/textures.md); --tune runs the whole grid there, with k-means fitted on a sample to keep it to minutes.
"""
import argparse, itertools, json, os, sys, time
import numpy as np
import cv2
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

# The best of the settings compared on the tuning set (see the module's docstring and docs/textures.md).
DEFAULT_WAVELENGTHS = [2, 4, 8, 16, 32, 64]
DEFAULT_ORIENTATIONS = 4
DEFAULT_SMOOTHING = 1.5
DEFAULT_NONLINEARITY = "energy"
DEFAULT_LOG = False


def responses(gray, wavelengths, orientations, nonlinearity):
    """Each filter's rectified response, before smoothing: (wavelength, map) pairs."""
    gray = gray.astype(np.float32) / 255.0
    gray = gray - gray.mean()
    out = []
    for lam in wavelengths:
        sigma = 0.56 * lam
        size = int(2 * np.ceil(3 * sigma) + 1)
        for i in range(orientations):
            theta = np.pi * i / orientations
            even = cv2.getGaborKernel((size, size), sigma, theta, lam, 1.0, 0, ktype=cv2.CV_32F)
            even -= even.mean()  # no response to a flat area
            re = cv2.filter2D(gray, cv2.CV_32F, even, borderType=cv2.BORDER_REFLECT)
            if nonlinearity == "energy":
                odd = cv2.getGaborKernel((size, size), sigma, theta, lam, 1.0, np.pi / 2, ktype=cv2.CV_32F)
                im = cv2.filter2D(gray, cv2.CV_32F, odd, borderType=cv2.BORDER_REFLECT)
                r = np.sqrt(re * re + im * im)
            else:
                r = np.abs(np.tanh(re / (gray.std() + 1e-9)))
            out.append((lam, r))
    return out


def pooled(rs, smoothing, log):
    """Each response smoothed by a Gaussian of smoothing × its wavelength, optionally logged, standardised."""
    out = []
    for lam, r in rs:
        r = smooth(r, smoothing * lam)
        out.append(np.log(r + 1e-4) if log else r)
    f = np.stack(out, axis=-1).reshape(-1, len(out))
    return (f - f.mean(0)) / (f.std(0) + 1e-9)


def smooth(r, sigma):
    """Gaussian of sigma; a wide one on an area-averaged copy (a factor of sigma / 4), its result interpolated back
    (the same to a small fraction of the energies' spread, and seconds instead of minutes for sigma ~ 100 px)."""
    f = int(sigma // 4)
    if f < 2:
        return cv2.GaussianBlur(r, (0, 0), sigma, borderType=cv2.BORDER_REFLECT)
    h, w = r.shape
    small = cv2.resize(r, ((w + f - 1) // f, (h + f - 1) // f), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), sigma / f, borderType=cv2.BORDER_REFLECT)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def features(gray, wavelengths, orientations, smoothing, nonlinearity, log):
    return pooled(responses(gray, wavelengths, orientations, nonlinearity), smoothing, log)


def segment(rgb, k, seed, **kw):
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    f = features(gray, **kw)
    km = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(f)
    return km.labels_.reshape(gray.shape).astype(np.uint8)


def read_set(folder):
    items = []
    for line in open(os.path.join(folder, "k.txt")):
        parts = line.split()
        if len(parts) != 2:
            continue
        rgb = cv2.cvtColor(cv2.imread(os.path.join(folder, parts[0] + ".png")), cv2.COLOR_BGR2RGB)
        truth = cv2.imread(os.path.join(folder, parts[0] + ".gt.png"), cv2.IMREAD_UNCHANGED)
        items.append((parts[0], rgb, int(parts[1]), truth))
    return items


def tune(folder, seed):
    """Every combination of the grid on every tuning mosaic; the filter responses are computed once per image and
    k-means is fitted on a seeded sample of 20,000 pixels (4 restarts) so the grid fits in minutes."""
    items = read_set(folder)
    banks = {"4-32 (4)": [4, 8, 16, 32], "2-32 (5)": [2, 4, 8, 16, 32], "2-64 (6)": [2, 4, 8, 16, 32, 64],
             "4-64 (5)": [4, 8, 16, 32, 64]}
    grid = [(b, o, s, nl, lg) for b, o, nl, s, lg in
            itertools.product(banks.items(), [4, 6], ["energy"], [0.75, 1.0, 1.5, 2.0, 3.0], [False, True])]
    scores = {i: [] for i in range(len(grid))}
    rng = np.random.default_rng(seed)
    for name, rgb, k, truth in items:
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        cache = {}
        for i, ((bank, wl), orient, smooth, nl, log) in enumerate(grid):
            key = (bank, orient, nl)
            if key not in cache:
                cache.clear()  # the grid runs one bank, orientation count and nonlinearity at a time
                cache[key] = responses(gray, wl, orient, nl)
            f = pooled(cache[key], smooth, log)
            sample = rng.choice(len(f), min(20000, len(f)), replace=False)
            km = KMeans(n_clusters=k, n_init=4, random_state=seed).fit(f[sample])
            scores[i].append(adjusted_rand_score(truth.ravel(), km.predict(f)))
        print(json.dumps({"image": name, "done": True}), flush=True)
    results = []
    for i, ((bank, wl), orient, smooth, nl, log) in enumerate(grid):
        m = float(np.mean(scores[i]))
        results.append((m, bank, orient, smooth, nl, log))
        print(json.dumps({"mean_ari": round(m, 4), "bank": bank, "orientations": orient, "smoothing": smooth,
                          "nonlinearity": nl, "log": log, "aris": [round(a, 3) for a in scores[i]]}))
    best = max(results, key=lambda r: r[0])
    print(json.dumps({"best": {"mean_ari": best[0], "bank": best[1], "orientations": best[2], "smoothing": best[3],
                               "nonlinearity": best[4], "log": best[5]}}))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("image", nargs="?")
    ap.add_argument("--clusters", type=int)
    ap.add_argument("--labels")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--wavelengths", default=",".join(str(w) for w in DEFAULT_WAVELENGTHS))
    ap.add_argument("--orientations", type=int, default=DEFAULT_ORIENTATIONS)
    ap.add_argument("--smoothing", type=float, default=DEFAULT_SMOOTHING)
    ap.add_argument("--nonlinearity", choices=["energy", "tanh"], default=DEFAULT_NONLINEARITY)
    ap.add_argument("--log", action="store_true", default=DEFAULT_LOG)
    ap.add_argument("--tune")
    a = ap.parse_args()
    if a.tune:
        tune(a.tune, a.seed)
        return
    if not (a.image and a.clusters and a.labels):
        ap.error("IMAGE, --clusters and --labels are required (or --tune DIR)")
    t = time.perf_counter()
    bgr = cv2.imread(a.image, cv2.IMREAD_COLOR)
    if bgr is None:
        sys.exit(f"cannot read {a.image}")
    wl = [float(w) for w in a.wavelengths.split(",")]
    labels = segment(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), a.clusters, a.seed, wavelengths=wl,
                     orientations=a.orientations, smoothing=a.smoothing, nonlinearity=a.nonlinearity, log=a.log)
    cv2.imwrite(a.labels, labels)
    print(json.dumps({"total_s": time.perf_counter() - t, "features": len(wl) * a.orientations}))


if __name__ == "__main__":
    main()
