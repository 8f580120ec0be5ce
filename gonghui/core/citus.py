"""The Citus layout of the schema (docs/scale.md): which table is distributed by which column,
which is a reference table, and the DDL that turns a migrated database into that layout.

The plan names tables by model label and reads everything else (columns, unique keys, foreign
keys) from Django's model registry, so core imports no domain app. `gonghui citus distribute`
(core/management/commands/citus.py) runs `distribution_ddl()`; the schema-rule test
(core/tests/test_citus_schema.py) holds every model to the plan.

On Citus a distributed table may carry a unique key (and a primary key) only if it contains the
distribution column, and a foreign key only towards a reference table or towards a co-located
table through the distribution column. So, for a table distributed by the union:
- its primary key becomes (union, id) — ids stay unique cluster-wide (one sequence each);
- a foreign key to another union-distributed table becomes (union, fk) -> (union, id), which
  holds because the child row lives in its parent's union (listed exceptions: CROSS_UNION_FKS);
- a foreign key from a reference table to a distributed table cannot exist (DROPPED_FKS says
  what carries each one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, models
from django.db.models import QuerySet

# The union (orgs.Org id) is the distribution column of every member-scale table; they are all
# co-located with this table, so one union's rows of every app sit on one shard.
ANCHOR = "members.Membership"

# model label -> its distribution column (a union id: bigint referencing orgs_org)
DISTRIBUTED: dict[str, str] = {
    # members
    "members.Membership": "union_id",
    "members.MembershipEvent": "union_id",
    "members.LapseContact": "union_id",
    "members.Application": "union_id",
    "members.CaseEvent": "union_id",
    "members.Transfer": "from_union_id",
    "members.OrgMemberStats": "org_id",
    "members.OrgMemberMonth": "org_id",
    "members.SyncCandidate": "union_id",
    "members.SelfServiceRequest": "union_id",
    # funds: a union's book, ledger, dues and bank reconciliation
    "funds.Book": "union_id",
    "funds.Account": "union_id",
    "funds.LedgerTransaction": "union_id",
    "funds.LedgerLine": "union_id",
    "funds.PeriodBalance": "union_id",
    "funds.ClosedPeriod": "union_id",
    "funds.Evidence": "union_id",
    "funds.Budget": "union_id",
    "funds.PayrollAllocation": "union_id",
    "funds.Finding": "union_id",
    "funds.FindingEvent": "union_id",
    "funds.DuesList": "union_id",
    "funds.DuesEntry": "union_id",
    "funds.YearClosing": "union_id",
    "funds.BankStatement": "union_id",
    "funds.BankStatementLine": "union_id",
    "funds.BankMatch": "union_id",
    "funds.PayrollDeclaration": "union_id",
    "funds.EmployerPayment": "union_id",
    # mutual aid: enrolments, payouts and their bank items, payee accounts
    "mutualaid.EnrolmentRun": "union_id",
    "mutualaid.Enrolment": "union_id",
    "mutualaid.PayeeAccount": "union_id",
    "mutualaid.Payout": "union_id",
    "mutualaid.PayoutEvent": "union_id",
    "mutualaid.BatchItem": "union_id",
    # aid: hardship files and their children
    "aid.HardshipFile": "union_id",
    "aid.HouseholdMember": "union_id",
    "aid.IncomeSource": "union_id",
    "aid.FileCause": "union_id",
    "aid.FileDocument": "union_id",
    "aid.FileActivity": "union_id",
    "aid.IncomeAssessment": "union_id",
    "aid.Beneficiary": "union_id",
    "aid.Assistance": "union_id",
    # rights, awards, outreach
    # rights: a union's cases (one per worker's dispute) with their history, hand-offs,
    # hearings and documents, by the case's union; supervision letters by the issuing union
    "rights.Case": "union_id",
    "rights.CaseHistory": "union_id",
    "rights.Referral": "union_id",
    "rights.Hearing": "union_id",
    "rights.CaseDocument": "union_id",
    "rights.Letter": "org_id",
    "rights.LetterHistory": "org_id",
    # awards: competition entries and judges' scores by the competition's organiser (one
    # competition's ranking on one shard; "a person once per competition" holds there);
    # nominations with their history and attachments by the scheme's issuing union ("a nominee
    # once per scheme" holds there)
    "awards.Entry": "org_id",
    "awards.Score": "org_id",
    "awards.Nomination": "org_id",
    "awards.NominationHistory": "org_id",
    "awards.NominationAttachment": "org_id",
    # outreach: activities and their sign-ups (the activity row is the lock of its places: one
    # shard), announcements and their receipts (one per recipient), courses with their
    # sessions, enrolments and attendance, all by the organising org
    "outreach.Activity": "org_id",
    "outreach.ActivityHistory": "org_id",
    "outreach.Signup": "org_id",
    "outreach.SignupHistory": "org_id",
    "outreach.Announcement": "org_id",
    "outreach.AnnouncementHistory": "org_id",
    "outreach.Receipt": "org_id",
    "outreach.Course": "org_id",
    "outreach.CourseSession": "org_id",
    "outreach.Enrolment": "org_id",
    "outreach.Attendance": "org_id",
    # democracy, evaluation, stats
    # democracy: an election's roll, its credentials and secret ballots (one each per voter and
    # round; a ballot's union is the election's, nothing of the voter), a congress's
    # representatives with their attendance, contact records and proposals (with history,
    # co-signers, departments) — all by the union of their election or congress (`org`)
    "democracy.Voter": "org_id",
    "democracy.Credential": "org_id",
    "democracy.Ballot": "org_id",
    "democracy.Representative": "org_id",
    "democracy.Attendance": "org_id",
    "democracy.ContactRecord": "org_id",
    "democracy.Proposal": "org_id",
    "democracy.ProposalHistory": "org_id",
    "democracy.Cosigner": "org_id",
    "democracy.ProposalDepartment": "org_id",
    # evaluation: a survey's audience, responses and answers (one each per member asked or
    # answering), by the member's union at the draw
    "evaluation.Invitation": "union_id",
    "evaluation.Response": "union_id",
    "evaluation.Answer": "union_id",
    # stats: one snapshot row per union and month; the stored breakdowns of the big subtrees
    # by their org (written after a read of every shard's memberships, which Citus refuses
    # before a write of a reference table the distributed tables point at)
    "stats.MonthlySnapshot": "org_id",
    "stats.SubtreeBreakdown": "org_id",
}

# Insert-only logs read by their own scoping column: distributed by their id (not co-located
# with anything; nothing points at them).
DISTRIBUTED_BY_ID: set[str] = {
    "audit.AuditEvent",
    "audit.SensitiveRead",
    "notifications.Notification",
    # rights/awards/outreach: an employer's risk signals (a million in a city), insert-only
    "rights.RiskSignal",
}

# Member-scale tables distributed by a column of their own, not the union: a rule of theirs spans
# unions, so the union cannot be in their keys (model label -> distribution column). Each is its
# own co-location group unless COLOCATED_KEYED puts it in another's; a foreign key between one
# and a union table is dropped on Citus (KEYED_FKS says what carries it). The settlement records: the cross-union keys (settlement
# number, stay fingerprint) are claim tables keyed by the key itself (primary key = the
# distribution column, so Citus enforces them across the cluster), written in the record's
# transaction (mutualaid.services.imports); the record itself is distributed by its person's
# queue lane (lane_of(id_hash), 64 lanes), so a settlement worker claims one lane's records
# with FOR UPDATE SKIP LOCKED on one shard and sets their outcome with a single-shard UPDATE
# (mutualaid.services.processing.claim_records). Not by the union: a record is imported before
# its person is matched (and may have no union at all), and its payouts may be in two unions.
# Not by id_hash itself: a claim by id hash would lock one person's records per statement.
DISTRIBUTED_BY_KEY: dict[str, str] = {
    "mutualaid.SettlementRecord": "lane",
    "mutualaid.SettlementNumber": "settlement_no",
    "mutualaid.SettlementStay": "fingerprint",
    # roster: an import job by its id, its chunks and rejected rows by the job (co-located,
    # COLOCATED_KEYED): a bulk import's rows go to many unions, but the job's checkpoint, its
    # counters and its error report are the job's own — every write and row lock of the
    # chunk's bookkeeping (the job's counters by id, the chunk's insert that claims it, its
    # rejections) is on the job's one shard, and two imports never touch each other's shard.
    # Not reference tables: a chunk's rows were replicated to every node, and the job's
    # counter UPDATE (one per chunk) locked the job table on all of them.
    "roster.ImportJob": "id",
    "roster.ImportChunk": "job_id",
    "roster.ImportRejection": "job_id",
    # a re-run's cache, one row per imported row (grows with the members): by its key, the
    # row digest (the primary key). Fingerprints are off on Citus (roster.fingerprints.enabled:
    # their probes read persons and memberships by id inside a LATERAL subquery), so the
    # table stays empty there; the chunk fingerprints (roster_chunkfingerprint, raw SQL, no
    # model) stay a local table of the coordinator, unused likewise.
    "roster.RowFingerprint": "digest",
    # the claim of members_membership.card_number (CROSS_UNION_UNIQUES): the primary key
    "members.CardNumberClaim": "card_number",
    # claims of mutualaid and aid (CROSS_UNION_UNIQUES): the unique key contains the column
    "mutualaid.EnrolmentClaim": "person_id",
    "mutualaid.CurrentPayeeClaim": "person_id",
    "aid.BeneficiaryClaim": "applicant_hash",
    # democracy/evaluation/stats: a credential's token claimed by its hash (a ballot cast with
    # a token finds its credential there, on one shard); who answered a survey, by the person
    # (the once-only key (survey, person) holds across unions); a survey's result counters by
    # the survey (one survey's counters on one shard, upserted with each response)
    "democracy.CredentialToken": "token_hash",
    "evaluation.Answered": "person_id",
    "evaluation.ResultCount": "survey_id",
}

# DISTRIBUTED_BY_KEY tables co-located with another of them (label -> the label whose
# distribution column theirs holds): distributed with `colocate_with` that table, their primary
# key (key, id), their unique keys containing the key, and their foreign key to it through the
# two distribution columns kept on Citus (the child row is on its parent's shard).
COLOCATED_KEYED: dict[str, str] = {
    "roster.ImportChunk": "roster.ImportJob",
    "roster.ImportRejection": "roster.ImportJob",
}

# Foreign keys between union tables and DISTRIBUTED_BY_KEY tables (either way; not co-located):
# dropped on Citus, with what carries each.
KEYED_FKS: dict[str, str] = {
    "mutualaid.Payout.settlement": (
        "the payout is inserted by the batch that holds its record locked (claimed FOR UPDATE), "
        "and records are never deleted (retention clears their personal fields only); reads go "
        "by id (prefetch), not by join"),
    "mutualaid.CurrentPayeeClaim.account": (
        "payee_account_set points the claim at the account it inserts, in the same transaction, "
        "holding the claim locked; accounts are never deleted (a merge moves them keeping ids)"),
}

# Small tables copied to every node, by why they are small (model label -> reason). Every model of
# a converted app is in DISTRIBUTED, DISTRIBUTED_BY_ID or here (the schema-rule test checks it).
_CONFIG = "per-union settings: one row or a few per union"
_CITY = "defined by a federation for the whole city: few rows"
REFERENCE: dict[str, str] = {
    "core.WorkdayOverride": "the official calendar",
    "accounts.User": "cadres and portal accounts: docs/scale.md limits",
    "accounts.User_groups": "framework grants",
    "accounts.User_user_permissions": "framework grants",
    "accounts.RoleAssignment": "scoping reads one user's grants",
    "accounts.APIToken": "one row per API client",
    "accounts.FieldKeyProgress": "gonghui keys reencrypt: one row per encrypted column",
    "accounts.RateCount": "join rate-limit counters, few rows (or Redis: GONGHUI_RATELIMIT_REDIS_URL)",
    "audit.ChainHead": "one row per chain and day",
    "orgs.Org": "the union tree: every query filters or joins on it",
    "orgs.OrgHistory": "the tree's own history",
    "orgs.Employer": "read everywhere, small",
    "notices.Notice": _CITY,
    "notices.NoticeHistory": _CITY,
    "notices.NoticeItem": _CITY,
    "notices.Objection": _CITY,
    "notices.ObjectionHistory": _CITY,
    # one row per human, looked up by id_hash; distributed by id_hash is the next step
    # (docs/scale.md), with its user_id key moved to a (user -> person) table
    "members.Person": "one row per human: the 会籍 compare-and-set and exact search",
    "members.DecisionPolicy": _CONFIG,
    "members.BulkDecisionJob": "a cadre's job, few rows",
    "members.SavedFilter": "a cadre's own named list filters, few rows",
    "funds.AllocationRule": _CONFIG,
    "funds.PolicyLimit": _CONFIG,
    "funds.YearCloseRun": "a federation's yearly run",
    "funds.LevelSplitRule": _CONFIG,
    "mutualaid.Plan": _CITY,
    "mutualaid.PlanHistory": _CITY,
    "mutualaid.PlanVersion": _CITY,
    "mutualaid.SettlementImport": "one row per imported file",
    "mutualaid.SettlementIssue": "the import's problems, few rows",
    "mutualaid.PayoutBatch": "a bank batch of a paying org",
    "mutualaid.PayoutBatchEvent": "a batch's history",
    "aid.HouseholdClaim": "the one-open-file-per-person guard across unions (primary key)",
    "aid.Programme": _CITY,
    "aid.ProgrammeHistory": _CITY,
    "aid.LocalStandard": _CONFIG,
    "aid.AidPolicy": _CONFIG,
    **{f"workplan.{name}": "a union's own work plan: few rows per union" for name in (
        "Department", "DepartmentMembership", "Plan", "Heading", "Item", "ItemDepartment",
        "Milestone", "MilestoneHistory", "SubTask", "SubTaskHistory", "ProgressReport",
        "ProgressAttachment", "Notification", "PlanDraft")},
    # roster
    # one row per export a cadre asks for (the file is on disk, not in the table)
    "roster.ExportJob": "a cadre's export request, few rows",
    # rights, awards, outreach
    "rights.Lawyer": "a union's registry of lawyers and legal-aid volunteers: tens per union",
    "rights.RightsPolicy": _CONFIG,
    "rights.RiskWeight": "one row per risk signal kind",
    # workers' congresses and collective contracts: a few per employer (they grow with
    # orgs.Employer, itself a reference table, not with members)
    **{f"rights.{name}": "an employer's workers' congress: a few rows per employer"
       for name in ("Congress", "Delegate", "Session", "Session_attendees", "Resolution",
                    "OpenAffair")},
    **{f"rights.{name}": "an employer's or a region's collective contracts: a few per employer"
       for name in ("Contract", "ContractHistory", "Representative", "Coverage")},
    "rights.EmployerRisk": "one row per employer (its current score)",
    "rights.RiskAlert": "an employer's level crossings: a few per employer",
    "rights.AlertHistory": "an alert's handling: a few rows per alert",
    **{f"awards.{name}": "a union's competitions and their criteria: a few per union and year"
       for name in ("Competition", "CompetitionHistory", "Criterion")},
    "awards.HonourScheme": _CITY,
    "awards.Quota": "a scheme's places per district or industry union: tens per scheme",
    # the register of honoured people: a city's model workers and honour holders (thousands,
    # growing by the honours conferred a year), their honours and the care given to them
    "awards.ModelWorker": "the model-worker register: thousands per city",
    "awards.HonourRecord": "honours held: the conferred ones, thousands per city and year",
    "awards.CareRecord": "care given to model workers: a few rows per model worker and year",
    **{f"awards.{name}": "innovation studios and results: tens per union"
       for name in ("Studio", "StudioRating", "InnovationResult")},
    **{f"outreach.{name}": "service points with their hours and checks: the nearest search "
       "reads a bounding box over all of them; the station code is unique" for name in (
           "Station", "StationHistory", "StationHours", "StationException", "Inspection",
           "StationPhoto")},
    "outreach.Project": "a federation's yearly practical projects: a few per year",
    "outreach.ProjectTarget": "a project's target per district: tens per project",
    # democracy, evaluation, stats
    # democracy: a body's term (one per body and union), elections with their history,
    # candidates and voting rounds (one election per body every 3–5 years, a few rounds, tens of
    # candidates), congresses (one per union's term) with their sessions and session votes
    **{f"democracy.{name}": "a union's elections and congress: a few rows per union and term"
       for name in ("Term", "Election", "ElectionHistory", "Candidate", "VotingRound",
                    "RoundHistory", "Congress", "Session", "SessionVote")},
    # evaluation: rating schemes (a federation's, with sections, items, thresholds, vetoes);
    # ratings, their item scores, evidence, vetoes and titles (a union applies for a rating of
    # a scheme at most once a year: tens of item scores per rating, rows that grow with the
    # unions that apply, not with members; read by the reviewing federation over its subtree);
    # third-party scores (one per union and year) and the weights (one per federation and year)
    **{f"evaluation.{name}": "建家评家 schemes and ratings: per union and year, not per member"
       for name in ("Scheme", "Section", "Item", "GradeThreshold", "VetoItem", "Rating",
                    "RatingHistory", "ItemScore", "Evidence", "RatingVeto", "Title",
                    "TitleHistory", "ThirdPartyScore", "ScoreWeights")},
    # a survey with its history and questions: a federation's few surveys a year
    **{f"evaluation.{name}": "a federation's surveys and their questions: few rows"
       for name in ("Survey", "SurveyHistory", "Question")},
    "stats.ReportJob": "a yearly report asked for by a cadre: few rows",
}

# One-to-one fields of union-distributed tables between rows of the same union: the unique key
# is (field) on one node and (union, field) on Citus, which refuses exactly the same rows.
WIDENED_ON_CITUS: set[str] = {
    "funds.LedgerTransaction.reversal_of",
    "funds.PayrollAllocation.transaction",
    "funds.YearClosing.transaction",
    "funds.YearClosing.reversal",
    "funds.BankMatch.statement_line",
    "funds.BankMatch.ledger_line",
    "aid.Assistance.beneficiary",
    # democracy/evaluation/stats: a stored breakdown's path is its org's (one row per org)
    "stats.SubtreeBreakdown.org_path",
}

# Unique keys of distributed tables that cannot contain the union because the rule they enforce
# spans unions. Citus refuses them; `distribute` drops them and the named mechanism carries the
# rule (the test named proves it with the index gone). Keys listed with "OPEN" have no
# replacement yet: they stay enforced on one node and are the next step of docs/scale.md.
CROSS_UNION_UNIQUES: dict[str, str] = {
    "membership_one_held_per_person": (
        "members_person.member_union compare-and-set in open_membership "
        "(test_citus_rules.py::test_one_held_membership_without_the_index)"),
    "ma_enrolment_once_per_year": (
        "mutualaid_enrolmentclaim (unique (person, plan, plan_year), distributed by person), "
        "inserted by enrol_members before the enrolments, which it inserts only for the claims "
        "it took (test_claims_rules.py::test_enrolment_in_another_union_without_the_index)"),
    "ma_payee_one_current": (
        "mutualaid_currentpayeeclaim (primary key person, distributed by it), taken and locked "
        "first by payee_account_set, which retires the old account and points the claim at the "
        "new one (test_claims_rules.py::test_current_account_in_another_union_without_the_index, "
        "::test_two_first_registrations_at_once_leave_one_current_account)"),
    "members_membership.card_number": (
        "members_cardnumberclaim (primary key card_number, distributed by it), written in the "
        "transaction that gives a membership its number: open_membership and the roster "
        "import's COPY (test_card_claims.py)"),
    "aid_beneficiary_once_per_person": (
        "aid_beneficiaryclaim (unique (programme, applicant_hash), distributed by "
        "applicant_hash), inserted with the list rows by beneficiaries_generate and "
        "beneficiary_add (test_claims_rules.py::test_household_listed_through_another_union_"
        "without_the_index)"),
    # democracy/evaluation/stats
    "democracy_credential.token_hash": (
        "democracy_credentialtoken (primary key token_hash, distributed by it), inserted with "
        "the credentials by round_open; a ballot finds its credential through it "
        "(democracy/tests/test_citus_keys.py)"),
    "eval_invitation_once": (
        "survey_open draws the audience once (the DRAFT -> OPEN move under the survey's lock) "
        "from the active memberships, one per person (the one-held-membership rule above) "
        "(evaluation/tests/test_citus_keys.py)"),
    "eval_response_named_once": (
        "evaluation_answered (unique (survey, person), distributed by person), inserted first in "
        "the transaction of every response (evaluation/tests/test_citus_keys.py)"),
}

# Foreign keys between union-distributed tables whose two rows may live in different unions:
# dropped on Citus (the service writes both rows in one distributed transaction).
CROSS_UNION_FKS: dict[str, str] = {
    "members.Transfer.new_membership": "the membership opened in the receiving union",
    # a hardship file follows its member to another union (aid.hooks.member_transferred); the
    # help already given and the programme lists stay with the union that gave them
    "aid.Assistance.file": "a file that followed its member to another union",
    "aid.Beneficiary.file": "a file that followed its member to another union",
    # rights/awards/outreach: a letter issued by a federation about a case of a union of its
    # subtree; cases are never deleted (no service deletes one; their children PROTECT them)
    "rights.Letter.case": "a letter of a federation about a case of a union below it",
}


@dataclass(frozen=True)
class Fk:
    table: str
    column: str
    target: str
    target_column: str
    label: str  # app_label.Model.field

    def constraint_name(self) -> str:
        return f"{self.table}_{self.column}_citus_fk"[:63]


def _model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def gonghui_models() -> list[type[models.Model]]:
    """Every concrete table of the project's apps (auto-created many-to-many tables included)."""
    out = []
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if opts.app_config is None or not opts.app_config.name.startswith("gonghui."):
            continue
        if opts.proxy or not opts.managed:
            continue
        out.append(model)
    return out


def union_tables() -> dict[str, str]:
    """db table -> distribution column of the union-distributed tables."""
    return {_model(label)._meta.db_table: col for label, col in DISTRIBUTED.items()}


def by_id_tables() -> list[str]:
    return sorted(_model(label)._meta.db_table for label in DISTRIBUTED_BY_ID)


def keyed_tables() -> dict[str, str]:
    """db table -> distribution column of the DISTRIBUTED_BY_KEY tables."""
    return {_model(label)._meta.db_table: col for label, col in DISTRIBUTED_BY_KEY.items()}


def colocated_keyed() -> dict[str, str]:
    """db table -> the db table it is co-located with (COLOCATED_KEYED)."""
    return {_model(label)._meta.db_table: _model(target)._meta.db_table
            for label, target in COLOCATED_KEYED.items()}


def _colocated_fk(fk: Fk, keyed: dict[str, str], groups: dict[str, str]) -> bool:
    """A foreign key of a co-located keyed table to the table it co-locates with, through the
    two distribution columns: Citus enforces it on the shard, so it stays."""
    return (groups.get(fk.table) == fk.target and keyed.get(fk.table) == fk.column
            and keyed.get(fk.target) == fk.target_column)


def _column(model: type[models.Model], name: str) -> str:
    return str(model._meta.get_field(name).column)  # type: ignore[union-attr]


def unique_keys(model: type[models.Model]) -> list[tuple[str, tuple[str, ...], bool]]:
    """(name, columns, partial) of every unique key Django declares on `model` (the primary key
    left out). Field-level uniques are named by their column."""
    opts = model._meta
    keys: list[tuple[str, tuple[str, ...], bool]] = []
    for field in opts.local_concrete_fields:
        if field.unique and not field.primary_key:
            keys.append((f"{opts.db_table}.{field.column}", (field.column,), False))
    for together in opts.unique_together:
        cols = tuple(_column(model, name) for name in together)
        keys.append((f"{opts.db_table}.{'_'.join(cols)}", cols, False))
    for constraint in opts.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            cols = tuple(_column(model, name) for name in constraint.fields)
            keys.append((constraint.name or "", cols, constraint.condition is not None))
    return keys


def foreign_keys(model: type[models.Model]) -> list[Fk]:
    opts = model._meta
    out = []
    for field in opts.local_concrete_fields:
        if not field.is_relation or not getattr(field, "db_constraint", False):
            continue
        target = field.related_model._meta  # type: ignore[union-attr]
        out.append(Fk(opts.db_table, field.column, target.db_table,
                      field.target_field.column,  # type: ignore[attr-defined]
                      f"{opts.label}.{field.name}"))
    return out


def reference_tables() -> list[str]:
    """Every table of the project that is not distributed, parents before children (Citus
    needs a reference table's foreign-key targets to be reference tables already)."""
    distributed = set(union_tables()) | set(by_id_tables()) | set(keyed_tables())
    tables = {m._meta.db_table: m for m in _all_models() if m._meta.db_table not in distributed}
    order: list[str] = []
    seen: set[str] = set()

    def visit(table: str) -> None:
        if table in seen or table not in tables:
            return
        seen.add(table)
        for fk in foreign_keys(tables[table]):
            if fk.target != table:
                visit(fk.target)
        order.append(table)

    for table in sorted(tables):
        visit(table)
    return order


def _all_models() -> list[type[models.Model]]:
    """The project's tables and those of the framework apps (auth, sessions, axes…): on a
    cluster every table is either distributed or a reference table."""
    return [m for m in apps.get_models(include_auto_created=True)
            if m._meta.managed and not m._meta.proxy]


def _union_fk_plan() -> tuple[list[Fk], list[Fk], list[tuple[Fk, str]]]:
    """(foreign keys rewritten as (union, fk) -> (union, id), foreign keys dropped and added
    again as they are once both sides are Citus tables — those of distributed tables towards
    reference tables, and those of a co-located keyed table to its group's table through the
    distribution columns (COLOCATED_KEYED) —, foreign keys dropped + why)."""
    unions = union_tables()
    by_id = set(by_id_tables())
    keyed = keyed_tables()
    groups = colocated_keyed()
    rewritten: list[Fk] = []
    to_reference: list[Fk] = []
    dropped: list[tuple[Fk, str]] = []
    for model in _all_models():
        for fk in foreign_keys(model):
            if fk.target in by_id:
                dropped.append((fk, "points at a table distributed by id"))
            elif fk.target in keyed and _colocated_fk(fk, keyed, groups):
                to_reference.append(fk)
            elif fk.target in keyed:
                dropped.append((fk, KEYED_FKS.get(fk.label, "OPEN: not co-located")))
            elif fk.target not in unions:
                # towards a reference table: kept; a distributed table's is taken off while
                # the tables are converted (Citus would first turn a local table that points
                # at a reference table into a "Citus local" table, which cannot then be
                # distributed with its identity column)
                if fk.table in unions or fk.table in by_id or fk.table in keyed:
                    to_reference.append(fk)
            elif fk.label in CROSS_UNION_FKS:
                dropped.append((fk, CROSS_UNION_FKS[fk.label]))
            elif fk.table in unions:
                rewritten.append(fk)
            elif fk.table in keyed:
                dropped.append((fk, KEYED_FKS.get(fk.label, "OPEN: not co-located")))
            else:
                dropped.append((fk, "reference table -> distributed table (Citus refuses it)"))
    return rewritten, to_reference, dropped


@dataclass
class State:
    """What the database already is: lets `distribute` run again without repeating a step."""

    citus: bool
    distributed: set[str]
    reference: set[str]
    constraints: set[tuple[str, str]]  # (table, constraint name)
    pkeys: dict[str, tuple[str, ...]]  # table -> primary key columns
    # (table, column) -> names of the single-column foreign keys on it, this plan's own
    # (union, fk) ones left out
    fks: dict[tuple[str, str], set[str]]
    # (table, column) -> names of the single-column unique constraints on it
    uniques: dict[tuple[str, str], set[str]]
    # the tables that exist (a model whose migration has not run yet is left out)
    tables: set[str]
    functions: set[str] = frozenset()  # type: ignore[assignment]
    widths: dict[tuple[str, str], int] = None  # type: ignore[assignment]  # unique key -> columns

    def __post_init__(self) -> None:
        if self.widths is None:
            self.widths = {}


def _pk_column(table: str) -> str:
    model = next(m for m in _all_models() if m._meta.db_table == table)
    return model._meta.pk.column  # type: ignore[union-attr]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def distribution_ddl(state: State) -> list[str]:
    """The statements that turn the database in `state` into the plan's layout, in order;
    empty when it already is."""
    unions = union_tables()
    rewritten, to_reference, dropped = _union_fk_plan()
    out: list[str] = []
    # 1. foreign keys that point at a distributed table go first: they hang on the primary key
    #    that step 3 replaces (the Django-named ones; rewritten ones come back in step 6).
    for fk in [*rewritten, *to_reference, *(d for d, _why in dropped)]:
        for name in sorted(n for n in state.fks.get((fk.table, fk.column), ())
                           if not n.endswith("_citus_fk")):
            out.append(f"ALTER TABLE {_q(fk.table)} DROP CONSTRAINT {_q(name)};")
    for fk, why in dropped:
        out.append(f"-- dropped {fk.label}: {why}")
    # 2. unique keys whose rule spans unions (CROSS_UNION_UNIQUES says what carries each)
    for label in DISTRIBUTED:
        table = _model(label)._meta.db_table
        for name, cols, _partial in unique_keys(_model(label)):
            if name not in CROSS_UNION_UNIQUES or state.widths.get((table, name)) == len(cols) + 1:
                continue
            # a field's own key is named by PostgreSQL; a declared one by its name
            real = (state.uniques.get((table, cols[0]), set()) if "." in name
                    else {name} & {n for t, n in state.constraints if t == table})
            column = DISTRIBUTED[label]
            for found in sorted(real):
                # a constraint (a plain key) or a bare unique index (a partial key)
                out.append(f"ALTER TABLE {_q(table)} DROP CONSTRAINT IF EXISTS {_q(found)};"
                           f"  -- {CROSS_UNION_UNIQUES[name]}")
                out.append(f"DROP INDEX IF EXISTS {_q(found)};")
                if not _partial:
                    # the rule still holds inside each union
                    cols_sql = ", ".join(_q(c) for c in (*cols, column))
                    out.append(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(found)} "
                               f"UNIQUE ({cols_sql});")
    # 2b. one-to-one keys inside a union become (union, field)
    for label in sorted(WIDENED_ON_CITUS):
        app_model, field_name = label.rsplit(".", 1)
        opts = _model(app_model)._meta
        table, column = opts.db_table, _column(_model(app_model), field_name)
        for name in sorted(state.uniques.get((table, column), ())):
            out.append(f"ALTER TABLE {_q(table)} DROP CONSTRAINT {_q(name)};")
            out.append(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} "
                       f"UNIQUE ({_q(unions[table])}, {_q(column)});")
    # 3. primary keys (union, id); (key, id) for a table distributed by a column of its own
    for table, col in sorted({**unions, **keyed_tables()}.items()):
        pk = _pk_column(table)
        wanted = (col,) if pk == col else (col, pk)
        if state.pkeys.get(table, (pk,)) != wanted:
            out.append(f"ALTER TABLE {_q(table)} DROP CONSTRAINT IF EXISTS "
                       f"{_q(table + '_pkey')};")
            out.append(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(table + '_pkey')} "
                       f"PRIMARY KEY ({', '.join(_q(c) for c in wanted)});")
    # 4. reference tables, parents first
    out.extend(f"SELECT create_reference_table({_lit(t)});" for t in reference_tables()
               if t not in state.reference and t in state.tables)
    # 5. distributed tables, all co-located with the anchor
    anchor = _model(ANCHOR)._meta.db_table
    for table in [anchor, *sorted(t for t in unions if t != anchor)]:
        if table not in state.distributed:
            colocate = "default" if table == anchor else anchor
            out.append(f"SELECT create_distributed_table({_lit(table)}, {_lit(unions[table])}, "
                       f"colocate_with => {_lit(colocate)});")
    out.extend(f"SELECT create_distributed_table({_lit(t)}, 'id', colocate_with => 'none');"
               for t in by_id_tables() if t not in state.distributed)
    # keyed tables: each its own group, or co-located with its group's table (created first)
    groups = colocated_keyed()
    out.extend(f"SELECT create_distributed_table({_lit(t)}, {_lit(col)}, "
               f"colocate_with => {_lit(groups.get(t, 'none'))});"
               for t, col in sorted(keyed_tables().items(), key=lambda kv: (kv[0] in groups,
                                                                            kv[0]))
               if t not in state.distributed)
    # 6. foreign keys towards reference tables back (and those of co-located keyed tables to
    #    their group's table), then those inside a union, through the distribution column
    for fk in to_reference:
        if (fk.table, fk.constraint_name()) not in state.constraints:
            out.append(
                f"ALTER TABLE {_q(fk.table)} ADD CONSTRAINT {_q(fk.constraint_name())} "
                f"FOREIGN KEY ({_q(fk.column)}) REFERENCES {_q(fk.target)} "
                f"({_q(fk.target_column)}) DEFERRABLE INITIALLY DEFERRED;")
    # 7. the ledger's balance check, co-located (below)
    if "funds_ledgerline" in unions and "funds_check_transaction_in" not in state.functions:
        out.append(LEDGER_CHECK_ON_CITUS)
    for fk in rewritten:
        if (fk.table, fk.constraint_name()) not in state.constraints:
            out.append(
                f"ALTER TABLE {_q(fk.table)} ADD CONSTRAINT {_q(fk.constraint_name())} "
                f"FOREIGN KEY ({_q(unions[fk.table])}, {_q(fk.column)}) "
                f"REFERENCES {_q(fk.target)} ({_q(unions[fk.target])}, {_q(fk.target_column)}) "
                f"DEFERRABLE INITIALLY DEFERRED;")
    return out


# The deferred balance trigger of funds (migration funds 0002) reads a transaction's lines by
# transaction id alone, which on Citus is a query over every shard from inside a shard's
# trigger. On the cluster the check reads them on the transaction's own shard (its union):
# a line of another union cannot exist there, as the (union, transaction) and (union, account)
# foreign keys of step 6 refuse it — the third check of the one-node function.
LEDGER_CHECK_ON_CITUS = r"""
CREATE OR REPLACE FUNCTION funds_check_transaction_in(tx_id bigint, tx_union bigint)
RETURNS void AS $$
DECLARE
    total numeric;
    n integer;
BEGIN
    SELECT coalesce(sum(l.amount), 0), count(l.id) INTO total, n
      FROM funds_ledgerline l WHERE l.union_id = tx_union AND l.transaction_id = tx_id;
    IF n < 2 THEN
        RAISE EXCEPTION 'funds: transaction % has % line(s); double entry needs at least two',
            tx_id, n USING ERRCODE = '23514';
    END IF;
    IF total <> 0 THEN
        RAISE EXCEPTION 'funds: transaction % is unbalanced: its lines sum to %', tx_id, total
            USING ERRCODE = '23514';
    END IF;
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION funds_line_balanced() RETURNS trigger AS $$
BEGIN
    PERFORM funds_check_transaction_in(NEW.transaction_id, NEW.union_id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION funds_tx_balanced() RETURNS trigger AS $$
BEGIN
    PERFORM funds_check_transaction_in(NEW.id, NEW.union_id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
""".strip()


def read_state(cursor) -> State:  # type: ignore[no-untyped-def]
    """The current layout of the database behind `cursor` (PostgreSQL, with or without
    Citus)."""
    cursor.execute("SELECT count(*) FROM pg_extension WHERE extname = 'citus'")
    citus = cursor.fetchone()[0] == 1
    distributed: set[str] = set()
    reference: set[str] = set()
    if citus:
        cursor.execute("SELECT logicalrelid::regclass::text, partmethod, repmodel "
                       "FROM pg_dist_partition")
        for table, method, repmodel in cursor.fetchall():
            if method == "h":
                distributed.add(table.strip('"'))
            elif repmodel == "t":  # replicated to every node: a reference table
                reference.add(table.strip('"'))
    cursor.execute("""
        SELECT c.conrelid::regclass::text, c.conname FROM pg_constraint c
        JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = current_schema()
        UNION ALL
        SELECT t.relname, i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = current_schema() AND x.indisunique""")
    constraints = {(t.strip('"'), n) for t, n in cursor.fetchall()}
    cursor.execute("""
        SELECT t.relname, array_agg(a.attname ORDER BY k.ord)
        FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
        WHERE c.contype = 'p' AND n.nspname = current_schema() GROUP BY t.relname""")
    pkeys = {t: tuple(cols) for t, cols in cursor.fetchall()}
    cursor.execute("""
        SELECT c.contype, t.relname, a.attname, c.conname FROM pg_constraint c
        JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = c.conkey[1]
        WHERE c.contype IN ('f', 'u') AND n.nspname = current_schema()
          AND array_length(c.conkey, 1) = 1""")
    fks: dict[tuple[str, str], set[str]] = {}
    uniques: dict[tuple[str, str], set[str]] = {}
    for kind, table, column, name in cursor.fetchall():
        (fks if kind == "f" else uniques).setdefault((table, column), set()).add(name)
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    tables = {t for (t,) in cursor.fetchall()}
    cursor.execute("SELECT proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                   "WHERE n.nspname = current_schema()")
    functions = {f for (f,) in cursor.fetchall()}
    cursor.execute("""
        SELECT t.relname, c.conname, array_length(c.conkey, 1) FROM pg_constraint c
        JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE c.contype = 'u' AND n.nspname = current_schema()""")
    widths = {(t, n): w for t, n, w in cursor.fetchall()}
    return State(citus, distributed, reference, constraints, pkeys, fks, uniques, tables,
                 functions, widths)


def empty_state(tables: Iterable[str] = ()) -> State:
    """A freshly migrated database without Citus (what `--dry-run` shows on one node)."""
    tables = list(tables)
    pks = {m._meta.db_table: (m._meta.pk.column,) for m in _all_models()}  # type: ignore[union-attr]
    return State(False, set(), set(), set(), {t: pks.get(t, ("id",)) for t in tables}, {}, {},
                 set(tables))


def on_citus() -> bool:
    """Whether the database is a Citus coordinator (`GONGHUI_CITUS=1`, settings.CITUS)."""
    return bool(getattr(settings, "CITUS", False))


def one_connection_per_node() -> None:
    """Call first in a transaction that reads a distributed table over several shards and then
    writes a reference table that distributed tables point at (a programme after reading its
    list): Citus refuses that write after a parallel multi-shard read ("cannot modify table …
    because there was a parallel operation on a distributed table"), as the foreign keys need
    every access of the transaction on one connection per node. On Citus it sets
    `citus.multi_shard_modify_mode` to sequential for the transaction; on one node nothing."""
    if on_citus():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'")


def lock_per_union(queryset: QuerySet[Any], *, column: str = "union_id",
                   limit: int | None = None, **lock: Any) -> list[Any]:
    """The rows of `queryset` locked FOR UPDATE (`lock`: select_for_update's arguments, e.g.
    skip_locked=True), at most `limit`. On one node one statement; on Citus, where row locks
    run only in single-shard queries, union by union in union order (rows in the queryset's
    order within a union), so two workers lock in the same order and `SKIP LOCKED` stays on
    one shard."""
    if not on_citus():
        locked = queryset.select_for_update(**lock)
        return list(locked[:limit] if limit is not None else locked)
    unions = sorted(set(queryset.order_by().values_list(column, flat=True).distinct()))
    rows: list[Any] = []
    for union in unions:
        part = queryset.filter(**{column: union}).select_for_update(**lock)
        if limit is not None:
            part = part[:limit - len(rows)]
        rows.extend(part)
        if limit is not None and len(rows) >= limit:
            break
    return rows


def lock_per_shard(queryset: QuerySet[Any], *, column: str = "union_id",
                   limit: int | None = None, **lock: Any) -> list[Any]:
    """The rows of `queryset` locked FOR UPDATE (`lock`: select_for_update's arguments, e.g.
    skip_locked=True), at most `limit`, like `lock_per_union` but on Citus one statement per
    shard instead of per union: the unions are grouped by their shard
    (`get_shard_id_for_distribution_column`, one query) and each group is locked with
    `column IN (…)`, which Citus routes to that shard alone. In shard order, then the
    queryset's order, so two callers lock alike. For work that touches many unions (the
    settlement processor's accumulators: a batch of 1,000 records meets hundreds of unions;
    the lapse check and the year-end over a whole federation): at most one statement per
    shard (32 by default), where `lock_per_union` needs one per union (100,000 in a city)."""
    if not on_citus():
        locked = queryset.select_for_update(**lock)
        return list(locked[:limit] if limit is not None else locked)
    unions = sorted(set(queryset.order_by().values_list(column, flat=True).distinct()))
    if not unions:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT u, get_shard_id_for_distribution_column(%s, u) "
                       "FROM unnest(%s::bigint[]) AS u",
                       [queryset.model._meta.db_table, unions])
        shards: dict[int, list[int]] = {}
        for union, shard in cursor.fetchall():
            shards.setdefault(shard, []).append(union)
    rows: list[Any] = []
    for _shard, group in sorted(shards.items()):
        part = queryset.filter(**{f"{column}__in": group}).select_for_update(**lock)
        if limit is not None:
            part = part[:limit - len(rows)]
        rows.extend(part)
        if limit is not None and len(rows) >= limit:
            break
    return rows


def lock_row(queryset: QuerySet[Any], pk: Any, **lock: Any) -> Any:
    """The row `pk` of `queryset` locked FOR UPDATE, or None when it is not in the queryset.
    For a table distributed by the union on Citus, where a row lock must name the shard and
    only the id is known, the row's union is read first (unlocked) and added to the lock; a
    row moved to another union meanwhile (delete + insert, core/rowmove.py) is looked up
    again. On one node the single statement it always was."""
    column = DISTRIBUTED.get(queryset.model._meta.label)
    if not on_citus() or column is None:
        return queryset.select_for_update(**lock).filter(pk=pk).first()
    for _attempt in range(3):
        union = queryset.model._default_manager.filter(pk=pk).values_list(
            column, flat=True).first()
        if union is None:
            return None
        row = queryset.select_for_update(**lock).filter(**{column: union}, pk=pk).first()
        if row is not None or not queryset.model._default_manager.filter(pk=pk).exclude(
                **{column: union}).exists():
            return row
    return None


def updatable_fields(obj: models.Model) -> list[str]:
    """The fields a full `save()` of `obj` writes, its distribution column left out: pass as
    `update_fields` when saving an edited row of a distributed table. Citus refuses an UPDATE
    that sets the distribution column (even to its own value) when the statement's WHERE does
    not fix it; a row changes union only by delete + insert (core/rowmove.py)."""
    column = DISTRIBUTED.get(obj._meta.label)
    return [f.name for f in obj._meta.concrete_fields
            if not f.primary_key and f.column != column]


def shard_key(obj: models.Model) -> dict[str, Any]:
    """`{union column: value}` of a row of a union-distributed table, else `{}`: added to a
    single-row lock so that on Citus it runs on the row's shard (the same row on one node)."""
    column = DISTRIBUTED.get(obj._meta.label)
    return {column: getattr(obj, column)} if column else {}
