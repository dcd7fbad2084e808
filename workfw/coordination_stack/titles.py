"""Titles compared for the Coordination Stack's "duplicates" signal: normalised once per export, as codes.

A title repeats another when their normalised text is the same: lower case, each
run of anything but letters and digits as one space.  Only equality matters, so
a title gets a code that is shared exactly by the titles equal to it.  Putting a
million distinct titles in a hash table costs ~0.2-0.35 s, so each title first
gets a 64-bit hash of its bytes worked out on whole numpy arrays, and only the
titles whose hash another title has too go into a table.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workfw.coordination_stack.facts import _contains_per_value
from workfw.core import large_text, mostly_repeated

__all__ = ["title_codes"]

# Odd multipliers that scramble the hashes (any will do: two titles whose hashes clash are only compared in full).
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))
# Buckets per round of :func:`_shared_keys`: about four per title at a million titles.
_BUCKET_BITS = 22


def title_codes(tasks: pd.DataFrame) -> pd.DataFrame:
    """Per task: ``said`` (resolved or marked duplicate), ``long`` (3+ title words), ``code`` of the normalised title.

    Parameters
    ----------
    tasks : pandas.DataFrame
        A task table.

    Returns
    -------
    pandas.DataFrame
        On ``tasks``' index.  ``code`` is int64, -1 without a title; two tasks share a code exactly when their
        normalised titles are the same (the codes follow no order).
    """
    said = (_contains_per_value(tasks["resolution"], "duplicate")
            | _contains_per_value(tasks["status"], "duplicate"))
    text = large_text(tasks["title"])
    # Titles repeat (templates, bots, recurring chores): each distinct title is normalised once.  Hashing every
    # title first pays as soon as a fifth of them repeat: a few thousand distinct titles of a million (half of a
    # sample distinct) are hashed in ~0.02 s, while rewriting the punctuation of all of them takes over a second.
    if mostly_repeated(text, share=0.8):
        coded = pc.dictionary_encode(text)
        norm_code, words = _normalised(coded.dictionary)
        which = pc.fill_null(coded.indices, -1).to_numpy(zero_copy_only=False)
        codes, words = np.append(norm_code, -1)[which], np.append(words, 0)[which]
    else:
        codes, words = _normalised(text)
    # Short titles ("Bug", "Fix login") repeat innocently, so only titles of 3+ words count as copies.
    return pd.DataFrame({"said": said.to_numpy(dtype=bool), "long": words >= 3, "code": codes}, index=tasks.index)


def _normalised(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Per title: a code of its normalised text (-1: no title) and its words (0: no title).

    Normalised is lower case with each run of anything but letters and digits as one space, so the words are
    what lies between spaces (an end space makes an empty word, as a whitespace split would): no list of words
    is built.
    """
    lower = pc.utf8_lower(text)
    # Most titles are already plain words between single spaces, which the rewrite would leave as they are:
    # only the others (found by a search far cheaper than the rewrite) go through it.
    odd = pc.fill_null(pc.match_substring_regex(lower, r"[^a-z0-9 ]|  "), False)
    if pc.any(odd).as_py():
        lower = pc.replace_with_mask(lower, odd,
                                     pc.replace_substring_regex(lower.filter(odd), r"[^\p{L}\p{N}]+", " "))
    words = pc.fill_null(pc.add(pc.count_substring(lower, " "), 1), 0).to_numpy(zero_copy_only=False)
    # Splitting the column into two halves on two threads (these kernels let go of the GIL) measured no faster
    # on two shared cores, so it is worked out in one piece.
    return _equal_codes(lower), words.astype(np.int64)


def _equal_codes(text: pa.Array) -> np.ndarray:
    """A code per value shared exactly by the equal values (-1: null).

    Equal values have the same :func:`_keys`, so a value whose key no other value has is unlike every other and
    gets a code of its own (its position, past the hashed codes); only values with a shared key are hashed.
    """
    n = len(text)
    valid = text.is_valid().to_numpy(zero_copy_only=False)
    maybe = np.zeros(n, dtype=bool)
    maybe[_shared_keys(_keys(text), np.flatnonzero(valid))] = True
    codes = np.where(valid, np.arange(n, dtype=np.int64) + n, -1)
    if maybe.any():
        hashed = pc.dictionary_encode(text.filter(pa.array(maybe)))
        codes[maybe] = hashed.indices.to_numpy(zero_copy_only=False)
    return codes


def _shared_keys(keys: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Those of ``rows`` whose key may be shared with another of them: each that is, and a few that are not.

    Keys are dropped into buckets by counting (a hash table of a million keys costs ~0.15 s, counting ~0.01 s):
    a key alone in its bucket is shared with none.  Each round spreads the keys left by another hash, so
    unshared keys that met by chance part.
    """
    for mix in _MIX:
        if len(rows) < 2:
            return rows[:0]
        key = keys[rows]
        bucket = ((key ^ (key >> np.uint64(29))) * mix) >> np.uint64(64 - _BUCKET_BITS)
        bucket = bucket.astype(np.intp)
        rows = rows[np.bincount(bucket, minlength=1 << _BUCKET_BITS)[bucket] >= 2]
    return rows


def _keys(text: pa.Array) -> np.ndarray:
    """A 64-bit hash of each value's bytes (equal values share it), worked out on whole arrays.

    Each value is read as eight-byte words: the k-th words of every value long enough to have one at a time
    (titles are a few words long, so a few rounds), each scrambled with its place and added up.
    """
    n = len(text)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    if not pa.types.is_large_string(text.type):
        text = text.cast(pa.large_string())
    _, offset_buffer, data_buffer = text.buffers()
    offsets = np.frombuffer(offset_buffer, dtype=np.int64)[text.offset:text.offset + n + 1]
    end = int(offsets[-1])
    # Eight bytes read from any position (the buffer padded so the last value's read stays inside it).
    padded = np.zeros(end + 8, dtype=np.uint8)
    if end:
        padded[:end] = np.frombuffer(data_buffer, dtype=np.uint8)[:end]
    eights = np.ndarray((end + 1,), dtype="<u8", buffer=padded, strides=(1,))
    start, size = offsets[:-1], np.diff(offsets)
    keys = size.astype(np.uint64) * _MIX[2]
    rows = np.arange(n)
    place = 0
    while len(rows):
        left = size[rows] - place
        word = eights[start[rows] + place]
        # Bytes past a value's end belong to the next value: masked off.
        short = left < 8
        if short.any():
            bits = (np.clip(left[short], 0, 7) * 8).astype(np.uint64)
            word[short] &= (np.uint64(1) << bits) - np.uint64(1)
        word += np.uint64(place * int(_MIX[1]) % (1 << 64))
        word ^= word >> np.uint64(31)
        word *= _MIX[0]
        word ^= word >> np.uint64(29)
        keys[rows] += word
        place += 8
        rows = rows[~short]
    return keys
