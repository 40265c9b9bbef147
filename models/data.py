"""Real photographs for training and validation, from Debian packages.

    /usr/bin/python3 models/data.py fetch      # download, extract, select, downscale, cache
    /usr/bin/python3 models/data.py list       # what is cached, with the split

Sources (Debian bookworm, fetched with `apt-get download`, unpacked with `dpkg -x`):
- python3-skimage: skimage/data natural photos (colour ones as they are; a few grayscale
  photographs replicated to RGB). Synthetic test patterns (checkerboards, text, logos,
  silhouettes, palettes) and already-degraded images (clock_motion) are skipped.
- plasma-workspace-wallpapers: the photographs (not the artworks/abstract renders), largest
  resolution, downscaled with area interpolation so the short side is 768 px.
The split is fixed by name in models/data_split.json (committed). Everything under models/data/
is gitignored; decoded arrays are cached as uint8 RGB .npy files in models/data/images/.
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA_DIR = os.path.join(HERE, "data")
IMG_DIR = os.path.join(DATA_DIR, "images")
SPLIT_FILE = os.path.join(HERE, "data_split.json")

SKIMAGE_COLOR = ["astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg", "motorcycle_left.png"]
SKIMAGE_GRAY = ["camera.png", "coins.png", "grass.png", "brick.png"]
WALLPAPER_PHOTOS = ["BytheWater", "ColdRipple", "ColorfulCups", "DarkestHour", "EveningGlow",
                    "FallenLeaf", "Grey", "Kite", "OneStandsOut", "Path", "summer_1am"]
WALLPAPER_SHORT_SIDE = 768


def _name_to_file(name):
    return os.path.join(IMG_DIR, name.replace("/", "__") + ".npy")


def load_split():
    with open(SPLIT_FILE) as f:
        return json.load(f)


def load_images(split):
    """List of (name, uint8 array HxWx3 RGB) for split 'train' or 'val'."""
    names = load_split()[split]
    out = []
    for n in names:
        p = _name_to_file(n)
        if not os.path.exists(p):
            raise FileNotFoundError(f"{p} missing: run `/usr/bin/python3 models/data.py fetch` first")
        out.append((n, np.load(p)))
    return out


def image_path(name):
    return _name_to_file(name)


def fetch(keep_tmp=False):
    import cv2

    os.makedirs(IMG_DIR, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="dpmambair-data-")
    try:
        pkgs = ["python3-skimage", "plasma-workspace-wallpapers"]
        r = subprocess.run(["apt-get", "download"] + pkgs, cwd=tmp)
        if r.returncode != 0:
            subprocess.run(["apt-get", "update"], check=True)
            subprocess.run(["apt-get", "download"] + pkgs, cwd=tmp, check=True)
        root = os.path.join(tmp, "x")
        for deb in glob.glob(os.path.join(tmp, "*.deb")):
            subprocess.run(["dpkg", "-x", deb, root], check=True)
        sk = glob.glob(os.path.join(root, "usr/lib/python3/dist-packages/skimage/data"))[0]
        n = 0
        for fn in SKIMAGE_COLOR + SKIMAGE_GRAY:
            im = cv2.imread(os.path.join(sk, fn), cv2.IMREAD_COLOR)  # gray -> 3 equal channels
            if im is None:
                print("skip (unreadable)", fn)
                continue
            rgb = np.ascontiguousarray(im[:, :, ::-1])
            np.save(_name_to_file("skimage/" + os.path.splitext(fn)[0]), rgb)
            n += 1
        wp = os.path.join(root, "usr/share/wallpapers")
        for d in WALLPAPER_PHOTOS:
            files = glob.glob(os.path.join(wp, d, "contents/images/*"))
            if not files:
                print("skip (missing)", d)
                continue
            # the largest rendition
            best = max(files, key=lambda f: os.path.getsize(f))
            im = cv2.imread(best, cv2.IMREAD_COLOR)
            h, w = im.shape[:2]
            s = WALLPAPER_SHORT_SIDE / min(h, w)
            if s < 1:
                im = cv2.resize(im, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
            np.save(_name_to_file("wallpaper/" + d), np.ascontiguousarray(im[:, :, ::-1]))
            n += 1
        print(f"cached {n} images in {IMG_DIR}")
    finally:
        if not keep_tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def main(argv):
    cmd = argv[1] if len(argv) > 1 else "list"
    if cmd == "fetch":
        fetch()
    split = load_split()
    for k in ("train", "val"):
        for n in split[k]:
            p = _name_to_file(n)
            shape = np.load(p, mmap_mode="r").shape if os.path.exists(p) else "MISSING"
            print(f"{k:5s} {n:28s} {shape}")


if __name__ == "__main__":
    main(sys.argv)
