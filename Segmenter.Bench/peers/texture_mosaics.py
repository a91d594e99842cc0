#!/usr/bin/python3
"""Natural-texture mosaics with ground truth, for `Segmenter.Bench quality --scenes DIR`.

Usage: texture_mosaics.py OUT_DIR [--set eval|tune]

Writes OUT_DIR/k.txt ("NAME K" lines), NAME.png (RGB) and NAME.gt.png (8-bit, value = region) in the layout the
quality command reads. The same set name always gives the same files (fixed seeds, no clock, no randomness besides
numpy's seeded generator).

Material: photographed textures that scikit-image ships (Debian's python3-skimage), all under CC0:
  brick  - skimage.data.brick(),  from CC0Textures "Bricks25" (CC0 1.0)
  grass  - skimage.data.grass(),  from DeviantArt "Grass-01" by linolafett (CC0 1.0)
  gravel - skimage.data.gravel(), from CC0Textures "Gravel04" (CC0 1.0)
plus brick and grass turned a quarter turn (a texture at another orientation is another texture to a segmenter).
Each mosaic is a Voronoi partition of the square into 5-12
cells, each cell given one of the mosaic's k textures (every texture at least one cell); every region's pixels are
then normalised to the same mean (128) and spread (standard deviation 40, clipped to 0-255) in each channel, so
colour cannot tell the regions apart. A region shows its texture as photographed (a window of the 512×512 source at a
random offset, never tiled or mirrored, so no seam or reflection makes a pattern of its own). The two sets share the
five textures and differ in their layouts, crops and texture combinations (seeds 2901 and 2902): a method tuned on
`tune` is scored on other mosaics of the same materials.
"""
import argparse, os
import numpy as np
import cv2
import skimage.data as data

MEAN, SPREAD = 128.0, 40.0

# (name, size, k, textures) per mosaic; each set's seed makes its layouts and crops.
MOSAICS = [
    ("brick_grass", 256, 2, ["brick", "grass"]),
    ("gravel_brick90", 256, 2, ["gravel", "brick90"]),
    ("grass_grass90", 256, 2, ["grass", "grass90"]),
    ("three_a", 320, 3, ["brick", "grass", "gravel"]),
    ("three_b", 384, 3, ["brick90", "gravel", "grass90"]),
    ("four", 384, 4, ["brick", "grass", "gravel", "brick90"]),
    ("four_b", 448, 4, ["grass90", "brick90", "grass", "gravel"]),
    ("five", 512, 5, ["brick", "grass", "gravel", "brick90", "grass90"]),
]
SEEDS = {"eval": 2901, "tune": 2902}


def source(name):
    """One texture as a float 512×512 array."""
    base = {"brick": data.brick, "brick90": data.brick, "grass": data.grass, "grass90": data.grass,
            "gravel": data.gravel}[name]().astype(np.float64)
    return np.rot90(base) if name.endswith("90") else base


def texture_field(tex, size, rng):
    """A size×size window of the texture at a random offset."""
    y, x = rng.integers(0, tex.shape[0] - size + 1), rng.integers(0, tex.shape[1] - size + 1)
    return tex[y:y + size, x:x + size]


def voronoi(size, k, rng):
    """Region labels: 5-12 Voronoi cells, each assigned a texture, every texture used at least once."""
    cells = int(rng.integers(max(5, k + 1), 13))
    points = rng.uniform(0, size, (cells, 2))
    owner = np.concatenate([rng.permutation(k), rng.integers(0, k, cells - k)])
    yy, xx = np.mgrid[0:size, 0:size]
    d = (yy[..., None] - points[:, 0]) ** 2 + (xx[..., None] - points[:, 1]) ** 2
    return owner[np.argmin(d, axis=2)].astype(np.uint8)


def mosaic(size, k, names, rng):
    truth = voronoi(size, k, rng)
    image = np.zeros((size, size), np.float64)
    for region, name in enumerate(names):
        field = texture_field(source(name), size, rng)
        mask = truth == region
        values = field[mask]
        image[mask] = (values - values.mean()) / max(values.std(), 1e-9) * SPREAD + MEAN
    gray = np.clip(np.rint(image), 0, 255).astype(np.uint8)
    return np.dstack([gray] * 3), truth


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--set", choices=sorted(SEEDS), default="eval")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rng = np.random.default_rng(SEEDS[a.set])
    lines = []
    for name, size, k, names in MOSAICS:
        rgb, truth = mosaic(size, k, names, rng)
        cv2.imwrite(os.path.join(a.out, name + ".png"), rgb[:, :, ::-1])
        cv2.imwrite(os.path.join(a.out, name + ".gt.png"), truth)
        lines.append(f"{name} {k}")
    with open(os.path.join(a.out, "k.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(lines)} mosaics ({a.set}) to {a.out}")


if __name__ == "__main__":
    main()
