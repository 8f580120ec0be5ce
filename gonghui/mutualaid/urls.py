from django.urls import path

from gonghui.mutualaid.views import batches, dashboard, imports, payouts, plans

app_name = "mutualaid"

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("my/", dashboard.portal, name="portal"),
    path("plans/", plans.plan_list, name="plans"),
    path("plans/new/", plans.plan_create, name="plan_create"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan"),
    path("plans/<int:pk>/version/", plans.version_create, name="version_create"),
    path("plans/<int:pk>/enrol/<int:org_id>/", plans.enrol, name="enrol"),
    path("imports/", imports.import_list, name="imports"),
    path("imports/<int:pk>/", imports.import_detail, name="import"),
    path("imports/<int:pk>/progress/", imports.import_progress, name="import_progress"),
    path("payouts/", payouts.payout_list, name="payouts"),
    path("payouts/<int:pk>/", payouts.payout_detail, name="payout"),
    path("payouts/<int:pk>/approve/", payouts.payout_approve, name="payout_approve"),
    path("payouts/<int:pk>/reject/", payouts.payout_reject, name="payout_reject"),
    path("payouts/<int:pk>/requeue/", payouts.payout_requeue, name="payout_requeue"),
    path("payouts/<int:pk>/account/", payouts.payee_account, name="payee_account"),
    path("payouts/<int:pk>/account/reveal/", payouts.account_reveal, name="account_reveal"),
    path("batches/", batches.batch_list, name="batches"),
    path("batches/<int:pk>/", batches.batch_detail, name="batch"),
    path("batches/<int:pk>/progress/", batches.batch_progress, name="batch_progress"),
    path("batches/<int:pk>/export/", batches.batch_export, name="batch_export"),
    path("batches/<int:pk>/results/", batches.batch_results, name="batch_results"),
    path("batches/<int:pk>/cancel/", batches.batch_cancel, name="batch_cancel"),
]
