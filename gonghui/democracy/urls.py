from django.urls import URLPattern, URLResolver, path

from gonghui.democracy.views import congress, elections, voting

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

urlpatterns += [
    path("congresses/", congress.congress_list, name="congresses"),
    path("congresses/new/", congress.congress_new, name="congress_new"),
    path("congresses/<int:pk>/", congress.congress_detail, name="congress"),
    path("congresses/<int:pk>/representatives/", congress.representatives_add,
         name="representatives_add"),
    path("congresses/<int:pk>/sessions/", congress.session_hold, name="session_hold"),
    path("congresses/<int:pk>/votes/", congress.session_vote, name="session_vote"),
    path("congresses/<int:pk>/contacts/", congress.contact_add, name="contact_add"),
    path("proposals/", congress.proposal_list, name="proposals"),
    path("proposals/report.xlsx", congress.proposal_report, name="proposal_report"),
    path("proposals/<int:pk>/", congress.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/decide/", congress.proposal_decide, name="proposal_decide"),
    path("proposals/<int:pk>/assign/", congress.proposal_assign, name="proposal_assign"),
    path("proposals/<int:pk>/reply/", congress.proposal_reply, name="proposal_reply"),
    path("my/proposals/", congress.my_proposals, name="my_proposals"),
    path("my/proposals/cosign/", congress.proposal_cosign, name="proposal_cosign"),
    path("my/proposals/<int:pk>/", congress.my_proposal, name="my_proposal"),
    path("my/proposals/<int:pk>/submit/", congress.my_proposal_submit, name="my_proposal_submit"),
    path("my/proposals/<int:pk>/rate/", congress.my_proposal_rate, name="my_proposal_rate"),
]
