from django.urls import path

from gonghui.funds.views import audit, bank, dues, entry, ledger, manage, reports, yearend

app_name = "funds"

urlpatterns = [
    path("", ledger.home, name="home"),
    path("<int:pk>/", ledger.union, name="union"),
    path("<int:pk>/journal/", ledger.journal, name="journal"),
    path("<int:pk>/journal/export.<slug:fmt>", reports.journal_export, name="journal_export"),
    path("<int:pk>/income/new/", entry.income_new, name="income_new"),
    path("<int:pk>/expense/new/", entry.expense_new, name="expense_new"),
    path("<int:pk>/policy-check/", entry.policy_check, name="policy_check"),
    path("<int:pk>/allocation/new/", entry.allocation_new, name="allocation_new"),
    path("<int:pk>/allocation/remit/", entry.remit_new, name="remit_new"),
    path("<int:pk>/dues/", dues.dues, name="dues"),
    path("<int:pk>/dues/generate/", dues.dues_generate, name="dues_generate"),
    path("<int:pk>/dues/<int:list_pk>/pay/", dues.dues_pay, name="dues_pay"),
    path("dues/entry/<int:pk>/unmark/", dues.dues_unmark, name="dues_unmark"),
    path("<int:pk>/budget/<int:year>/", manage.budget, name="budget"),
    path("<int:pk>/close/", manage.close, name="close"),
    path("<int:pk>/close/year/", yearend.year_close, name="year_close"),
    path("<int:pk>/close/reopen/", yearend.year_reopen, name="year_reopen"),
    path("year-runs/<int:pk>/", yearend.year_run, name="year_run"),
    path("<int:pk>/setup/", yearend.setup, name="setup"),
    path("<int:pk>/bank/", bank.statements, name="bank"),
    path("bank/<int:pk>/", bank.statement, name="statement"),
    path("bank/<int:pk>/auto-match/", bank.auto_match, name="auto_match"),
    path("bank/<int:pk>/match/", bank.manual_match, name="manual_match"),
    path("bank/<int:pk>/reconciliation.<slug:fmt>", bank.reconciliation_export,
         name="reconciliation"),
    path("bank/match/<int:pk>/undo/", bank.match_undo, name="match_undo"),
    path("<int:pk>/limits/", manage.limits, name="limits"),
    path("<int:pk>/reports/<slug:kind>/", reports.report, name="report"),
    path("<int:pk>/findings/", audit.findings, name="findings"),
    path("<int:pk>/findings/add/", audit.finding_add, name="finding_add"),
    path("findings/<int:pk>/<slug:action>/", audit.finding_move, name="finding_move"),
    path("limits/<int:pk>/deactivate/", manage.limit_deactivate, name="limit_deactivate"),
    path("tx/<int:pk>/", ledger.tx_detail, name="tx"),
    path("tx/<int:pk>/reverse/", ledger.tx_reverse, name="tx_reverse"),
    path("tx/<int:pk>/evidence/", ledger.evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/", ledger.evidence, name="evidence"),
]
