from django.urls import include, path

from gonghui.api import api
from gonghui.workbench.views import home

urlpatterns = [
    path("", home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("gonghui.accounts.urls")),
    path("orgs/", include("gonghui.orgs.urls")),
    path("audit/", include("gonghui.audit.urls")),
    path("members/roster/", include("gonghui.roster.urls")),
    path("members/", include("gonghui.members.urls")),
    path("funds/", include("gonghui.funds.urls")),
    path("workplan/", include("gonghui.workplan.urls")),
    path("aid/", include("gonghui.aid.urls")),
    path("mutualaid/", include("gonghui.mutualaid.urls")),
    path("rights/", include("gonghui.rights.urls")),
    path("awards/", include("gonghui.awards.urls")),
    path("democracy/", include("gonghui.democracy.urls")),
    path("evaluation/", include("gonghui.evaluation.urls")),
    path("outreach/", include("gonghui.outreach.urls")),
    path("stats/", include("gonghui.stats.urls")),
    path("workbench/", include("gonghui.workbench.urls")),
    path("notifications/", include("gonghui.notifications.urls")),
    path("notices/", include("gonghui.notices.urls")),
    path("workdays/", include("gonghui.notices.workdays_urls")),
    path("api/v1/", api.urls),
]
