"""Text in Arrow string arrays: blank and padded values, and ids that are numbers.

Blank and padded values are found from each value's first and last byte.

Asking pyarrow whether a value is all blanks (``utf8_is_space``) reads every character of it, and a
column of non-ASCII titles takes 0.3 s a million rows that way.  A value that is empty, all blanks, or
padded starts (or ends) with an ASCII control or space byte, or with a byte of a multi-byte character
(some are Unicode blanks, such as the no-break space).  Those bytes are looked at in numpy over the
Arrow buffers; only the few values they leave in doubt are asked in full.

Ids written as a shared prefix and a number (Jira's ``PRJ-17``) are compared as those numbers
(:func:`prefixed_numbers`, :func:`repeats`), which needs no hash table of a million strings.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["blank_or_missing", "may_need_trim", "ascii_digits", "int64_digits", "plain_int64", "prefixed_numbers",
           "repeats"]


def blank_or_missing(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Which values are missing, empty, or all blanks (nothing left once stripped), as a numpy mask.

    The same answer as ``fill_null(binary_length == 0 | utf8_is_space, True)``, reading in full only
    the values whose first byte could begin a blank.

    Parameters
    ----------
    values : pyarrow.Array or pyarrow.ChunkedArray
        Text (``string`` or ``large_string``).

    Returns
    -------
    numpy.ndarray
        Booleans, one per value.
    """
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    if not chunks:
        return np.zeros(0, dtype=bool)
    return np.concatenate([_blank_chunk(chunk) for chunk in chunks])


def may_need_trim(chunk: pa.Array) -> bool:
    """Whether some value of ``chunk`` may start or end with a blank (True when the buffers cannot tell).

    Parameters
    ----------
    chunk : pyarrow.Array
        Text (``string`` or ``large_string``); another type answers True.

    Returns
    -------
    bool
        False only when no value can change under ``utf8_trim_whitespace``.
    """
    bounds = _bounds(chunk)
    if bounds is None:
        return True
    starts, ends, text = bounds
    if not len(text):
        return False  # no bytes: every value is empty or missing
    # Empty and missing values are not skipped: the byte their offsets point at is another value's first
    # (or last) byte, or one outside the values, which can only ask for a trim that changes nothing.
    # Offsets only grow, so only the last starts can point past the buffer.
    starts = starts[:np.searchsorted(starts, len(text))]
    return bool(_doubtful(text[starts]).any() or _doubtful(text[ends - 1]).any())


def _bounds(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Each value's start and end offset and the data bytes, as numpy views of the Arrow buffers."""
    if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
        return None
    _, offsets, data = chunk.buffers()
    width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    if offsets is None or len(chunk) == 0:
        empty = np.zeros(0, dtype=width)
        return empty, empty, np.zeros(0, dtype=np.uint8)
    bounds = np.frombuffer(offsets, dtype=width)[chunk.offset:chunk.offset + len(chunk) + 1]
    text = np.zeros(0, dtype=np.uint8) if data is None else np.frombuffer(data, dtype=np.uint8)
    return bounds[:-1], bounds[1:], text


def _doubtful(first_bytes: np.ndarray) -> np.ndarray:
    # Bytes outside 33..127 (control, space, DEL and multi-byte parts), in one comparison as uint8 wraps below 33.
    return (first_bytes - np.uint8(33)) > np.uint8(94)


def _blank_chunk(chunk: pa.Array) -> np.ndarray:
    n = len(chunk)
    if chunk.null_count == n:
        return np.ones(n, dtype=bool)  # a column the export lacks: no buffer to read
    bounds = _bounds(chunk)
    if bounds is None:
        raise TypeError(f"blank_or_missing reads text arrays, not {chunk.type}")
    starts, ends, text = bounds
    out = starts == ends  # empty or missing
    if len(text):
        # An empty value's start may point past the bytes: clipped, its byte is read and then ignored.
        doubt = _doubtful(text[np.minimum(starts, len(text) - 1)])
        doubt &= ~out
        if doubt.any():
            # Only these can be all blanks; asked in full (a handful in a clean export).
            at = np.flatnonzero(doubt)
            spaces = pc.fill_null(pc.utf8_is_space(chunk.take(pa.array(at))), False)
            out[at] = spaces.to_numpy(zero_copy_only=False)
    if chunk.null_count:
        out |= ~chunk.is_valid().to_numpy(zero_copy_only=False)
    return out


def ascii_digits(values: pa.Array) -> pa.Array:
    """Which values are one or more ASCII digits (what ``^\\d+$`` matches), in two passes without a regex."""
    return pc.fill_null(pc.and_(pc.string_is_ascii(values), pc.utf8_is_digit(values)), False)


def int64_digits(values: pa.Array, digits: pa.Array | None = None) -> pa.Array:
    """Which values are numbers int64 holds exactly as written (``^(?:0|[1-9]\\d{0,17})$``).

    No leading zero and at most 18 digits, so equal numbers are equal texts.  ``digits`` is
    :func:`ascii_digits` of ``values`` when the caller has it already.
    """
    digits = ascii_digits(values) if digits is None else digits
    length = pc.binary_length(values)
    leading_zero = pc.and_(pc.starts_with(values, "0"), pc.greater(length, 1))
    return pc.fill_null(pc.and_(pc.and_(digits, pc.less_equal(length, 18)), pc.invert(leading_zero)), False)


#: 1, 10, 100 ... 10**18: a non-negative int64 has as many digits as these it is at least (0 has one).
_POWERS_OF_TEN = 10 ** np.arange(19, dtype=np.int64)


def plain_int64(values: pa.Array | pa.ChunkedArray) -> np.ndarray | None:
    """Every value present as the number it is written as, when each is a plain number; else None.

    Plain is ASCII digits only, no sign, no leading zero, within int64 (what :func:`int64_digits`
    accepts, and 19-digit numbers up to int64's largest too), so equal numbers are equal texts.  Checked as a whole column: pyarrow's cast reads the numbers (and fails
    on anything else), and the digit count of each number must be its text's length, which leaves
    out signs and leading zeros; two passes instead of :func:`int64_digits`' dozen.

    Parameters
    ----------
    values : pyarrow.Array or pyarrow.ChunkedArray
        Text.

    Returns
    -------
    numpy.ndarray or None
        int64, one per value (0 where missing); None when some present value is not a plain number.
    """
    try:
        numbers = pc.cast(values, pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    number = pc.fill_null(numbers, 0).to_numpy()
    if len(number) and number.min() < 0:
        return None
    length = pc.fill_null(pc.binary_length(values), 1).to_numpy()
    # Text of L characters that casts to a number has at most L digits, exactly L when the number is at
    # least 10**(L-1) (0 has one digit): a sign, a blank or a leading zero fails that.  One gather and one
    # comparison, ~3x cheaper than counting each number's digits.
    if len(length) and (length.min() < 1 or length.max() > len(_POWERS_OF_TEN)):
        return None
    least = _POWERS_OF_TEN[length - 1]
    least[length == 1] = 0
    return number if bool((number >= least).all()) else None


def prefixed_numbers(arr: pa.Array | pa.ChunkedArray | None) -> np.ndarray | None:
    """Ids written as one shared prefix and a number (``PRJ-17``, ``12345``): the numbers; else None.

    Equal numbers are then equal ids (the prefix is the same and :func:`plain_int64` rules out
    leading zeros), so ids can be compared as integers instead of hashed as text.

    Parameters
    ----------
    arr : pyarrow.Array or pyarrow.ChunkedArray or None
        Text ids; None (a column not held in Arrow) or any other type gives None.

    Returns
    -------
    numpy.ndarray or None
        int64, one per id; None when an id is missing or does not fit the pattern.
    """
    if arr is None or not len(arr) or arr.null_count or not (
            pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return None
    first = arr[0].as_py()
    prefix = first.rstrip("0123456789")
    if not prefix.isascii() or not pc.all(pc.starts_with(arr, prefix)).as_py():
        return None
    numbers = pc.utf8_slice_codeunits(arr, len(prefix)) if prefix else arr  # ASCII prefix: one unit a letter
    return plain_int64(numbers)  # no id is missing, so no 0 stands for one


def repeats(numbers: np.ndarray) -> np.ndarray:
    """Which of ``numbers`` an earlier one equals: by a table indexed by number when they are close, else a sort.

    Parameters
    ----------
    numbers : numpy.ndarray
        One-dimensional integers (for example from :func:`prefixed_numbers`).

    Returns
    -------
    numpy.ndarray
        Booleans, True where the same number came before (``pandas.Series.duplicated``).
    """
    n = len(numbers)
    if n == 0:
        return np.zeros(0, dtype=bool)
    low = int(numbers.min())
    span = int(numbers.max()) - low + 1
    rows = np.arange(n, dtype=np.int64)
    if span <= 4 * n + 1024:
        first = np.full(span, n, dtype=np.int64)
        np.minimum.at(first, numbers - low, rows)
        return first[numbers - low] != rows
    order = np.argsort(numbers, kind="stable")  # equal numbers keep file order: the first is not a repeat
    out = np.zeros(n, dtype=bool)
    out[order[1:][numbers[order[1:]] == numbers[order[:-1]]]] = True
    return out
