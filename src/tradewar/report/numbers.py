"""Numbers as people read them: fixed decimals, thousands separated, never "-0.00"."""

from __future__ import annotations

import math


def format_number(value, digits: int, signed: bool = True) -> str:
    """`value` with `digits` decimals (negative: rounded to 10^-digits, thousands separated);
    never "-0.00": a value that rounds to zero prints unsigned. NaN and None print "-"."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    x = float(value)
    if not math.isfinite(x):
        return "-"
    x = round(x, digits)
    if x == 0:
        x = 0.0
    if digits < 0:
        text = f"{x:,.0f}"
        return ("+" + text) if signed and x > 0 else text
    text = f"{x:.{digits}f}"
    return ("+" + text) if signed and x > 0 else text
