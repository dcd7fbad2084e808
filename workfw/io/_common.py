"""Small converters every reader shares: lists in cells, repeated columns, numbers."""
from __future__ import annotations

import re

import pandas as pd

__all__ = ["split_values", "gather_repeated", "to_number", "first_present", "count_values", "strip_formula_guard"]


def split_values(values: pd.Series, sep: str = ",") -> pd.Series:
    """Split delimited cells (``"a, b"``) into lists of stripped, non-empty strings."""
    text = values.astype("string")
    return pd.Series([[p.strip() for p in str(v).split(sep) if p.strip()] if v is not pd.NA else [] for v in text],
                     index=values.index, dtype=object)


def gather_repeated(frame: pd.DataFrame, columns: list[str], *, sep: str | None = None) -> pd.Series:
    """Join repeated columns (Jira's ``Labels``, ``Labels (2)``...) into one list per row."""
    if not columns:
        return pd.Series([[] for _ in range(len(frame))], index=frame.index, dtype=object)
    parts = frame[columns].astype("string")
    out = []
    for row in parts.itertuples(index=False, name=None):
        items: list[str] = []
        for v in row:
            if v is pd.NA or v is None:
                continue
            items.extend(p.strip() for p in (v.split(sep) if sep else [v]) if p.strip())
        out.append(list(dict.fromkeys(items)))
    return pd.Series(out, index=frame.index, dtype=object)


def to_number(values: pd.Series, *, column: str, warnings: list[str]) -> pd.Series:
    """Read numbers written as text (``"3"``, ``"2,5"``); unreadable values become NA with a warning."""
    text = values.astype("string").str.strip().str.replace(",", ".", regex=False)
    out = pd.to_numeric(text, errors="coerce").astype("Float64")
    # "inf" and "1e999" parse as numbers but are no estimate or count.
    out = out.mask(out.isin([float("inf"), float("-inf")]))
    bad = out.isna() & text.notna() & (text != "")
    if bad.any():
        warnings.append(f"Column {column!r}: {int(bad.sum())} values are not numbers (e.g. "
                        f"{values[bad].iloc[0]!r}) and were left empty.")
    return out


def first_present(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Return, per row, the first non-empty value among ``columns`` (NA when none)."""
    out = pd.Series(pd.NA, index=frame.index, dtype="string")
    for col in columns:
        if col in frame:
            out = out.fillna(frame[col].astype("string"))
    return out


def count_values(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Count non-empty cells across repeated columns (for example ``Comment``); NA when no column exists."""
    if not columns:
        return pd.Series(pd.NA, index=frame.index, dtype="Int64")
    return frame[columns].notna().sum(axis=1).astype("Int64")


_GUARD = re.compile(r"^'(?=[=+\-@])")


def strip_formula_guard(values: pd.Series) -> pd.Series:
    """Remove the ``'`` some trackers put before text starting with ``= + - @``."""
    return values.astype("string").str.replace(_GUARD, "", regex=True)
