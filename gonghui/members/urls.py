from django.urls import path

from gonghui.members.views import applications, bulk, cadre, portal, selfservice

app_name = "members"

urlpatterns = [
    path("", cadre.member_list, name="list"),
    path("new/", cadre.member_add, name="add"),
    path("<int:pk>/", cadre.member_detail, name="detail"),
    path("<int:pk>/edit/", cadre.member_edit, name="edit"),
    path("<int:pk>/status/", cadre.member_status, name="status"),
    path("<int:pk>/reveal/", cadre.member_reveal, name="reveal"),
    path("<int:pk>/transfer/", cadre.transfer_start, name="transfer_start"),
    path("<int:pk>/lapse/<str:action>/", cadre.lapse_action, name="lapse_action"),
    path("lapse/", cadre.lapse_list, name="lapse"),
    path("transfers/", cadre.transfer_list, name="transfers"),
    path("transfers/<int:pk>/<str:action>/", cadre.transfer_decide, name="transfer_decide"),
    path("applications/", applications.application_list, name="applications"),
    path("applications/<int:pk>/", applications.application_detail, name="application"),
    path("applications/<int:pk>/<str:action>/", applications.application_decide,
         name="application_decide"),
    path("bulk/", bulk.bulk_start, name="bulk_start"),
    path("bulk/<int:pk>/", bulk.bulk_job, name="bulk_job"),
    path("overdue/", bulk.overdue, name="overdue"),
    path("selfservice/", selfservice.request_list, name="selfservice_requests"),
    path("selfservice/<int:pk>/<str:action>/", selfservice.request_decide,
         name="selfservice_decide"),
    path("portal/me/", selfservice.portal_selfservice, name="portal_selfservice"),
    path("stats/<int:org_pk>/", cadre.org_stats, name="org_stats"),
    path("verify/", portal.card_verify, name="card_verify"),
    path("portal/", portal.portal_home, name="portal"),
    path("portal/register/", portal.portal_register, name="portal_register"),
    path("portal/apply/", portal.portal_apply, name="portal_apply"),
    path("portal/apply/<str:code>/", portal.portal_apply_form, name="portal_apply_form"),
    path("portal/applications/<int:pk>/", portal.portal_application, name="portal_application"),
    path("portal/applications/<int:pk>/withdraw/", portal.portal_application_withdraw,
         name="portal_application_withdraw"),
    path("portal/card/", portal.portal_card, name="portal_card"),
    path("portal/card.pdf", portal.portal_card_pdf, name="portal_card_pdf"),
    path("portal/transfer/", portal.portal_transfer, name="portal_transfer"),
    path("portal/my-data/", portal.portal_my_data, name="portal_my_data"),
    path("portal/my-data.json", portal.portal_my_data_export, name="portal_my_data_export"),
]
