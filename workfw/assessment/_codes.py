"""Short copy-paste codes for participants who answer on their own Binder session.

A code looks like ``WF2-C4-AYBQ2CJQ...-K3PA``: the format version, the
framework, then base32 text (letters A-Z and digits 2-7, so it survives chat
tools, e-mail and reading aloud; case does not matter) and a 4-character
checksum that catches typos.  The base32 part packs, in this order:

* the number of statements (1 byte),
* the answers in bank order as one base-7 number (0 = skipped, 1-5 = the
  answer, 6 = "don't know"): 12 answers take 5 bytes,
* ``submitted_at`` as seconds since 1970 (4 bytes, UTC),
* the name and the team as UTF-8, each after a 1-byte length.

``WF1`` codes (workfw before skipped statements were kept apart) are still
read: they pack base-6 digits where 0 stood for both "don't know" and
skipped, and that 0 is read as "don't know", as those codes were counted
when they were made.

Nothing is encrypted: anyone holding a code can read the name and answers.
"""
from __future__ import annotations

import base64
import binascii
import math
import re
import struct
import zlib
from pathlib import Path
from typing import Iterable

import pandas as pd

from workfw.errors import OptionError
from workfw.frameworks import FRAMEWORK_CODES  # framework key -> the two letters after ``WF2-``
from workfw.assessment._bank import FRAMEWORKS
from workfw.assessment._errors import ResponseCodeError
from workfw.assessment._response import Response, _Banks, check_against_bank, responses_frame

__all__ = ["FRAMEWORK_CODES", "encode_response", "decode_response", "read_codes"]

_FROM_CODE = {v: k for k, v in FRAMEWORK_CODES.items()}
_VERSION = "WF2"
# Digits per answer: WF1 could not tell skipped from "don't know" (both 0); WF2 gives "don't know" its own digit.
_BASE = {"WF1": 6, "WF2": 7}
_DONT_KNOW = 6
_CHECK_CHARS = 4
_CHECK_BITS = 5 * _CHECK_CHARS
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
# Digits 0 and 1 are not base32; people type them for the letters O and I.
_LOOKALIKES = str.maketrans({"0": "O", "1": "I"})
_CODE_RE = re.compile(r"WF\d*-[A-Z0-9]{2}(?:-[A-Z0-9]+)+", re.IGNORECASE)
_MAX_TEXT_BYTES = 255


def _answer_bytes(count: int, base: int) -> int:
    return max(1, math.ceil((base ** count - 1).bit_length() / 8))


def _checksum(head: str, payload: bytes) -> str:
    value = zlib.crc32(head.encode("ascii") + payload) & ((1 << _CHECK_BITS) - 1)
    return "".join(_B32[(value >> shift) & 31] for shift in range(_CHECK_BITS - 5, -1, -5))


def _text_bytes(value: str | None, what: str) -> bytes:
    data = (value or "").encode("utf-8")
    if len(data) > _MAX_TEXT_BYTES:
        raise OptionError(f"encode_response: the {what} takes {len(data)} bytes; a code holds at most "
                          f"{_MAX_TEXT_BYTES}. Next step: use a shorter {what} or a pseudonym.")
    return bytes([len(data)]) + data


def encode_response(response: Response, *, bank: pd.DataFrame | str | Path | None = None) -> str:
    """Pack one participant's answers into a short code to paste into the facilitator's notebook.

    Parameters
    ----------
    response : Response
        The answers; statements it does not list are stored as skipped,
        ``None`` as "don't know".
    bank : DataFrame or path, optional
        An edited bank (the facilitator must decode with the same one).

    Returns
    -------
    str
        ``WF2-<framework>-<base32>-<checksum>``; :func:`decode_response` gives
        the same response back (``submitted_at`` to the second).
    """
    if not isinstance(response, Response):
        raise OptionError(f"encode_response: got a {type(response).__name__}; expected a Response.")
    statements = _Banks(bank)(response.framework)
    check_against_bank(response, statements, where="encode_response")
    digits = [_digit(response.answers, sid) for sid in statements["id"]]
    if len(digits) > 255:
        raise OptionError(f"encode_response: the bank has {len(digits)} statements; a code holds at most 255.")
    base = _BASE[_VERSION]
    packed = 0
    for digit in digits:
        packed = packed * base + digit
    seconds = int(pd.Timestamp(response.submitted_at).timestamp())
    if not 0 <= seconds < 2 ** 32:
        raise OptionError(f"encode_response: submitted_at={response.submitted_at!r} is outside 1970-2106.")
    payload = (bytes([len(digits)]) + packed.to_bytes(_answer_bytes(len(digits), base), "big")
               + struct.pack(">I", seconds) + _text_bytes(response.participant, "name")
               + _text_bytes(response.team, "team name"))
    head = f"{_VERSION}-{FRAMEWORK_CODES[response.framework]}"
    data = base64.b32encode(payload).decode("ascii").rstrip("=")
    return f"{head}-{data}-{_checksum(head, payload)}"


def _digit(answers: dict, sid: str) -> int:
    if sid not in answers:
        return 0
    value = answers[sid]
    return _DONT_KNOW if value is None else int(value)


def _fail(code: str, found: str, fix: str) -> ResponseCodeError:
    shown = code if len(code) <= 24 else code[:21] + "..."
    return ResponseCodeError(f"Response code {shown!r}: {found}. Next step: {fix}")


def decode_response(code: str, *, framework: str | None = None,
                    bank: pd.DataFrame | str | Path | None = None) -> Response:
    """Unpack a code made by :func:`encode_response`.

    Parameters
    ----------
    code : str
        The code; spaces, line breaks and letter case do not matter, and the
        digits 0 and 1 are read as the letters O and I.
    framework : str, optional
        The framework the facilitator expects; a code for another one is refused.
    bank : DataFrame or path, optional
        The edited bank the code was made with.

    Raises
    ------
    ResponseCodeError
        Saying what is wrong: not a workfw code, a newer format, an unknown or
        unexpected framework, a checksum that does not match (a typo), a
        code cut short, or a different number of statements than the bank.
    """
    if not isinstance(code, str):
        raise OptionError(f"decode_response: got a {type(code).__name__}; expected the code as text.")
    text = "".join(code.split()).strip("\"'`").upper()
    parts = text.split("-")
    if not parts[0].startswith("WF") or len(parts) < 3:
        raise _fail(text, "this is not a workfw response code (they start with 'WF2-', or 'WF1-' from an older "
                    "workfw)", "copy the whole code from the participant's notebook")
    if parts[0] not in _BASE:
        raise _fail(text, f"format {parts[0]!r} is not one this workfw reads ({', '.join(_BASE)})",
                    "use the same workfw version on both sides, or check for a typo in the first part")
    if parts[1] not in _FROM_CODE:
        raise _fail(text, f"framework code {parts[1]!r} is unknown; expected one of {sorted(_FROM_CODE)}",
                    "check for a typo in the letters after 'WF2-'")
    key = _FROM_CODE[parts[1]]
    body = "".join(parts[2:]).translate(_LOOKALIKES)
    bad = sorted(set(body) - set(_B32))
    if bad:
        raise _fail(text, f"characters {bad} cannot appear in a code", "check for a typo")
    data, check = body[:-_CHECK_CHARS], body[-_CHECK_CHARS:]
    try:
        payload = base64.b32decode(data + "=" * (-len(data) % 8))
    except binascii.Error:
        raise _fail(text, "the code has the wrong length (a character is missing or extra)",
                    "check for a typo, or copy the whole code again") from None
    head = f"{parts[0]}-{parts[1]}"
    if len(data) == 0 or _checksum(head, payload) != check:
        raise _fail(text, "the checksum does not match", "check for a typo, or copy the whole code again")
    if framework is not None and framework != key:
        expected = FRAMEWORKS.get(framework, repr(framework))
        raise _fail(text, f"this code answers the {FRAMEWORKS[key]} statements, not {expected}",
                    f"paste it into the {FRAMEWORKS[key]} notebook, or ask the participant for the "
                    f"{expected} code")
    statements = _Banks(bank)(key)
    return _unpack(text, payload, key, statements, _BASE[parts[0]])


def _unpack(text: str, payload: bytes, key: str, statements: pd.DataFrame, base: int) -> Response:
    count = payload[0]
    if count != len(statements):
        raise _fail(text, f"it holds {count} answers but the {FRAMEWORKS[key]} bank here has {len(statements)} "
                    "statements", "use the same statement bank (and workfw version) as the participant")
    at = 1 + _answer_bytes(count, base)
    try:
        packed = int.from_bytes(payload[1:at], "big")
        (seconds,) = struct.unpack(">I", payload[at:at + 4])
        name, at = _read_text(payload, at + 4)
        team, at = _read_text(payload, at)
    except (struct.error, IndexError, UnicodeDecodeError):
        raise _fail(text, "the code is cut short or damaged", "copy the whole code again") from None
    if at != len(payload) or packed >= base ** count:
        raise _fail(text, "the code is damaged", "copy the whole code again")
    digits = []
    for _ in range(count):
        packed, digit = divmod(packed, base)
        digits.append(digit)
    pairs = zip(statements["id"], reversed(digits))
    if base == _BASE["WF1"]:
        answers = {sid: (d or None) for sid, d in pairs}
    else:
        answers = {sid: (None if d == _DONT_KNOW else d) for sid, d in pairs if d}
    stamp = pd.Timestamp(seconds, unit="s", tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
    return Response(participant=name, framework=key, answers=answers, submitted_at=stamp, team=team or None)


def _read_text(payload: bytes, at: int) -> tuple[str, int]:
    length = payload[at]
    chunk = payload[at + 1:at + 1 + length]
    if len(chunk) != length:
        raise IndexError(at)
    return chunk.decode("utf-8"), at + 1 + length


def read_codes(text: str | Iterable[str], *, framework: str | None = None, errors: str = "raise",
               bank: pd.DataFrame | str | Path | None = None) -> pd.DataFrame:
    """Decode every code pasted into a text (a chat log, one code per line...) into the long answer table.

    Parameters
    ----------
    text : str or iterable of str
        Text holding codes; anything around them (names, times) is ignored.
    framework : str, optional
        Refuse codes for another framework.
    errors : {"raise", "warn"}
        ``"warn"`` lists undecodable codes in ``.attrs["skipped"]`` (``{"code", "reason"}``).
    bank : DataFrame or path, optional
        The edited bank the codes were made with.

    Returns
    -------
    pandas.DataFrame
        As :func:`~workfw.assessment.load_responses`; ``response`` is ``"code N"``
        in order of appearance.  The same code pasted twice counts once and is
        listed in ``.attrs["duplicates"]``.
    """
    if errors not in ("raise", "warn"):
        raise OptionError(f"read_codes: errors={errors!r}; expected 'raise' or 'warn'.")
    joined = text if isinstance(text, str) else "\n".join(text)
    found = [m.group(0) for m in _CODE_RE.finditer(joined)]
    responses, sources, skipped, duplicates, seen = [], [], [], [], set()
    for number, code in enumerate(found, start=1):
        if code.upper() in seen:
            duplicates.append(code)
            continue
        seen.add(code.upper())
        try:
            responses.append(decode_response(code, framework=framework, bank=bank))
        except ResponseCodeError as exc:
            if errors == "raise":
                raise ResponseCodeError(f"Code {number} of the pasted text: {exc}") from exc
            skipped.append({"code": code, "reason": str(exc)})
            continue
        sources.append(f"code {number}")
    frame = responses_frame(responses, sources=sources, bank=bank)
    frame.attrs.update(skipped=skipped, duplicates=duplicates)
    return frame
