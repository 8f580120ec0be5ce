from django.urls import URLPattern, URLResolver, path

from gonghui.outreach.views import (
    activities,
    comms,
    dashboard,
    photos,
    portal,
    stations,
    training,
)

app_name = "outreach"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", dashboard.home, name="home"),
    # stations (cadres)
    path("stations/", stations.station_list, name="stations"),
    path("stations/new/", stations.station_new, name="station_new"),
    path("stations/import/", stations.station_import, name="station_import"),
    path("stations/export.xlsx", stations.station_export, name="station_export"),
    path("stations/<int:pk>/", stations.station_detail, name="station"),
    path("stations/<int:pk>/edit/", stations.station_edit, name="station_edit"),
    path("stations/<int:pk>/status/", stations.station_status, name="station_status"),
    path("stations/<int:pk>/exception/", stations.station_exception, name="station_exception"),
    path("stations/<int:pk>/inspect/", stations.station_inspect, name="station_inspect"),
    path("stations/<int:pk>/photos/", photos.photo_add, name="station_photo_add"),
    path("stations/<int:pk>/photos/<int:photo_id>/", photos.photo, name="station_photo"),
    path("stations/<int:pk>/photos/<int:photo_id>/delete/", photos.photo_delete,
         name="station_photo_delete"),
    # activities (cadres)
    path("activities/", activities.activity_list, name="activities"),
    path("activities/new/", activities.activity_new, name="activity_new"),
    path("activities/<int:pk>/", activities.activity_detail, name="activity"),
    path("activities/<int:pk>/cancel/", activities.activity_cancel, name="activity_cancel"),
    path("activities/<int:pk>/qr/", activities.activity_qr, name="activity_qr"),
    path("activities/<int:pk>/card/", activities.activity_checkin_card, name="activity_card"),
    # announcements (cadres)
    path("announcements/", comms.announcement_list, name="announcements"),
    path("announcements/new/", comms.announcement_new, name="announcement_new"),
    path("announcements/<int:pk>/", comms.announcement_detail, name="announcement"),
    path("announcements/<int:pk>/withdraw/", comms.announcement_withdraw,
         name="announcement_withdraw"),
    # training and projects (cadres)
    path("courses/", training.course_list, name="courses"),
    path("courses/new/", training.course_new, name="course_new"),
    path("courses/gaps/", training.training_gaps, name="training_gaps"),
    path("courses/<int:pk>/", training.course_detail, name="course"),
    path("courses/<int:pk>/session/", training.course_session, name="course_session"),
    path("courses/<int:pk>/enrol/", training.course_enrol, name="course_enrol"),
    path("courses/<int:pk>/sessions/<int:sid>/attend/", training.course_attend,
         name="course_attend"),
    path("courses/<int:pk>/certificate/<int:uid>.pdf", training.course_certificate,
         name="course_certificate"),
    path("projects/", training.project_list, name="projects"),
    path("projects/new/", training.project_new, name="project_new"),
    path("projects/<int:pk>/", training.project_detail, name="project"),
    # the member portal
    path("near/", portal.portal, name="portal"),
    path("map/", portal.station_map, name="map"),
    path("map/data.json", portal.map_data, name="map_data"),
    path("my/activities/", portal.my_activities, name="my_activities"),
    path("my/activities/<int:pk>/", portal.my_activity, name="my_activity"),
    path("my/activities/<int:pk>/signup/", portal.signup, name="signup"),
    path("my/activities/<int:pk>/checkin/", portal.checkin, name="checkin"),
    path("my/signups/<int:pk>/cancel/", portal.signup_cancel, name="signup_cancel"),
    path("inbox/", portal.inbox, name="inbox"),
    path("inbox/<int:pk>/", portal.inbox_item, name="inbox_item"),
]
