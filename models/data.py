"""Real photographs for training and validation, from Debian packages.

    /usr/bin/python3 models/data.py fetch      # download, extract, select, downscale, cache
    /usr/bin/python3 models/data.py list       # what is cached, with the split

Sources (Debian bookworm, fetched with `apt-get download`, unpacked with `dpkg -x`):
- python3-skimage: skimage/data natural photos (colour ones as they are; a few grayscale
  photographs replicated to RGB). Synthetic test patterns (checkerboards, text, logos,
  silhouettes, palettes) and already-degraded images (clock_motion) are skipped.
- plasma-workspace-wallpapers: the photographs (not the artworks/abstract renders), largest
  resolution, downscaled with area interpolation so the short side is 768 px.
- lomiri-wallpapers-20.04: its two photographs (the other two are renders); as the wallpapers.
- ukui-wallpapers: fetched and looked at, but every file is a render or abstract art: none kept.
- opencv-doc (examples/data): the natural colour photographs (no test patterns, text, logos,
  renders, calibration boards or duplicated stereo/affine views).
- gcompris-qt-data: the photographs inside the Qt resource bundles (.rcc, parsed here) of the
  activities erase, explore_farm_animals, explore_monuments, explore_world_animals and clickgame
  (its sea photos). photo_hunter holds SVG drawings, lang/details hold drawings and paintings.
  These sources are lossy (JPEG; WebP in the bundles): each is downscaled by at least 2x (area),
  to a short side of at most 384 px, so that its compression artefacts vanish from the clean
  targets, and skipped if the short side is then under 192 px.
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
LOMIRI_PHOTOS = ["Infinite-Sea_by_Aury88", "Kleiber_by_Lukas_Baubkus"]
OPENCV_PHOTOS = ["aero1.jpg", "aloeL.jpg", "apple.jpg", "baboon.jpg", "building.jpg",
                 "chicky_512.png", "ela_original.jpg", "fruits.jpg", "graf1.png", "home.jpg", "leuvenA.jpg",
                 "left.jpg", "orange.jpg", "rubberwhale1.png", "squirrel_cls.jpg", "stuff.jpg"]
GCOMPRIS_BUNDLES = {"erase": "", "explore_farm_animals": "", "explore_monuments": "",
                    "explore_world_animals": "", "clickgame": "sea"}   # bundle -> file-name prefix kept
LOSSY_MAX_SHORT_SIDE, LOSSY_MIN_SHORT_SIDE = 384, 192


def _name_to_file(name):
    return os.path.join(IMG_DIR, name.replace("/", "__") + ".npy")


def load_split():
    with open(SPLIT_FILE) as f:
        return json.load(f)


def load_images(split):
    """List of (name, uint8 array HxWx3 RGB) for split 'train', 'val' or 'val_extra'."""
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


def read_rcc(path):
    """[(resource path, bytes)] of the files in a Qt resource bundle (.rcc, format versions 1-3:
    header 'qres', a tree of 14-byte nodes (+8 bytes mtime from v2), UTF-16 names, and data
    blobs, zlib-compressed when flag 1 is set). zstd-compressed entries (flag 4) are skipped."""
    import struct
    import zlib

    b = open(path, "rb").read()
    if b[:4] != b"qres":
        raise ValueError(f"{path}: not a Qt resource bundle")
    ver, tree, data, names = struct.unpack(">IIII", b[4:20])
    node = 14 + (8 if ver >= 2 else 0)

    def name(off):
        o = names + off
        n = struct.unpack(">H", b[o:o + 2])[0]
        return b[o + 6:o + 6 + 2 * n].decode("utf-16-be")

    out = []

    def walk(i, prefix):
        o = tree + i * node
        noff, flags = struct.unpack(">IH", b[o:o + 6])
        nm = name(noff) if i else ""
        if flags & 2:   # directory: child count, first child index
            cnt, first = struct.unpack(">II", b[o + 6:o + 14])
            for c in range(cnt):
                walk(first + c, prefix + nm + "/")
        elif not flags & 4:
            p = data + struct.unpack(">I", b[o + 10:o + 14])[0]
            size = struct.unpack(">I", b[p:p + 4])[0]
            blob = b[p + 4:p + 4 + size]
            out.append((prefix + nm, zlib.decompress(blob[4:]) if flags & 1 else blob))

    walk(0, "")
    return out


def _to_wallpaper_size(im):
    """Area-downscale a large wallpaper photo to a short side of 768 px (smaller ones as they are)."""
    import cv2

    h, w = im.shape[:2]
    s = WALLPAPER_SHORT_SIDE / min(h, w)
    return cv2.resize(im, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA) if s < 1 else im


def _downscale_lossy(rgb):
    """Area-downscale a lossy-coded photo by >= 2x (short side <= 384) so its artefacts vanish;
    None if it is then too small."""
    import cv2

    h, w = rgb.shape[:2]
    s = min(0.5, LOSSY_MAX_SHORT_SIDE / min(h, w))
    if min(h, w) * s < LOSSY_MIN_SHORT_SIDE:
        return None
    return cv2.resize(rgb, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)


def fetch(keep_tmp=False):
    import cv2

    os.makedirs(IMG_DIR, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="dpmambair-data-")
    try:
        pkgs = ["python3-skimage", "plasma-workspace-wallpapers", "lomiri-wallpapers-20.04",
                "opencv-doc", "gcompris-qt-data"]
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
            im = _to_wallpaper_size(cv2.imread(best, cv2.IMREAD_COLOR))
            np.save(_name_to_file("wallpaper/" + d), np.ascontiguousarray(im[:, :, ::-1]))
            n += 1
        for d in LOMIRI_PHOTOS:
            im = _to_wallpaper_size(cv2.imread(os.path.join(root, "usr/share/backgrounds", d + ".jpg"), cv2.IMREAD_COLOR))
            np.save(_name_to_file("lomiri/" + d), np.ascontiguousarray(im[:, :, ::-1]))
            n += 1
        cvdata = os.path.join(root, "usr/share/doc/opencv-doc/examples/data")
        for fn in OPENCV_PHOTOS:
            im = cv2.imread(os.path.join(cvdata, fn), cv2.IMREAD_COLOR)
            im = None if im is None else _downscale_lossy(im)
            if im is None:
                print("skip (missing or too small)", fn)
                continue
            np.save(_name_to_file("opencv/" + os.path.splitext(fn)[0]), np.ascontiguousarray(im[:, :, ::-1]))
            n += 1
        rcc = os.path.join(root, "usr/share/gcompris-qt/rcc")
        for bundle, prefix in GCOMPRIS_BUNDLES.items():
            for res, blob in read_rcc(os.path.join(rcc, bundle + ".rcc")):
                base = os.path.basename(res)
                stem, ext = os.path.splitext(base)
                if ext.lower() not in (".webp", ".jpg", ".jpeg", ".png") or not stem.startswith(prefix):
                    continue
                im = cv2.imdecode(np.frombuffer(blob, np.uint8), cv2.IMREAD_COLOR)
                im = None if im is None else _downscale_lossy(im)
                if im is None:
                    continue
                np.save(_name_to_file(f"gcompris/{bundle}/{stem}"), np.ascontiguousarray(im[:, :, ::-1]))
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
    for k in ("train", "val", "val_extra"):
        for n in split.get(k, []):
            p = _name_to_file(n)
            shape = np.load(p, mmap_mode="r").shape if os.path.exists(p) else "MISSING"
            print(f"{k:5s} {n:28s} {shape}")


if __name__ == "__main__":
    main(sys.argv)
