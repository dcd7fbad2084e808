"""Statement banks: load, check and copy the JSON files a facilitator edits or translates.

A bank lists each framework element's statements as ``{"id", "element",
"text"}``.  When translating, only ``text`` and the scale labels change: the
``id`` ties answers to statements and the ``element`` names are the keys the
data diagnosis uses, so both stay as they are.
"""
from __future__ import annotations

import json
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from workfw.errors import OptionError
# The framework keys and titles come from the one registry; assessment modules import them from here.
from workfw.frameworks import FRAMEWORKS
from workfw.files import atomic_write_text
from workfw.assessment._errors import AssessmentFileError

__all__ = ["FRAMEWORKS", "MIN_STATEMENTS", "MAX_STATEMENTS", "load_bank", "validate_bank", "bank_template",
           "framework_key"]

#: Statements each element must have in a valid bank: enough to average out
#: one badly worded statement, few enough to answer in a workshop.
MIN_STATEMENTS = 3
MAX_STATEMENTS = 5

_TEMPLATE_NOTE = ("Translate or reword 'text' and the scale labels. Keep every 'id' and 'element' unchanged: "
                  "answers are stored by id, and element names match the data diagnosis. Each element needs "
                  f"{MIN_STATEMENTS} to {MAX_STATEMENTS} statements. Check the file with "
                  "workfw.assessment.validate_bank(path).")


def _is_path(framework: str | Path) -> bool:
    return isinstance(framework, Path) or str(framework).endswith(".json")


def _unknown_framework(framework: object, caller: str) -> OptionError:
    return OptionError(f"{caller}: framework={framework!r}; expected one of {list(FRAMEWORKS)} or a path to "
                       "a bank .json file. Next step: pass for example 'c4_flywheel'.")


def _read_doc(framework: str | Path, caller: str = "load_bank") -> tuple[dict[str, Any], str]:
    """Return ``(parsed bank, file name for messages)``, raising readable errors for broken files."""
    if _is_path(framework):
        path = Path(framework)
        name = str(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError as exc:
            raise AssessmentFileError(name, "the whole file", "no such file", "a statement bank .json file",
                                      "check the path, or write a copy with bank_template(...)") from exc
        except UnicodeDecodeError as exc:
            raise AssessmentFileError(name, "the whole file", f"bytes that are not UTF-8 ({exc.reason})",
                                      "a bank saved as UTF-8 text",
                                      "save it again as UTF-8 (most editors offer it under Save As)") from exc
    elif framework in FRAMEWORKS:
        name = f"built-in bank {framework}.json"
        text = resources.files(__package__).joinpath("banks", f"{framework}.json").read_text(encoding="utf-8")
    else:
        raise _unknown_framework(framework, caller)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AssessmentFileError(name, f"line {exc.lineno}, column {exc.colno}", f"invalid JSON ({exc.msg})",
                                  "a statement bank in JSON",
                                  "fix that spot (often a missing comma or an unescaped double quote in a "
                                  "statement; write \\\" inside text)") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("statements"), list):
        raise AssessmentFileError(name, "the top level", "no 'statements' list",
                                  "an object with 'framework', 'module' and a 'statements' list",
                                  "start from a copy written by bank_template(...)")
    return doc, name


def load_bank(framework: str | Path) -> pd.DataFrame:
    """Return a framework's statements: ``id, element, text`` (in the bank's order).

    Parameters
    ----------
    framework : str or pathlib.Path
        One of :data:`FRAMEWORKS` (``"c4_flywheel"``...), or the path of an
        edited or translated bank file with the same layout.

    Returns
    -------
    pandas.DataFrame
        ``attrs`` carry ``framework`` (display name), ``module`` (framework
        key), ``scale`` (labels of 1-5 and "don't know") and ``file``.
    """
    doc, name = _read_doc(framework)
    frame = pd.DataFrame(doc["statements"], columns=["id", "element", "text"])
    frame.attrs["framework"] = doc.get("framework", str(framework))
    frame.attrs["module"] = doc.get("module", str(framework) if framework in FRAMEWORKS else None)
    frame.attrs["scale"] = doc.get("scale") or _builtin_scale()
    frame.attrs["file"] = name
    return frame


def _builtin_scale() -> dict[str, Any]:
    return json.loads(resources.files(__package__).joinpath("banks", "c4_flywheel.json")
                      .read_text(encoding="utf-8"))["scale"]


def framework_key(framework: str | Path | pd.DataFrame) -> str:
    """Return the framework key (``"c4_flywheel"``...) of a name, bank path or loaded bank."""
    if isinstance(framework, pd.DataFrame):
        key = framework.attrs.get("module")
    elif _is_path(framework):
        key = _read_doc(framework)[0].get("module")
    else:
        key = framework
    if key not in FRAMEWORKS:
        raise _unknown_framework(key, "framework_key")
    return str(key)


def validate_bank(path_or_name: str | Path) -> pd.DataFrame:
    """Check a statement bank and return it loaded, or raise an error naming the file and the problem.

    Checks: valid JSON with a ``statements`` list; ``module`` names a known
    framework; every statement has a non-empty ``id``, ``element`` and
    ``text``; ids are unique; the elements are exactly the framework's
    (none missing, none renamed); each element has :data:`MIN_STATEMENTS` to
    :data:`MAX_STATEMENTS` statements; the optional ``scale`` labels 1 to 5.

    Parameters
    ----------
    path_or_name : str or pathlib.Path
        A bank file, or a built-in framework key.

    Returns
    -------
    pandas.DataFrame
        As :func:`load_bank`.

    Raises
    ------
    AssessmentFileError
        Naming the file, the statement or element, what was found and what to do.
    """
    doc, name = _read_doc(path_or_name, "validate_bank")
    module = doc.get("module")
    if module not in FRAMEWORKS:
        raise AssessmentFileError(name, "key 'module'", repr(module), f"one of {list(FRAMEWORKS)}",
                                  "set 'module' to the framework this bank is for")
    seen: dict[str, int] = {}
    for number, item in enumerate(doc["statements"], start=1):
        if not isinstance(item, dict):
            raise AssessmentFileError(name, f"statement {number}", repr(item)[:60],
                                      "an object with 'id', 'element' and 'text'", "fix that statement")
        for key in ("id", "element", "text"):
            value = item.get(key)
            if not isinstance(value, str) or not value.strip():
                raise AssessmentFileError(name, f"statement {number} ({item.get('id')!r})",
                                          f"{key}={value!r}", f"a non-empty text '{key}'",
                                          f"fill in '{key}' (copy it from bank_template(...) if unsure)")
        if item["id"] in seen:
            raise AssessmentFileError(name, f"statement {number}", f"id {item['id']!r} again (first used by "
                                      f"statement {seen[item['id']]})", "a unique id per statement",
                                      "give the new statement its own id, e.g. the next number")
        seen[item["id"]] = number
    expected = list(dict.fromkeys(s["element"] for s in _read_doc(module)[0]["statements"]))
    counts = Counter(item["element"] for item in doc["statements"])
    unknown = [e for e in counts if e not in expected]
    if unknown:
        raise AssessmentFileError(name, f"element {unknown[0]!r}", "an element name the framework does not have",
                                  f"one of {expected}", "keep element names unchanged; translate only 'text'")
    for element in expected:
        if counts[element] == 0:
            raise AssessmentFileError(name, f"element {element!r}", "no statements (the element is missing)",
                                      f"{MIN_STATEMENTS} to {MAX_STATEMENTS} statements for every element of "
                                      f"{FRAMEWORKS[module]}", f"add statements for {element}")
        if not MIN_STATEMENTS <= counts[element] <= MAX_STATEMENTS:
            raise AssessmentFileError(name, f"element {element!r}", f"{counts[element]} statements",
                                      f"{MIN_STATEMENTS} to {MAX_STATEMENTS} statements",
                                      "add or remove statements for that element")
    _check_scale(doc.get("scale"), name)
    return load_bank(path_or_name)


def _check_scale(scale: Any, name: str) -> None:
    if scale is None:
        return
    labels = scale.get("labels") if isinstance(scale, dict) else None
    missing = [str(v) for v in range(1, 6) if not isinstance(labels, dict)
               or not isinstance(labels.get(str(v)), str) or not labels[str(v)].strip()]
    if missing:
        raise AssessmentFileError(name, "key 'scale'", f"no label for answer(s) {', '.join(missing)}",
                                  "'labels' for \"1\" to \"5\" and a 'dont_know' label",
                                  "copy the scale block from bank_template(...) and translate its labels")
    if not isinstance(scale.get("dont_know"), str) or not scale["dont_know"].strip():
        raise AssessmentFileError(name, "key 'scale'", f"dont_know={scale.get('dont_know')!r}",
                                  "a label for \"don't know\"", "add \"dont_know\": \"Don't know\" (translated)")


def bank_template(framework: str, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write a copy of a built-in bank to translate or reword.

    Parameters
    ----------
    framework : str
        One of :data:`FRAMEWORKS`.
    path : str or pathlib.Path
        Where to write the ``.json`` copy.
    overwrite : bool
        Replace an existing file; off by default so a translation is never lost.

    Returns
    -------
    pathlib.Path
        The file written; check it after editing with :func:`validate_bank`.
    """
    if framework not in FRAMEWORKS:
        raise _unknown_framework(framework, "bank_template")
    target = Path(path)
    if target.suffix != ".json":
        raise OptionError(f"bank_template: path={str(path)!r}; expected a file name ending in .json so load_bank "
                          "recognises it. Next step: add .json to the name.")
    if target.exists() and not overwrite:
        raise OptionError(f"bank_template: {target} already exists; expected a new file name. Next step: choose "
                          "another name, or pass overwrite=True to replace it.")
    doc, _ = _read_doc(framework)
    doc = {"instructions": _TEMPLATE_NOTE, **doc}
    atomic_write_text(target, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return target
