from django.urls import path

from organisation import views

app_name = "organisation"

urlpatterns = [
    path("departments/", views.department_list, name="departments"),
    path("departments/<int:pk>/", views.department_detail, name="department"),
    path("sign-in-slips/", views.sign_in_slips, name="sign_in_slips"),
    path("import/", views.import_upload, name="import"),
    path("import/<uuid:pk>/", views.import_detail, name="import_detail"),
    path("import/<uuid:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("import/<uuid:pk>/progress/", views.import_progress, name="import_progress"),
    path("settings/", views.council_settings, name="settings"),
    path("audit/", views.audit_log, name="audit"),
]
