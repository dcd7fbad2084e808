"""Self-assessment: the frameworks' statements, answered 1 to 5, set beside the data.

Statement banks are plain JSON files in ``workfw/assessment/banks/`` that a
facilitator can edit or translate; :func:`load_bank` also accepts a path to
such a file, :func:`validate_bank` checks one and :func:`bank_template`
writes a copy to work on.

A group's answers arrive three ways, all read into one long table
(:data:`RESPONSE_COLUMNS`):

* one JSON file per participant in a shared folder (:func:`save_response`,
  :func:`load_responses`);
* a short code each participant copies from their own session
  (:func:`encode_response`, :func:`decode_response`, :func:`read_codes`);
* a survey tool's CSV download (:func:`read_survey`, :func:`survey_template`).

A statement can be answered 1 to 5, answered "don't know" (``None``, a
deliberate answer), or skipped: a skipped statement is simply not in the
answers and has no row in the table, and summaries count it apart.
:class:`ParticipantSession` lets people take turns on one form without
replacing each other's files.

:class:`Collection` gathers all three at once for a workshop, keeps them in
the workspace's responses folder (:func:`responses_dir`), counts the same
answers arriving twice once and lists what it could not use.

:func:`aggregate` summarises the table per element, :func:`group_gap` sets
it beside a diagnosis and :func:`spread_figure` shows how the answers spread.
:class:`TeamSelection` decides which team's data that is: by default the team
most participants entered (:func:`default_team`), else all teams.

A workshop runs in rounds: :class:`RevealState` keeps the results off the
screen until the facilitator reveals them (:func:`waiting_text` says only how
many answered), and :func:`save_session` / :func:`compare_sessions` set this
session beside an earlier one of the same group.

:func:`require_columns` is the check every table handed to these functions
passes (a DataFrame with the columns they read); its error names the table,
the columns found and expected, and the next step.

For rooms too large for notebooks, :func:`write_participant_form` writes the
form as one offline HTML file that gives the same codes and answer files.
"""
from __future__ import annotations

from workfw.assessment._aggregate import LOW_AGREEMENT, MANY_DONT_KNOW, aggregate, answered_text, group_gap
from workfw.assessment._bank import FRAMEWORKS, MAX_STATEMENTS, MIN_STATEMENTS, bank_template, framework_key, load_bank, validate_bank
from workfw.assessment._collect import Added, Collection, Rejected, response_key, responses_dir
from workfw.assessment._codes import FRAMEWORK_CODES, decode_response, encode_response, read_codes
from workfw.assessment._common import require_columns
from workfw.assessment._errors import AssessmentFileError, ResponseCodeError
from workfw.assessment._participant import ParticipantSession, Saved, short_text, skipped_statements
from workfw.assessment._response import (RESPONSE_COLUMNS, Response, load_responses, parse_response, pseudonymise_participants,
                        responses_frame, save_response)
from workfw.assessment._scores import gap_label, perceived_scores, perception_gap, to_score, unmeasurable_reasons
from workfw.assessment._spread_figure import spread_figure
from workfw.assessment._survey import ANSWER_LABELS, read_survey, survey_headers_csv, survey_template, write_survey
from workfw.assessment._team import TeamSelection, default_team, export_teams
from workfw.assessment._reveal import NO_TEAM, RevealState, answer_counts, waiting_text
from workfw.assessment._sessions import (SESSION_COLUMNS, Session, compare_figure, compare_sessions, list_sessions,
                                        load_session, save_session, sessions_dir)
from workfw.assessment.form_html import participant_form_html, write_participant_form

__all__ = [
    # banks
    "FRAMEWORKS", "MIN_STATEMENTS", "MAX_STATEMENTS", "load_bank", "validate_bank", "bank_template", "framework_key",
    # scores
    "to_score", "perceived_scores", "perception_gap", "unmeasurable_reasons", "gap_label",
    # collecting answers
    "Response", "RESPONSE_COLUMNS", "save_response", "load_responses", "responses_frame",
    "pseudonymise_participants", "FRAMEWORK_CODES", "encode_response", "decode_response", "read_codes",
    "ANSWER_LABELS", "read_survey", "survey_template", "survey_headers_csv", "write_survey",
    "parse_response",
    # people taking turns on one form
    "ParticipantSession", "Saved", "skipped_statements", "short_text",
    # a workshop's collection
    "Collection", "Added", "Rejected", "response_key", "responses_dir",
    # the group's view
    "aggregate", "group_gap", "answered_text", "spread_figure", "LOW_AGREEMENT", "MANY_DONT_KNOW",
    # which team's data the room's answers are set beside
    "TeamSelection", "default_team", "export_teams",
    # the offline participant form (one HTML file, no kernel or network)
    "participant_form_html", "write_participant_form",
    # rounds: results hidden until revealed, sessions kept and compared
    "RevealState", "answer_counts", "waiting_text", "NO_TEAM",
    "Session", "SESSION_COLUMNS", "sessions_dir", "save_session", "load_session", "list_sessions", "compare_sessions",
    "compare_figure",
    # errors, and the column check behind "the answer table lacks columns ..." (workfw.organisation uses it too)
    "AssessmentFileError", "ResponseCodeError", "require_columns",
]
