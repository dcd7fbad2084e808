"""Answers collected with a survey tool (Google Forms, Microsoft Forms...) read from its CSV download.

A survey CSV has a timestamp column, perhaps a name or e-mail column, then one
column per statement.  Headers are matched to statements by id when a header
contains one (``survey_template`` writes ``"... (c4-clar-1)"``), else by
text: case, punctuation, curly quotes, a leading question number and a
trailing ``*`` are ignored, and Google's grid header ``Question [statement]``
is matched by the part in brackets.

An empty cell is a skipped statement (no row), never "don't know": most
form tools leave a question someone passed over empty, while "Don't know" is
an option they picked.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import pandas as pd

from workfw.errors import EmptyExportError, OptionError
from workfw.files import atomic_write_bytes, atomic_writer
from workfw.io import CsvTable, DateParser, read_csv_table
from workfw.safe_csv import to_safe_csv
from workfw.assessment._bank import FRAMEWORKS, framework_key, load_bank
from workfw.assessment._errors import AssessmentFileError
from workfw.assessment._response import Response, _Banks, check_against_bank, long_frame

__all__ = ["read_survey", "survey_template", "survey_headers_csv", "write_survey", "ANSWER_LABELS"]

#: Answer labels understood in any survey (normalised text -> answer; None = don't know).
#: A bank's own (translated) scale labels are understood as well; an empty cell is skipped.
ANSWER_LABELS: dict[str, int | None] = {
    "strongly disagree": 1, "disagree": 2, "somewhat disagree": 2, "neither": 3, "neutral": 3,
    "neither agree nor disagree": 3, "somewhat agree": 4, "agree": 4, "strongly agree": 5,
    "don t know": None, "dont know": None, "do not know": None, "not sure": None, "n a": None,
    "na": None, "unsure": None,
}
_SKIPPED = object()  # an empty cell: the statement was passed over, which is not "don't know"
_TIMESTAMP = ("timestamp", "submitted at", "submitted", "completion time", "date", "time")
_NAME = ("name", "your name", "full name", "participant", "pseudonym", "name or pseudonym", "respondent")
_EMAIL = ("email", "email address", "e mail", "your email", "username")
_TEAM = ("team", "your team", "team name")
_OTHER_META = ("id", "start time", "last modified time", "response id", "respondent id")
_GOOGLE_OFFSET = re.compile(r"\s*GMT\s*([+-])(\d{1,2})(?::?(\d{2}))?\s*$", re.IGNORECASE)
_YEAR_FIRST = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]M)?$", re.IGNORECASE)
_NUMBERING = re.compile(r"^\s*(?:q(?:uestion)?\s*)?\d+[a-z]?\s*[.):\-\u2013]\s*", re.IGNORECASE)
_GUARD = re.compile(r"^'(?=[=+\-@\t\r])")


def _norm(text: Any) -> str:
    value = unicodedata.normalize("NFKC", str(text)).casefold()
    value = value.replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(re.sub(r"[^\w]+", " ", value).split())


def _header_candidates(header: str) -> list[str]:
    bracket = re.search(r"\[([^\[\]]+)\]\s*\**\s*$", header)
    options = [header, _NUMBERING.sub("", header)]
    if bracket:
        options += [bracket.group(1), _NUMBERING.sub("", bracket.group(1))]
    out = [_norm(o) for o in options]
    out += [re.sub(r"^\d+ ", "", o) for o in out]
    return list(dict.fromkeys(o for o in out if o))


def _match_statement(header: str, statements: pd.DataFrame) -> str | None:
    for sid in statements["id"]:
        if re.search(rf"(?<![\w-]){re.escape(sid)}(?![\w-])", header, re.IGNORECASE):
            return sid
    by_text = {_norm(t): sid for sid, t in zip(statements["id"], statements["text"])}
    for candidate in _header_candidates(header):
        if candidate in by_text:
            return by_text[candidate]
    return None


def _answer_labels(statements: pd.DataFrame) -> dict[str, int | None]:
    labels = dict(ANSWER_LABELS)
    scale = statements.attrs.get("scale") or {}
    for value, label in (scale.get("labels") or {}).items():
        labels[_norm(label)] = int(value)
    if scale.get("dont_know"):
        labels[_norm(scale["dont_know"])] = None
    return labels


def _parse_answer(cell: Any, labels: dict[str, int | None]) -> Any:
    """Answer 1-5, None (don't know) or ``_SKIPPED`` from a cell; ``ValueError`` when it is none of them."""
    if cell is None or cell is pd.NA:
        return _SKIPPED
    raw = _GUARD.sub("", str(cell)).strip()
    norm = _norm(raw)
    if raw == "?":  # the participant form's "don't know" button
        return None
    if not norm:  # empty, or a lone dash some sheets put in an unanswered cell
        return _SKIPPED
    if norm in labels:
        return labels[norm]
    if re.fullmatch(r"[1-5](?:[.,]0+)?", raw):
        return int(raw[0])
    digits = re.findall(r"(?<![\d.,])\d+(?![\d.,]?\d)", raw)
    rest = _norm(re.sub(r"\d+", " ", raw))
    # "4 - Agree" or "Strongly agree (5)": one number 1-5 that a label does not contradict.
    if len(digits) == 1 and digits[0] in "12345" and len(digits[0]) == 1:
        if rest not in labels or labels[rest] == int(digits[0]):
            return int(digits[0])
    raise ValueError(raw)


def _classify(table: CsvTable, statements: pd.DataFrame, name: str) -> dict[str, Any]:
    roles: dict[str, Any] = {"statements": {}, "timestamp": None, "name": None, "email": None, "team": None,
                             "ignored": [], "unmatched": []}
    meta = (("timestamp", _TIMESTAMP), ("name", _NAME), ("email", _EMAIL), ("team", _TEAM))
    taken: dict[str, str] = {}
    for column, header in zip(table.frame.columns[:-1], table.headers):
        key = _norm(_NUMBERING.sub("", header))
        role = next((r for r, names in meta if key in names), None)
        if role is not None:
            if roles[role] is None:
                roles[role] = column
            else:
                roles["ignored"].append(header)
            continue
        if key in _OTHER_META:
            roles["ignored"].append(header)
            continue
        sid = _match_statement(header, statements)
        if sid is None:
            roles["unmatched"].append(header)
        elif sid in taken:
            raise AssessmentFileError(name, f"columns {taken[sid]!r} and {header!r}", f"two columns for statement "
                                      f"{sid!r}", "one column per statement",
                                      "delete or rename one of them in the sheet before exporting")
        else:
            taken[sid] = header
            roles["statements"][column] = sid
    return roles


def _parse_times(table: CsvTable, column: str | None, *, name: str, tz: str, date_order: str | None,
                 warnings: list[str]) -> pd.Series:
    frame = table.frame
    if column is None:
        warnings.append("No timestamp column; submitted_at is empty.")
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
    text = frame[column].astype("string").str.strip()
    # Google Forms writes "2024/03/05 9:15:22 AM GMT+1"; rewrite it as ISO with its offset.
    parts = text.str.extract(_GOOGLE_OFFSET)
    stripped = text.str.replace(_GOOGLE_OFFSET, "", regex=True)
    stamp = stripped.str.extract(_YEAR_FIRST)
    rewritable = stamp[0].notna()
    if rewritable.any():
        hour = stamp[3].astype("Int64") % 12 + stamp[6].str.upper().eq("PM").fillna(False).astype("Int64") * 12
        hour = hour.where(stamp[6].notna(), stamp[3].astype("Int64"))
        offset = (parts[0].fillna("+") + parts[1].fillna("0").str.zfill(2) + ":" + parts[2].fillna("00"))
        offset = offset.where(parts[1].notna(), "")
        iso = (stamp[0] + "-" + stamp[1].str.zfill(2) + "-" + stamp[2].str.zfill(2) + "T"
               + hour.astype("string").str.zfill(2) + ":" + stamp[4] + ":" + stamp[5].fillna("00") + offset)
        stripped = stripped.where(~rewritable, iso)
    header = table.headers[list(table.frame.columns).index(column)]
    # Other layouts with a "GMT+1" suffix: read the clock time as UTC, then take the offset off.
    shifted = parts[1].notna() & ~rewritable
    local = DateParser(file=name, tz=tz, date_order=date_order, warnings=warnings)
    out = local.parse(stripped.where(~shifted), column=header, rows=frame["_row"])
    if shifted.any():
        minutes = (parts[1].astype("Int64") * 60 + parts[2].fillna("0").astype("Int64")) * parts[0].map(
            {"+": 1, "-": -1}).astype("Int64")
        as_utc = DateParser(file=name, tz="UTC", date_order=local.learn_order(stripped) or date_order,
                            warnings=warnings).parse(stripped.where(shifted), column=header, rows=frame["_row"])
        offset = pd.to_timedelta(minutes.where(shifted, 0).astype("int64"), unit="min")
        out = out.where(~shifted, as_utc - offset)
    return out


def _read_table(source: str | Path | bytes, name: str | None, encoding: str | None) -> tuple[CsvTable, str]:
    if isinstance(source, bytes):
        label = name or "survey.csv"
        data = source
    else:
        label = name or str(source)
        try:
            data = Path(source).read_bytes()
        except FileNotFoundError as exc:
            raise AssessmentFileError(label, "the whole file", "no such file", "a survey CSV download",
                                      "check the path") from exc
    try:
        return read_csv_table(data, name=label, encoding=encoding), label
    except EmptyExportError as exc:
        raise AssessmentFileError(label, exc.where, exc.found, "a header row and one row per participant",
                                  "download the responses again once people have answered") from exc


def read_survey(path: str | Path | bytes, *, framework: str | Path, tz: str = "UTC", date_order: str | None = None,
                errors: str = "raise", encoding: str | None = None, name: str | None = None) -> pd.DataFrame:
    """Read a survey tool's CSV of answers into the long answer table.

    Parameters
    ----------
    path : str, pathlib.Path or bytes
        The CSV download (any encoding Excel or the tool writes, BOM included),
        or its bytes (then pass ``name``).
    framework : str or pathlib.Path
        The framework key, or the edited or translated bank the form was built from.
    tz : str
        Time zone of timestamps that carry none (Google Forms writes its offset;
        Microsoft Forms does not).
    date_order : {"dmy", "mdy", "ymd"}, optional
        Order of numeric dates; inferred when None.
    errors : {"raise", "warn"}
        A cell that is neither 1-5 nor a known label raises an
        :class:`AssessmentFileError` naming its row and column; with
        ``"warn"`` it is left out and listed in ``.attrs["skipped"]``.
    encoding : str, optional
        Override encoding detection.
    name : str, optional
        File name for messages when ``path`` is bytes.

    Returns
    -------
    pandas.DataFrame
        As :func:`~workfw.assessment.load_responses`; ``response`` is
        ``"<file> row N"``.  "Don't know" gives an NA answer; an empty
        cell was skipped and gives no row.  ``participant`` is the name column, else the e-mail column,
        else ``"Respondent N"`` (N = spreadsheet row).  ``attrs``:
        ``unmatched_columns`` (headers matching no statement),
        ``ignored_columns`` (recognised but unused: an ID, a start time, a
        second timestamp...), ``missing_statements`` (ids no column answered),
        ``columns`` (header -> statement id), ``skipped``, ``warnings``.
    """
    if errors not in ("raise", "warn"):
        raise OptionError(f"read_survey: errors={errors!r}; expected 'raise' or 'warn'.")
    statements = load_bank(framework)
    key = framework_key(statements)
    table, label = _read_table(path, name, encoding)
    warnings = list(table.warnings)
    roles = _classify(table, statements, label)
    if not roles["statements"]:
        raise AssessmentFileError(label, "the header row", f"no column matching a {FRAMEWORKS[key]} statement "
                                  f"(headers: {table.headers[:4]}...)", "one column per statement, headed by "
                                  "its text or id", f"check framework={key!r}, or build the form from "
                                  "survey_template(...)")
    times = _parse_times(table, roles["timestamp"], name=label, tz=tz, date_order=date_order, warnings=warnings)
    labels = _answer_labels(statements)
    element = dict(zip(statements["id"], statements["element"]))
    order = {sid: i for i, sid in enumerate(statements["id"])}
    columns = sorted(roles["statements"].items(), key=lambda item: order[item[1]])
    headers = dict(zip(table.frame.columns[:-1], table.headers))
    frame = table.frame
    rows, skipped = [], []
    # Each answer column as a list, once: reading cell by cell with .at took 0.4 s for 500 rows.
    cells = {column: frame[column].tolist() for column, _ in columns}
    for position, index in enumerate(frame.index):
        row = int(frame.at[index, "_row"])
        who = _participant(frame, index, roles) or f"Respondent {row}"
        team = _cell_text(frame, index, roles["team"])
        stamp = times.at[index]
        submitted = None if pd.isna(stamp) else stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
        for column, sid in columns:
            cell = cells[column][position]
            try:
                answer = _parse_answer(cell, labels)
            except ValueError:
                where = f"row {row}, column {headers[column]!r}"
                if errors == "raise":
                    raise AssessmentFileError(label, where, repr(str(cell)), "an answer 1-5, a label such as "
                                              "'Agree', or \"Don't know\"", "correct the cell in the sheet, or "
                                              "pass errors='warn' to leave it out") from None
                skipped.append({"row": row, "column": headers[column], "value": str(cell),
                                "reason": "not an answer 1-5 or a known label"})
                continue
            if answer is _SKIPPED:
                continue
            rows.append((f"{Path(label).name} row {row}", who, team, key, sid, element[sid], answer, submitted))
    out = long_frame(rows)
    out.attrs.update(
        unmatched_columns=roles["unmatched"], ignored_columns=roles["ignored"],
        missing_statements=[sid for sid in statements["id"] if sid not in set(roles["statements"].values())],
        columns={headers[c]: sid for c, sid in columns}, skipped=skipped, warnings=warnings)
    return out


def _cell_text(frame: pd.DataFrame, index: Any, column: str | None) -> str | None:
    if column is None:
        return None
    value = frame.at[index, column]
    if value is None or value is pd.NA:
        return None
    text = _GUARD.sub("", str(value)).strip()
    return text or None


def _participant(frame: pd.DataFrame, index: Any, roles: dict[str, Any]) -> str | None:
    return _cell_text(frame, index, roles["name"]) or _cell_text(frame, index, roles["email"])


def _survey_headers(statements: pd.DataFrame, with_ids: bool) -> list[str]:
    texts = [f"{t} ({sid})" if with_ids else t for sid, t in zip(statements["id"], statements["text"])]
    return ["Timestamp", "Name", "Team", *texts]


def survey_template(framework: str | Path, path: str | Path, *, with_ids: bool = True,
                    overwrite: bool = False) -> Path:
    """Write the header row of a survey: Timestamp, Name, Team, then one column per statement.

    Paste the statement headers into a form tool (as questions, or as the
    rows of one grid question with the 1-5 scale and "Don't know" as
    columns); :func:`read_survey` matches the download back.

    Parameters
    ----------
    framework : str or pathlib.Path
        Framework key, or an edited or translated bank.
    path : str or pathlib.Path
        The ``.csv`` file to write (UTF-8 with BOM so Excel shows accents).
    with_ids : bool
        End each statement with its id, e.g. ``"... matters. (c4-clar-1)"``,
        so matching survives later rewording.
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    pathlib.Path
    """
    target = Path(path)
    if target.exists() and not overwrite:
        raise OptionError(f"survey_template: {target} already exists; expected a new file name. Next step: choose "
                          "another name, or pass overwrite=True.")
    return atomic_write_bytes(target, survey_headers_csv(framework, with_ids=with_ids))


def survey_headers_csv(framework: str | Path, *, with_ids: bool = True) -> bytes:
    """The bytes :func:`survey_template` writes (UTF-8 with BOM), e.g. for a download link in a notebook."""
    statements = load_bank(framework)
    text = to_safe_csv(pd.DataFrame(columns=_survey_headers(statements, with_ids)), index=False)
    return text.encode("utf-8-sig")


def write_survey(responses: list[Response], path: str | Path, *, bank: pd.DataFrame | str | Path | None = None,
                 overwrite: bool = False) -> Path:
    """Write responses of one framework as a survey CSV (one row per participant), readable by :func:`read_survey`.

    Answers are 1-5, "don't know" is written as the bank's label and a
    skipped statement as an empty cell; text cells are guarded against
    spreadsheet formulas (:func:`workfw.safe_csv.to_safe_csv`).
    """
    target = Path(path)
    if target.exists() and not overwrite:
        raise OptionError(f"write_survey: {target} already exists; expected a new file name. Next step: choose "
                          "another name, or pass overwrite=True.")
    keys = {r.framework for r in responses}
    if len(keys) != 1:
        raise OptionError(f"write_survey: responses for {sorted(keys) or 'no'} frameworks; expected exactly one. "
                          "Next step: write one file per framework.")
    statements = _Banks(bank)(keys.pop())
    dont_know = (statements.attrs.get("scale") or {}).get("dont_know") or "Don't know"
    records = []
    for response in responses:
        check_against_bank(response, statements, where="write_survey")
        cells = ["" if sid not in response.answers else dont_know if response.answers[sid] is None
                 else str(response.answers[sid]) for sid in statements["id"]]
        records.append([response.submitted_at, response.participant, response.team or "", *cells])
    frame = pd.DataFrame(records, columns=_survey_headers(statements, True), dtype=object)
    # UTF-8 with BOM so Excel shows accents; newline="" leaves pandas' line ends as they are.
    with atomic_writer(target, encoding="utf-8-sig", newline="") as handle:
        to_safe_csv(frame, handle, index=False)
    return target
