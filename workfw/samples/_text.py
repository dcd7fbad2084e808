"""Words for the sample organisation: people, titles, descriptions and comments.

Every function takes the generator's ``numpy.random.Generator`` so the text is
as reproducible as the numbers.  The teams write differently on purpose:
Platform writes user stories with acceptance criteria, Support writes a line
or nothing.
"""
from __future__ import annotations

import numpy as np

__all__ = ["PEOPLE", "BOTS", "GOALS", "EPICS", "LABELS", "title_for", "description_for",
           "epic_description", "goal_description", "comment_text", "bump_title", "bot_title"]

#: Humans per team; the first one leads the team.
PEOPLE: dict[str, tuple[str, ...]] = {
    "Platform": ("Maya Okafor", "Lukas Brandt", "Priya Raman", "Tomás Herrera", "Ingrid Solberg",
                 "Kwame Mensah", "Hana Sato"),
    "Growth": ("Daniel Reyes", "Chloé Martin", "Arjun Mehta", "Sofia Rossi", "Ben Carter", "Leila Haddad"),
    "Support": ("Grace Whitfield", "Omar Farouk", "Julia Nowak", "Sam O'Connor", "Mei Lin", "Carlos Vega",
                "Aisha Bello"),
    "Data": ("Elena Petrova", "Noah Fischer", "Yuki Tanaka", "Fatima Zahra", "Oliver Grant", "Ravi Kumar"),
}

#: Bots and AI agents: (name, username, team).
BOTS: tuple[tuple[str, str, str], ...] = (
    ("dependabot[bot]", "dependabot[bot]", "Platform"),
    ("Copilot", "Copilot", "Growth"),
    ("Ops Bot", "ops-bot", "Support"),
    ("Claude Agent", "claude-agent", "Data"),
)

#: One goal per quarter (Support has two), as (quarter, title).
GOALS: dict[str, tuple[tuple[int, str], ...]] = {
    "Platform": ((1, "Cut deploy lead time to under one day"), (2, "Reach 99.95% API availability"),
                 (3, "Every service observable end to end"), (4, "Halve cloud cost per request")),
    "Growth": ((1, "Lift trial-to-paid conversion to 12%"), (2, "Double organic sign-ups"),
               (3, "Launch self-serve annual plans"), (4, "Reduce first-month churn by a third")),
    "Support": ((2, "First response under 4 hours"), (3, "Deflect 20% of tickets with the help center")),
    "Data": ((1, "One trusted revenue metric"), (2, "Self-serve dashboards for every team"),
             (3, "Data quality checks on all tier-1 tables"), (4, "Churn prediction in production")),
}

EPICS: dict[str, tuple[str, ...]] = {
    "Platform": ("Kubernetes 1.31 upgrade", "Blue-green deploys", "Service mesh rollout", "Secrets rotation",
                 "OpenTelemetry tracing", "Postgres 17 migration", "CI pipeline speed-up", "Edge caching",
                 "Supply chain security", "Autoscaling policies", "Incident tooling", "Cost dashboards",
                 "Multi-region failover", "Log retention overhaul"),
    "Growth": ("Pricing page redesign", "Onboarding checklist", "Referral programme", "SEO landing pages",
               "Trial nudges", "Annual plan checkout", "Lifecycle e-mails", "Activation metrics",
               "In-app upgrade prompts", "Win-back campaign", "Paywall experiments", "Signup flow v3"),
    "Support": ("Help center revamp", "Macro library cleanup", "Support tooling migration"),
    "Data": ("Revenue model rebuild", "dbt migration", "Self-serve BI rollout", "Data contracts",
             "Warehouse cost control", "Churn model v1", "Event tracking plan", "Quality monitors",
             "Finance reporting", "Feature store pilot"),
}

LABELS: dict[str, tuple[str, ...]] = {
    "Platform": ("infra", "k8s", "security", "tech-debt", "observability", "ci", "database"),
    "Growth": ("experiment", "onboarding", "pricing", "seo", "email", "web"),
    "Support": ("customer", "incident", "access-request", "billing", "internal"),
    "Data": ("etl", "dashboard", "ml", "data-quality", "dbt", "finance"),
}

_TITLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Platform": (("Migrate", "Upgrade", "Add alerting for", "Automate", "Harden", "Document", "Refactor",
                  "Load test", "Add tracing to", "Right-size", "Split", "Deprecate"),
                 ("the billing service", "the auth gateway", "the ingest workers", "the API cluster",
                  "the search index", "the job scheduler", "the CDN config", "the message queue",
                  "the Postgres replicas", "the build runners", "the metrics pipeline", "the secrets store",
                  "the staging environment", "the feature flag service", "the image registry")),
    "Growth": (("A/B test", "Redesign", "Add tracking to", "Improve copy on", "Localise", "Speed up",
                "Add variant for", "Fix layout of", "Personalise", "Simplify"),
               ("the pricing page", "the signup form", "the onboarding checklist", "the trial banner",
                "the upgrade modal", "the welcome e-mail", "the referral page", "the checkout",
                "the landing page hero", "the plan comparison table", "the in-app tour")),
    "Support": (("Question about", "Escalation:", "Follow up on", "Access request:", "Bug report:",
                 "Customer confused by"),
                ("SSO setup", "a duplicate charge", "API rate limits", "the 2FA device reset", "the data export",
                 "seat count", "workspace deletion", "the billing address", "webhook failures", "invoice PDFs")),
    "Data": (("Build", "Fix nulls in", "Backfill", "Model", "Add tests for", "Speed up", "Document",
              "Reconcile", "Deprecate", "Add freshness check to"),
             ("the revenue dashboard", "fct_orders", "dim_customers", "the churn features",
              "the marketing attribution table", "stg_events", "the finance export", "the ARR report",
              "the cohort retention view", "the support KPI sheet", "the product usage mart")),
}

_SUPPORT_CHORES = ("Weekly support sync", "Triage inbox", "Update macros", "Queue review", "Shift handover",
                   "Monthly SLA report", "Clean up stale tickets", "Roster for next week")
_SUPPORT_MEETINGS = ("Weekly support sync", "Call with enterprise customer", "Escalation review",
                     "Training: new billing flow", "1:1 prep", "Retro")
_CANNOT = ("log in", "export invoices", "change plan", "reset 2FA", "invite teammates", "see old projects",
           "connect Slack")
_VAGUE = ("fix", "todo", "follow up", "check this", "misc")

_PACKAGES = ("lodash", "express", "urllib3", "requests", "axios", "golang.org/x/net", "pyyaml", "jinja2",
             "protobuf", "grpc", "webpack", "certifi")
_ALERTS = ("Disk usage above 90% on web-{n}", "Certificate expiring for api-{n}", "Queue backlog on worker-{n}",
           "High error rate on edge-{n}", "Nightly backup failed on db-{n}")
_AGENT_TASKS = {
    "Growth": ("Generate copy variants for {x}", "Write tracking plan for {x}", "Add unit tests for {x}"),
    "Data": ("Backfill {x} for last quarter", "Write column docs for {x}", "Draft SQL tests for {x}"),
}

_WHY = {
    "Platform": ("on-call stops being paged for known failures", "releases can go out any day of the week",
                 "we stay inside the error budget", "new engineers can ship in their first week",
                 "the cost per request keeps falling"),
    "Growth": ("more trials convert to paid", "visitors understand the plans", "activation rises"),
}


def _pick(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    return options[int(rng.integers(len(options)))]


def title_for(team: str, kind: str, rng: np.random.Generator) -> str:
    """A plausible title for a task of ``kind`` in ``team``."""
    if team == "Support" and kind == "Chore":
        return _pick(rng, _SUPPORT_CHORES)
    if team == "Support" and kind == "Meeting":
        return _pick(rng, _SUPPORT_MEETINGS)
    if team in ("Growth", "Support") and rng.random() < 0.04:
        return _pick(rng, _VAGUE)
    if team == "Support" and rng.random() < 0.3:
        return f"Customer cannot {_pick(rng, _CANNOT)}"
    verbs, objects = _TITLES[team]
    return f"{_pick(rng, verbs)} {_pick(rng, objects)}"


def bump_title(rng: np.random.Generator) -> str:
    """A Dependabot update title."""
    major, minor = int(rng.integers(1, 9)), int(rng.integers(0, 20))
    return f"Bump {_pick(rng, _PACKAGES)} from {major}.{minor}.0 to {major}.{minor + 1}.0"


def bot_title(team: str, rng: np.random.Generator) -> str:
    """A title for work an agent or the ops bot does."""
    if team == "Support":
        return _pick(rng, _ALERTS).format(n=int(rng.integers(1, 13)))
    return _pick(rng, _AGENT_TASKS[team]).format(x=_pick(rng, _TITLES[team][1]))


def description_for(team: str, title: str, kind: str, rng: np.random.Generator) -> str:
    """A description in the team's writing habit (possibly empty)."""
    if team == "Platform":
        role = _pick(rng, ("platform engineer", "service owner", "on-call engineer", "developer"))
        checks = rng.choice(["the change is rolled out to staging and production",
                             "dashboards show the new metrics", "the runbook is updated",
                             "no alert fires for 7 days after rollout", "rollback is tested once",
                             "load test results are attached"], size=3, replace=False)
        return (f"As a {role} I want to {title[0].lower() + title[1:]} so that {_pick(rng, _WHY['Platform'])}.\n\n"
                "Acceptance criteria:\n" + "\n".join(f"- [ ] {c}" for c in checks))
    if team == "Growth":
        if rng.random() < 0.45:
            return ""
        return (f"Hypothesis: if we {title[0].lower() + title[1:]}, {_pick(rng, _WHY['Growth'])}. "
                "Measure on the weekly funnel dashboard.")
    if team == "Support":
        if kind in ("Chore", "Meeting") or rng.random() < 0.55:
            return ""
        return f"Reported via {_pick(rng, ('chat', 'e-mail', 'phone', 'the portal'))}. Customer tier {int(rng.integers(1, 4))}."
    if rng.random() < 0.3:
        return ""
    return (f"Requested by {_pick(rng, ('finance', 'marketing', 'product', 'the CEO'))}, "
            f"needed before the {_pick(rng, ('monthly close', 'board deck', 'quarterly review', 'planning week'))}.")


def epic_description(team: str, title: str, goal: str | None, rng: np.random.Generator) -> str:
    """Epic text: Platform states purpose and scope, the others a line."""
    if team == "Platform":
        return (f"{title} so that {_pick(rng, _WHY['Platform'])}. Goal: {goal}.\n\n"
                "Scope: all production services owned by Platform. Out of scope: customer-facing UI.\n"
                "Definition of done: every child story is done and the runbook is reviewed.")
    if team == "Support":
        return ""
    return f"{title}. Supports the goal '{goal}'." if goal else title


def goal_description(team: str, title: str) -> str:
    """Goal (OKR) text."""
    return f"Objective: {title}. Key results are reviewed in the monthly {team} business review."


def comment_text(team: str, rng: np.random.Generator) -> str:
    """One comment."""
    pool = {
        "Platform": ("PR is up, needs a second review.", "Blocked on the network change window.",
                     "Still working on this; the staging rollout exposed a config drift.",
                     "Moved half of the traffic, watching error rates.", "Runbook updated."),
        "Growth": ("Who owns this now?", "Results are not significant yet.", "Copy approved by marketing.",
                   "Can someone pick this up?", "Shipped behind a flag."),
        "Support": ("Customer replied, waiting on logs.", "Escalated to engineering.", "Sent the macro.",
                    "Refund issued.", "Customer confirmed it works now.", "Asked for a screen recording."),
        "Data": ("Numbers match finance now.", "Query takes 40 min, needs an index.", "Done, forgot to log it.",
                 "Waiting for the upstream schema change.", "Dashboard link in the channel."),
    }[team]
    return _pick(rng, pool)
