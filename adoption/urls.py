from django.urls import path

from adoption import views, views_nudges, views_reports

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
    path("reports/", views_reports.report_list, name="reports"),
    path("reports/<uuid:pk>/", views_reports.report_detail, name="report"),
    path("reports/<uuid:pk>/progress/", views_reports.report_progress, name="report_progress"),
    path("reports/<uuid:pk>/download/", views_reports.report_download, name="report_download"),
    path("reports/<uuid:pk>/retry/", views_reports.report_retry, name="report_retry"),
    path("reports/schedules/", views_reports.schedule_list, name="report_schedules"),
    path("reports/schedules/new/", views_reports.schedule_edit, name="report_schedule_new"),
    path("reports/schedules/<int:pk>/", views_reports.schedule_edit, name="report_schedule"),
    path("reports/schedules/<int:pk>/delete/", views_reports.schedule_delete, name="report_schedule_delete"),
]
