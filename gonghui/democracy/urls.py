from django.urls import URLPattern, URLResolver, path

from gonghui.democracy.views import elections, voting

app_name = "democracy"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", elections.home, name="home"),
    path("elections/", elections.election_list, name="elections"),
    path("elections/new/", elections.election_new, name="election_new"),
    path("elections/<int:pk>/", elections.election_detail, name="election"),
    path("elections/<int:pk>/plan-approve/", elections.plan_approve, name="plan_approve"),
    path("elections/<int:pk>/candidates/", elections.candidate_add, name="candidate_add"),
    path("elections/<int:pk>/voters/", elections.voters_add, name="voters_add"),
    path("elections/<int:pk>/candidates-approve/", elections.candidates_approve,
         name="candidates_approve"),
    path("elections/<int:pk>/meeting/", elections.meeting_open, name="meeting_open"),
    path("elections/<int:pk>/rounds/", elections.round_open, name="round_open"),
    path("elections/<int:pk>/result-approve/", elections.result_approve, name="result_approve"),
    path("elections/<int:pk>/cancel/", elections.election_cancel, name="cancel"),
    path("elections/<int:pk>/roles/", elections.role_grant, name="role_grant"),
    path("elections/<int:pk>/report.pdf", voting.report, name="report"),
    path("rounds/<int:pk>/", voting.round_detail, name="round"),
    path("rounds/<int:pk>/close/", voting.round_close, name="round_close"),
    path("vote/<int:pk>/", voting.vote, name="vote"),
    path("terms/", elections.terms, name="terms"),
]
