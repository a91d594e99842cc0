#!/usr/bin/python3
"""The classical region baseline for `Segmenter.Bench quality`: a Felzenszwalb-Huttenlocher over-segmentation
(scikit-image) whose adjacent regions are merged greedily by Ward's criterion until K connected regions remain.

Usage: felzenszwalb_merge.py IMAGE K LABELS.png [--scale S] [--spread-sigma SIGMA] [--spread-weight W] [--min-size N]

Each region is described by its mean CIE Lab colour and, with --spread-sigma > 0, by the mean local spread of Lab
around its pixels (the per-channel standard deviation under a Gaussian window of that sigma, in pixels), scaled by
--spread-weight: textured and flat regions of the same mean colour then differ. Two regions are adjacent when a pixel
of one touches a pixel of the other (4-neighbourhood). The merge joins the adjacent pair whose Ward cost,
n_a*n_b/(n_a+n_b) * |mean_a - mean_b|^2, is smallest, until K regions are left (fewer only when the image has fewer
connected pieces). Writes the label map (8-bit PNG, value = region) and prints one JSON line:
{"seconds": ..., "segments": over-segmentation size, "regions": regions written}; reading and writing are not timed.
"""
import argparse, heapq, json, time

import numpy as np
from scipy import ndimage
from skimage import color, io, measure, segmentation


def region_features(image, labels, count, spread_sigma, spread_weight):
    lab = color.rgb2lab(image)
    channels = [lab[..., c] for c in range(3)]
    if spread_sigma > 0:
        for c in range(3):
            mean = ndimage.gaussian_filter(lab[..., c], spread_sigma)
            square = ndimage.gaussian_filter(lab[..., c] ** 2, spread_sigma)
            channels.append(spread_weight * np.sqrt(np.maximum(square - mean ** 2, 0)))
    flat = labels.ravel()
    sizes = np.bincount(flat, minlength=count).astype(np.float64)
    means = np.stack([np.bincount(flat, weights=ch.ravel(), minlength=count) for ch in channels], axis=1) / sizes[:, None]
    return sizes, means


def adjacent_pairs(labels):
    pairs = set()
    for a, b in ((labels[:, :-1], labels[:, 1:]), (labels[:-1, :], labels[1:, :])):
        differ = a != b
        lo, hi = np.minimum(a[differ], b[differ]), np.maximum(a[differ], b[differ])
        pairs.update(zip(lo.tolist(), hi.tolist()))
    return pairs


def ward(size_a, mean_a, size_b, mean_b):
    d = mean_a - mean_b
    return size_a * size_b / (size_a + size_b) * float(d @ d)


def merge_to(labels, sizes, means, k):
    """Greedy Ward merging of adjacent regions down to k; returns each over-segment's final region."""
    count = len(sizes)
    parent = list(range(count))
    neighbours = [set() for _ in range(count)]
    for a, b in adjacent_pairs(labels):
        neighbours[a].add(b)
        neighbours[b].add(a)
    sizes, means = list(sizes), [m for m in means]
    version = [0] * count
    heap = [(ward(sizes[a], means[a], sizes[b], means[b]), a, b, 0, 0) for a in range(count) for b in neighbours[a] if a < b]
    heapq.heapify(heap)
    alive = count
    while alive > k and heap:
        cost, a, b, va, vb = heapq.heappop(heap)
        if parent[a] != a or parent[b] != b or version[a] != va or version[b] != vb:
            continue
        # b joins a
        total = sizes[a] + sizes[b]
        means[a] = (sizes[a] * means[a] + sizes[b] * means[b]) / total
        sizes[a] = total
        parent[b] = a
        neighbours[a] |= neighbours[b]
        neighbours[a] -= {a, b}
        for n in neighbours[b]:
            if n != a:
                neighbours[n].discard(b)
                neighbours[n].add(a)
        neighbours[b] = set()
        version[a] += 1
        alive -= 1
        for n in neighbours[a]:
            x, y = (a, n) if a < n else (n, a)
            heapq.heappush(heap, (ward(sizes[x], means[x], sizes[y], means[y]), x, y, version[x], version[y]))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    roots = np.array([root(i) for i in range(count)])
    _, final = np.unique(roots, return_inverse=True)
    return final


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('image'); ap.add_argument('k', type=int); ap.add_argument('labels')
    ap.add_argument('--scale', type=float, default=500)
    ap.add_argument('--sigma', type=float, default=0.8)
    ap.add_argument('--min-size', type=int, default=20)
    ap.add_argument('--spread-sigma', type=float, default=4)
    ap.add_argument('--spread-weight', type=float, default=1)
    args = ap.parse_args()
    image = io.imread(args.image)
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    image = image[..., :3]
    t = time.perf_counter()
    segments = segmentation.felzenszwalb(image, scale=args.scale, sigma=args.sigma, min_size=args.min_size)
    # FH's segments may touch only diagonally; the merge and the result count 4-connected pieces.
    pieces = measure.label(segments, background=-1, connectivity=1) - 1
    count = int(pieces.max() + 1)
    sizes, means = region_features(image, pieces, count, args.spread_sigma, args.spread_weight)
    final = merge_to(pieces, sizes, means, args.k)
    labels = final[pieces]
    seconds = time.perf_counter() - t
    io.imsave(args.labels, labels.astype(np.uint8), check_contrast=False)
    print(json.dumps({'seconds': seconds, 'segments': int(count), 'regions': int(final.max() + 1)}))


if __name__ == '__main__':
    main()
