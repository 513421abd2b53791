"""The one JSON encoder of tradewar's outputs (`--json`, the web API): NaN and infinities become
null, numpy scalars and arrays plain numbers and lists."""

from __future__ import annotations

import json
import math

import numpy as np


def jsonable(x):
    """A JSON-safe copy of `x`: NaN and infinities become None, numpy values plain Python ones."""
    if isinstance(x, dict):
        return {str(k) if not isinstance(k, str) else k: jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return jsonable(x.tolist())
    if isinstance(x, (np.floating, float)):
        x = float(x)
        return x if math.isfinite(x) else None
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    return x


def dumps(obj, **options) -> str:
    """`json.dumps` of `jsonable(obj)`, refusing anything that is still not JSON (allow_nan=False)."""
    return json.dumps(jsonable(obj), allow_nan=False, **options)
