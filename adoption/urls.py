from django.urls import path

from adoption import views, views_nudges

app_name = "adoption"

urlpatterns = [
    path("readiness/", views.readiness, name="readiness"),
    path("readiness/department/<int:pk>/", views.readiness_department, name="readiness_department"),
    path("settings/readiness-weights/", views.readiness_weights, name="weights"),
    path("staff/<int:pk>/", views.staff_detail, name="staff"),
    path("notifications/", views_nudges.notifications, name="notifications"),
    path("notifications/unsubscribe/<str:token>/", views_nudges.unsubscribe, name="unsubscribe"),
    path("settings/nudges/", views_nudges.nudge_settings, name="nudge_settings"),
    path("settings/outbox/", views_nudges.outbox, name="outbox"),
    path("settings/outbox/<int:pk>/resend/", views_nudges.outbox_resend, name="outbox_resend"),
    path("team/remind/", views_nudges.team_remind, name="team_remind"),
]
