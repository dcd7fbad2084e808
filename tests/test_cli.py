"""The ``workfw`` command, run in-process through ``workfw.cli.main`` (and once as ``python -m workfw``)."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from workfw import cli
from workfw.cli import main

CSV = """ID,Title,State,Owner,Opened,Started,Closed,Epic
A-1,Set up billing,Done,Ann Smith,2024-01-02,2024-01-03,2024-01-10,
A-2,<img src=x onerror=alert(1)>,In Progress,Bob Jones,2024-01-05,2024-01-06,,A-1
A-3,Write docs,To Do,,2024-01-08,,,A-1
A-4,Fix login,Done,Bob Jones,2024-01-09,2024-01-10,2024-01-15,A-1
"""
MAP = ["--map", "task_id=ID", "--map", "title=Title", "--map", "status=State", "--map", "assignee=Owner",
       "--map", "created=Opened", "--map", "started=Started", "--map", "completed=Closed", "--map", "parent_id=Epic"]


@pytest.fixture()
def csv_file(tmp_path) -> Path:
    path = tmp_path / "tiny.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


# read_export reports its progress in this workfw (the command shows it as one updating line).
HAS_PROGRESS = cli._reader_takes_progress()
needs_progress = pytest.mark.skipif(not HAS_PROGRESS, reason="read_export has no progress parameter yet")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_report_writes_the_page_and_shows_progress(csv_file, tmp_path):
    target = tmp_path / "out" / "team.html"
    code, out, err = run("report", str(csv_file), *MAP, "-o", str(target), "--only", "coordination_stack")
    assert code == 0 and out == ""
    text = target.read_text(encoding="utf-8")
    assert "<td>A-2</td><td>&lt;img src=x onerror=alert(1)&gt;</td>" in text
    assert "<td>Rows read</td><td>4</td>" in text and "<td>File</td><td>tiny.csv</td>" in text
    lines = err.rstrip("\n").split("\n")  # not splitlines(): it splits at the carriage returns too
    if HAS_PROGRESS:  # the reading line is redrawn in place with carriage returns and ends at 100%
        assert lines[0].startswith(f"\rworkfw: reading {csv_file}: reading 0%")
        assert lines[0].split("\r")[-1].startswith(f"workfw: reading {csv_file}: done 100%")
    else:
        assert lines[0].startswith(f"workfw: reading {csv_file} (")
    assert [line.split(" (")[0] for line in lines[1:-1]] == [
        "workfw: [1/4] diagnosing Coordination Stack", "workfw: [2/4] flow metrics", "workfw: [3/4] flow charts",
        "workfw: [4/4] writing"]
    assert lines[-1].startswith(f"workfw: wrote {target} (4.") and lines[-1].endswith(" s)")


def test_json_to_stdout_holds_four_diagnoses_without_real_names(csv_file):
    code, out, err = run("report", str(csv_file), *MAP, "--json", "-o", "-", "--pseudonymise", "-q")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert list(data["diagnoses"]) == ["c4_flywheel", "coordination_stack", "value_pyramid", "visibility"]
    assert data["export"]["file"] == "tiny.csv" and data["export"]["tasks"] == 4
    assert data["as_of"] == "2024-01-15T00:00:00+00:00"
    assert "Ann Smith" not in out and "Bob Jones" not in out


def test_as_of_option_reaches_every_diagnosis(csv_file, tmp_path):
    target = tmp_path / "r.json"
    code, _, _ = run("report", str(csv_file), *MAP, "--json", "-o", str(target), "--as-of", "2024-02-01", "-q",
                     "--only", "visibility", "--only", "value_pyramid")
    data = json.loads(target.read_text(encoding="utf-8"))
    assert code == 0 and list(data["diagnoses"]) == ["visibility", "value_pyramid"]
    assert {d["as_of"] for d in data["diagnoses"].values()} == {"2024-02-01T00:00:00+00:00"}


def test_missing_file_is_one_line_and_exit_2(tmp_path):
    missing = tmp_path / "nope.csv"
    code, out, err = run("report", str(missing), "-q")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"workfw: {missing}, the path: found no such file")


def test_bad_mapping_and_bad_date_are_user_errors(csv_file):
    code, _, err = run("report", str(csv_file), "--map", "task_id", "-q")
    assert code == 2 and err.startswith("workfw: --map 'task_id': found no FIELD=COLUMN pair")
    code, _, err = run("report", str(csv_file), *MAP, "--as-of", "someday", "-q")
    assert code == 2 and err.startswith("workfw: report: as_of='someday' is not a date")


def test_usage_errors_exit_2_through_argparse(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["report", "x.csv", "--date-order", "ydm"])
    assert exc.value.code == 2
    assert "invalid choice: 'ydm'" in capsys.readouterr().err


def test_a_bug_is_not_hidden(csv_file, monkeypatch):
    import workfw.reporting

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(workfw.reporting, "report_json", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        run("report", str(csv_file), *MAP, "--json", "-o", "-", "-q")


def test_formats_lists_every_reader():
    code, out, _ = run("formats")
    names = [line.split()[0] for line in out.splitlines()]
    assert code == 0
    assert names == ["jira-csv", "jira-json", "asana-csv", "trello-json", "github-json", "linear-csv",
                     "azure-devops-csv", "generic-csv"]


def test_python_dash_m_workfw_help():
    done = subprocess.run([sys.executable, "-m", "workfw", "--help"], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0
    assert "usage: workfw" in done.stdout
    for command in ("report", "samples", "formats"):
        assert command in done.stdout


def test_main_is_exposed_for_the_console_script():
    import workfw.__main__

    assert workfw.__main__.main is not cli.main and callable(workfw.__main__.main)
    assert workfw.__main__.main(["formats"]) == 0


def test_samples_lists_each_sample_with_a_command_to_run():
    from workfw.samples import list_samples

    code, out, _ = run("samples")
    names = list(list_samples()["name"])
    assert code == 0 and out.startswith("jira-api (default): ")
    headers = [line.split(":")[0].replace(" (default)", "") for line in out.splitlines() if not line.startswith(" ")]
    assert headers == names
    assert out.count("    workfw report ") == len(names)


def _answers(framework: str, value: int):
    from workfw.assessment import Response, load_bank

    bank = load_bank(framework)
    return [Response(participant=name, framework=framework, answers={s: value for s in bank["id"]},
                     submitted_at="2024-01-20T10:00:00+00:00") for name in ("Ann Smith", "Dan Brown")]


def test_assessment_folder_and_survey_csv(csv_file, tmp_path):
    from workfw.assessment import save_response, write_survey

    folder = tmp_path / "answers"
    folder.mkdir()
    for response in _answers("visibility", 2) + _answers("coordination_stack", 5):
        save_response(response, folder)
    code, out, _ = run("report", str(csv_file), *MAP, "--json", "-o", "-", "-q", "--assessment", str(folder))
    gaps = json.loads(out)["assessment"]
    assert code == 0 and list(gaps) == ["coordination_stack", "visibility"]
    assert {r["perceived"] for r in gaps["coordination_stack"]["gap"]} == {100.0}  # answer 5 -> 100
    assert {r["perceived"] for r in gaps["visibility"]["gap"]} == {25.0}  # answer 2 -> 25
    code, out, _ = run("report", str(csv_file), *MAP, "--json", "-o", "-", "-q", "--assessment", str(folder),
                       "--framework", "visibility")
    assert code == 0 and list(json.loads(out)["assessment"]) == ["visibility"]

    survey = write_survey(_answers("c4_flywheel", 4), tmp_path / "survey.csv")
    code, out, _ = run("report", str(csv_file), *MAP, "--json", "-o", "-", "-q", "--assessment", str(survey),
                       "--framework", "c4_flywheel")
    rows = json.loads(out)["assessment"]["c4_flywheel"]["gap"]
    from workfw.assessment import load_bank

    per_element = load_bank("c4_flywheel").groupby("element").size()
    assert code == 0 and [r["perceived"] for r in rows] == [75.0] * 4  # answer 4 -> 75
    assert {r["element"]: r["count"] for r in rows} == {e: 2 * int(n) for e, n in per_element.items()}
    code, _, err = run("report", str(csv_file), *MAP, "-q", "--assessment", str(survey))
    assert code == 2 and err.startswith(f"workfw: {survey}: a survey CSV answers one framework; found no --framework")


@needs_progress
def test_reading_progress_is_one_updating_line_on_stderr(csv_file, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["report", "tiny.csv", *MAP, "-o", "out.html", "--only", "visibility"]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    reading, *rest = err.split("\n")
    states = [s.rstrip() for s in reading.split("\r")[1:]]
    assert states[0] == "workfw: reading tiny.csv: reading 0%"
    assert any(s.startswith("workfw: reading tiny.csv: parsing ") for s in states)
    percents = [int(s.rsplit(" ", 1)[-1].rstrip("%")) for s in states[:-1]]
    assert percents == sorted(percents) and percents[-1] == 100  # the bar never steps back
    assert states[-1].startswith("workfw: reading tiny.csv: done 100% (") and states[-1].endswith(" s)")
    assert rest[0].startswith("workfw: [1/4] diagnosing Work Visibility")


def test_reading_progress_is_skipped_for_a_read_export_without_it(csv_file, monkeypatch):
    import workfw.io

    real = workfw.io.read_export

    def old_reader(path_or_file, *, source="auto", **options):  # a workfw from before progress existed
        assert "progress" not in options
        return real(path_or_file, source=source, **options)

    monkeypatch.setattr(workfw.io, "read_export", old_reader)
    code, _, err = run("report", str(csv_file), *MAP, "--json", "-o", "-", "--only", "visibility")
    assert code == 0 and err.splitlines()[0].startswith(f"workfw: reading {csv_file} (")
    assert "\r" not in err


def test_quiet_reads_without_any_progress(csv_file):
    code, out, err = run("report", str(csv_file), *MAP, "--json", "-o", "-", "-q", "--only", "visibility")
    assert code == 0 and err == "" and json.loads(out)["export"]["tasks"] == 4


@needs_progress
def test_a_read_error_starts_on_its_own_line(tmp_path):
    bad = tmp_path / "empty.csv"
    bad.write_bytes(b"")
    code, _, err = run("report", str(bad))
    assert code == 2
    lines = err.rstrip("\n").split("\n")
    assert lines[0].split("\r")[-1].startswith(f"workfw: reading {bad}: reading ")
    assert lines[1].startswith(f"workfw: {bad.name}, the whole file: found an empty file")


def test_compare_to_and_split_at_add_did_it_change(csv_file, tmp_path):
    earlier = tmp_path / "earlier.csv"
    earlier.write_text("\n".join(CSV.splitlines()[:3]) + "\n", encoding="utf-8")  # only
    code, out, err = run("report", str(csv_file), *MAP, "--compare-to", str(earlier), "--json", "-o", "-",
                         "--only", "visibility", "--pseudonymise", "-q")
    assert code == 0 and err == ""
    change = json.loads(out)["change"]
    assert change["mode"] == "two exports" and change["n_boot"] > 0
    assert {row["framework"] for row in change["elements"]} == {"visibility"}
    assert "Ann Smith" not in out and "Bob Jones" not in out
    code, out, _ = run("report", str(csv_file), *MAP, "--split-at", "2024-01-07", "--json", "-o", "-",
                       "--only", "visibility", "-q")
    assert code == 0 and json.loads(out)["change"]["mode"] == "split"
    code, out, _ = run("report", str(csv_file), *MAP, "--split-at", "2024-01-07", "--json", "-o", "-",
                       "--only", "visibility", "-q", "--n-boot", "12", "--level", "0.8", "--seed", "3")
    change = json.loads(out)["change"]
    assert code == 0 and (change["n_boot"], change["level"], change["seed"]) == (12, 0.8, 3)


def test_bootstrap_flags_without_a_comparison_are_refused(csv_file):
    code, _, err = run("report", str(csv_file), *MAP, "--n-boot", "100", "-q")
    assert code == 2 and "--n-boot set the bootstrap" in err and "--compare-to" in err


def test_compare_to_and_split_at_together_is_a_usage_error(csv_file, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["report", str(csv_file), "--compare-to", str(csv_file), "--split-at", "2024-01-07"])
    assert stop.value.code == 2 and "not allowed with argument" in capsys.readouterr().err
