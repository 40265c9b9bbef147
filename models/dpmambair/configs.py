"""Model configurations (docs/model-spec.md, section "Config").

Each config is a plain dict with exactly the JSON keys of the spec, so it can be written
verbatim into `<name>.json`.
"""
import copy
import math

CONFIGS = {
    "tiny": {
        "name": "tiny", "dim": 8, "blocks": [1, 1, 1, 1], "refinementBlocks": 1, "expand": 1,
        "dState": 2, "embedDim": 8, "promptDim": 8,
        "extractor": {"dim": 4, "stages": 1, "cdcKernels": [3, 5], "plainKernel": 3, "theta": 0.7},
    },
    "small": {
        "name": "small", "dim": 16, "blocks": [1, 1, 2, 2], "refinementBlocks": 1, "expand": 1,
        "dState": 4, "embedDim": 64, "promptDim": 32,
        "extractor": {"dim": 8, "stages": 2, "cdcKernels": [3, 5, 7, 9], "plainKernel": 3, "theta": 0.7},
    },
    "paper": {
        "name": "paper", "dim": 48, "blocks": [4, 6, 6, 8], "refinementBlocks": 4, "expand": 2,
        "dState": 16, "embedDim": 512, "promptDim": 128,
        "extractor": {"dim": 32, "stages": 3, "cdcKernels": [3, 5, 7, 9], "plainKernel": 3, "theta": 0.7},
    },
}

CONFIG_KEYS = ["name", "dim", "blocks", "refinementBlocks", "expand", "dState", "embedDim",
               "promptDim", "extractor"]
EXTRACTOR_KEYS = ["dim", "stages", "cdcKernels", "plainKernel", "theta"]


def get_config(name):
    if name not in CONFIGS:
        raise KeyError(f"unknown config {name!r}; known: {sorted(CONFIGS)}")
    return copy.deepcopy(CONFIGS[name])


def validate_config(cfg):
    if sorted(cfg) != sorted(CONFIG_KEYS):
        raise ValueError(f"config keys {sorted(cfg)} != {sorted(CONFIG_KEYS)}")
    if sorted(cfg["extractor"]) != sorted(EXTRACTOR_KEYS):
        raise ValueError(f"extractor keys {sorted(cfg['extractor'])} != {sorted(EXTRACTOR_KEYS)}")
    if len(cfg["blocks"]) != 4:
        raise ValueError("blocks must have 4 entries")
    return cfg


def dt_rank(width):
    return int(math.ceil(width / 16))
