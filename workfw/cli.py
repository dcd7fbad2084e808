"""The ``workfw`` command: ``workfw report``, ``workfw participant-form``, ``workfw samples``, ``workfw formats``.

A mistake the user can fix (a missing file, an unknown option value, an export
workfw cannot read) prints one line ``workfw: <message>`` on stderr and exits
with status 2, like argparse's own usage errors; anything else is a bug and
raises with its traceback.
"""
from __future__ import annotations

import argparse
import difflib
import inspect
import json
import shlex
import sys
import time
from pathlib import Path
from typing import Any, Callable, Sequence, TextIO

from workfw.errors import OptionError, WorkfwError
from workfw.frameworks import FRAMEWORKS
from workfw.version import __version__

__all__ = ["main", "build_parser", "EXIT_OK", "EXIT_USAGE"]

EXIT_OK = 0
#: Exit status of every user error (the same as argparse's usage errors).
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``workfw`` command."""
    parser = argparse.ArgumentParser(
        prog="workfw", description="Work management frameworks measured on your tracker's export.")
    parser.add_argument("--version", action="version", version=f"workfw {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    rep = sub.add_parser("report", help="write an offline HTML (or JSON) report of one or more exports",
                         description="Read tracker exports, run the four framework diagnoses and the flow "
                                     "metrics, and write one self-contained HTML page (or JSON with --json).")
    rep.add_argument("exports", nargs="+", metavar="EXPORT",
                     help="export file(s); several files are combined (one per team or project)")
    rep.add_argument("-o", "--output", metavar="PATH",
                     help="file to write (default report.html, or report.json with --json); '-' for stdout")
    rep.add_argument("--json", action="store_true", help="write the machine-readable diagnosis as JSON")
    rep.add_argument("--pseudonymise", "--pseudonymize", action="store_true",
                     help="replace people's names with Person 01, Agent 01... before anything is drawn")
    rep.add_argument("--pseudonymise-text", "--pseudonymize-text", action="store_true",
                     help="also replace names written inside titles, descriptions and comments "
                          "(implies --pseudonymise)")
    rep.add_argument("--source", default="auto", metavar="FORMAT",
                     help="export format (default: auto-detect); see 'workfw formats'")
    rep.add_argument("--map", action="append", metavar="FIELD=COLUMN", dest="mapping",
                     help="read any CSV: map a canonical field to a column, e.g. --map task_id=ID --map "
                          "title=Summary (repeatable; implies --source generic-csv)")
    rep.add_argument("--tz", metavar="ZONE", help="time zone of dates written without one (default UTC)")
    rep.add_argument("--date-order", choices=("dmy", "mdy", "ymd"),
                     help="how to read ambiguous numeric dates such as 03/04/2024")
    rep.add_argument("--assessment", metavar="FOLDER_OR_CSV",
                     help="self-assessment answers: a folder of response files, or a survey CSV")
    rep.add_argument("--framework", choices=tuple(FRAMEWORKS), metavar="NAME",
                     help="the framework the --assessment answers belong to: required for a survey CSV, "
                          f"a filter for a folder (one of {', '.join(FRAMEWORKS)})")
    rep.add_argument("--only", action="append", choices=tuple(FRAMEWORKS), metavar="NAME",
                     help="report only these frameworks (repeatable; default all four)")
    rep.add_argument("--as-of", metavar="DATE", help="reference date (default: the latest date in the data)")
    change = rep.add_mutually_exclusive_group()
    change.add_argument("--compare-to", nargs="+", metavar="EARLIER_EXPORT",
                        help="an earlier export of the same work (several files are combined): adds 'Did it "
                             "change?', each element before and after with a bootstrap interval")
    change.add_argument("--split-at", metavar="DATE",
                        help="instead of --compare-to: split the export at this date for 'Did it change?'")
    rep.add_argument("--n-boot", type=int, metavar="N",
                     help="bootstrap rounds of 'Did it change?' (default 40; more give steadier interval ends)")
    rep.add_argument("--level", type=float, metavar="SHARE",
                     help="width of the intervals of 'Did it change?' as a share, e.g. 0.95 (default 0.9)")
    rep.add_argument("--seed", type=int, help="seed of the bootstrap of 'Did it change?' (default 0)")
    rep.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")

    form = sub.add_parser("participant-form", help="write the workshop's participant form as one offline HTML file",
                          description="Write the statements of one framework as a self-contained HTML form to "
                                      "send to participants (mail, chat, shared drive). They answer in any browser, "
                                      "with no server or network, and send back a short code or an answer file "
                                      "that notebook 05_workshop reads.")
    form.add_argument("--framework", required=True, metavar="NAME_OR_BANK",
                      help=f"one of {', '.join(FRAMEWORKS)}, or the path of an edited statement bank .json")
    form.add_argument("-o", "--output", metavar="PATH",
                      help="file to write (default participant-form-<framework>.html); '-' for stdout")
    form.add_argument("--title", metavar="TEXT", help="the form's heading (default: the framework and a question)")
    form.add_argument("--overwrite", action="store_true", help="replace the output file when it exists")

    sub.add_parser("samples", help="list the sample exports that ship with workfw",
                   description="List the sample organisation's exports (one per tracker).")
    sub.add_parser("formats", help="list the export formats workfw reads",
                   description="List the tracker export formats and how to export each.")
    return parser


class _Progress:
    """Prints ``[done/total] step (elapsed s)`` lines, and one updating line per file read, on stderr."""

    def __init__(self, stream: TextIO, quiet: bool) -> None:
        self.stream, self.quiet, self.start = stream, quiet, time.perf_counter()
        self._open = ""  # the updating line being shown, "" when none

    def line(self, text: str) -> None:
        if not self.quiet:
            self.end_line()
            print(f"workfw: {text} ({time.perf_counter() - self.start:.1f} s)", file=self.stream, flush=True)

    def __call__(self, step: str, done: int, total: int) -> None:
        if step == "done":
            return
        self.line(f"[{done + 1}/{total}] {step}")

    def reading(self, what: str) -> Callable[[str, float], None]:
        """A ``read_export`` progress callback redrawing ``workfw: reading <what>: <stage> <n>%`` in place."""
        def update(stage: str, fraction: float) -> None:
            text = f"workfw: reading {what}: {stage} {min(max(fraction, 0.0), 1.0):.0%}"
            if text == self._open:
                return
            if stage == "done":
                text += f" ({time.perf_counter() - self.start:.1f} s)"
            # Carriage return and padding redraw one line, in a terminal and in a captured log alike.
            pad = " " * max(len(self._open) - len(text), 0)
            self.stream.write(f"\r{text}{pad}")
            self._open = text
            if stage == "done":
                self.end_line()
            self.stream.flush()
        return update

    def end_line(self) -> None:
        """Finish the updating line so the next message starts on a line of its own."""
        if self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = ""


def _reader_takes_progress() -> bool:
    """Whether this workfw's ``read_export`` reports its progress (``progress(stage, fraction)``)."""
    from workfw.io import read_export

    try:
        return "progress" in inspect.signature(read_export).parameters
    except (TypeError, ValueError):  # a wrapped or built-in callable without a signature
        return False


def _read(args: argparse.Namespace, progress: _Progress, paths: Sequence[str] | None = None) -> Any:
    """Read and combine ``paths`` (the report's exports by default) with the command's reading options."""
    from workfw.export import combine_exports
    from workfw.io import read_export

    paths = list(args.exports if paths is None else paths)
    options = {k: v for k, v in (("tz", args.tz), ("date_order", args.date_order)) if v is not None}
    if args.mapping:
        options["mapping"] = _mapping(args.mapping)
    exports = []
    live = not progress.quiet and _reader_takes_progress()
    for i, path in enumerate(paths, start=1):
        what = path if len(paths) == 1 else f"{path} ({i} of {len(paths)})"
        if not live:
            progress.line(f"reading {what}")
            exports.append(read_export(path, source=args.source, **options))
            continue
        try:
            exports.append(read_export(path, source=args.source, progress=progress.reading(what), **options))
        finally:
            progress.end_line()  # an error message then starts on a line of its own
    return combine_exports(exports)


def _mapping(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column:
            raise OptionError(f"--map {pair!r}: found no FIELD=COLUMN pair; expected for example --map task_id=ID. "
                              "Next step: write the canonical field, '=', then the column as the header writes it.")
        mapping[field.strip()] = column
    return mapping


def _assessment(args: argparse.Namespace, progress: _Progress) -> Any:
    if args.assessment is None:
        if args.framework is not None:
            raise OptionError(f"--framework {args.framework}: found no --assessment; expected the answers it names. "
                              "Next step: add --assessment FOLDER_OR_CSV, or use --only to pick frameworks.")
        return None
    from workfw.assessment import load_responses, read_survey

    progress.line(f"reading the self-assessment {args.assessment}")
    path = Path(args.assessment)
    if not path.exists():
        raise OptionError(f"{path}: found no such file or folder; expected a folder of response files or a survey "
                          "CSV. Next step: check the path given to --assessment.")
    if path.is_dir():
        responses = load_responses(path)
        if args.framework is not None:
            responses = responses[responses["framework"] == args.framework]
        return responses
    if args.framework is None:
        raise OptionError(f"{path}: a survey CSV answers one framework; found no --framework; expected one of "
                          f"{', '.join(FRAMEWORKS)}. Next step: add for example --framework coordination_stack.")
    # Survey tools write their own date layout, so only the time zone is shared with the exports.
    return read_survey(path, framework=args.framework, **({"tz": args.tz} if args.tz else {}))


def _compare_options(args: argparse.Namespace) -> dict[str, Any]:
    """The bootstrap settings given on the command line; refused without a comparison to apply them to."""
    given = {name: value for name, value in (("n_boot", args.n_boot), ("level", args.level), ("seed", args.seed))
             if value is not None}
    if given and not (args.compare_to or args.split_at):
        flags = ", ".join("--" + name.replace("_", "-") for name in given)
        raise OptionError(f"{flags} set the bootstrap of 'Did it change?', but found neither --compare-to nor "
                          "--split-at; expected one of them. Next step: add --compare-to EARLIER_EXPORT or "
                          "--split-at DATE.")
    return given


def _report(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from workfw.reporting import report, report_html, report_json, write_text

    progress = _Progress(err, args.quiet)
    export = _read(args, progress)
    assessment = _assessment(args, progress)
    frameworks = args.only or tuple(FRAMEWORKS)
    common = dict(assessment=assessment, pseudonymise=args.pseudonymise or args.pseudonymise_text,
                  pseudonymise_text=args.pseudonymise_text, frameworks=frameworks, as_of=args.as_of,
                  progress=progress, split_at=args.split_at,
                  compare_to=_read(args, progress, args.compare_to) if args.compare_to else None,
                  compare_options=_compare_options(args))
    target = args.output or ("report.json" if args.json else "report.html")
    if args.json:
        text = json.dumps(report_json(export, **common), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        if target == "-":
            out.write(text)
        else:
            write_text(target, text)
            progress.line(f"wrote {target}")
        return EXIT_OK
    if target == "-":
        out.write(report_html(export, **common))
        return EXIT_OK
    path = report(export, path=target, **common)
    progress.line(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB); open it in any browser, no network needed")
    return EXIT_OK


def _participant_form(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from workfw.assessment import participant_form_html, write_participant_form

    framework = args.framework
    is_bank = framework.lower().endswith(".json")
    if not is_bank and framework not in FRAMEWORKS:
        close = difflib.get_close_matches(framework, list(FRAMEWORKS), n=1, cutoff=0.5)
        hint = f"did you mean --framework {close[0]}? " if close else ""
        raise OptionError(f"--framework {framework!r}: found no such framework; expected one of "
                          f"{', '.join(FRAMEWORKS)}, or a statement bank .json file. Next step: {hint}"
                          "run 'workfw participant-form --framework c4_flywheel -o form.html'.")
    if args.output == "-":
        out.write(participant_form_html(framework, title=args.title))
        return EXIT_OK
    target = Path(args.output or f"participant-form-{Path(framework).stem if is_bank else framework}.html")
    if target.exists() and not args.overwrite:
        raise OptionError(f"{target}: found a file of that name; expected a new file. Next step: add --overwrite "
                          "to replace it, or choose another name with -o.")
    path = write_participant_form(framework, target, title=args.title, overwrite=args.overwrite)
    bank_note = f" Read their codes with bank={framework!r}." if is_bank else ""
    print(f"workfw: wrote {path} ({path.stat().st_size / 1e3:.0f} kB). Send it to the participants: they open it "
          f"in any browser, no network needed, and send back their code or answer file.{bank_note}",
          file=err, flush=True)
    return EXIT_OK


def _samples(out: TextIO) -> int:
    from workfw.samples import list_samples, sample_path

    for row in list_samples().itertuples(index=False):
        paths = sample_path(row.name)
        paths = paths if isinstance(paths, list) else [paths]
        default = " (default)" if row.default else ""
        out.write(f"{row.name}{default}: {row.tracker} [{row.format}]\n    shows: {row.shows}\n"
                  f"    workfw report {' '.join(shlex.quote(str(p)) for p in paths)} -o {row.name}.html\n")
    return EXIT_OK


def _formats(out: TextIO) -> int:
    from workfw.io import list_formats

    table = list_formats()
    width = max(len(s) for s in table["source"])
    for row in table.itertuples(index=False):
        out.write(f"{row.source:<{width}}  {row.format} ({row.kind}): {row[3]}\n")
    return EXIT_OK


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run the ``workfw`` command and return its exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).
    stdout, stderr : text streams, optional
        Where output and progress go (default: the process' streams).

    Returns
    -------
    int
        0 on success, 2 on a user error (a ``workfw: <message>`` line is
        printed on stderr); argparse exits with 2 by itself on bad usage.
    """
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        if args.command == "report":
            return _report(args, out, err)
        if args.command == "participant-form":
            return _participant_form(args, out, err)
        if args.command == "samples":
            return _samples(out)
        return _formats(out)
    except WorkfwError as exc:
        # One readable line, no traceback: the message already says what to do next.
        print(f"workfw: {' '.join(str(exc).split())}", file=err, flush=True)
        return EXIT_USAGE
