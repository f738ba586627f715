from django.urls import path

from organisation import views, views_settings

app_name = "organisation"

urlpatterns = [
    path("departments/", views.department_list, name="departments"),
    path("departments/<int:pk>/", views.department_detail, name="department"),
    path("sign-in-slips/", views.sign_in_slips, name="sign_in_slips"),
    path("import/", views.import_upload, name="import"),
    path("import/<uuid:pk>/", views.import_detail, name="import_detail"),
    path("import/<uuid:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("import/<uuid:pk>/progress/", views.import_progress, name="import_progress"),
    path("settings/", views_settings.overview, name="settings"),
    path("settings/branding/", views_settings.branding, name="settings_branding"),
    path("settings/reporting-thresholds/", views_settings.thresholds, name="settings_thresholds"),
    path("settings/sign-in/", views_settings.sign_in, name="settings_sign_in"),
    path("settings/values/", views_settings.values, name="settings_values"),
    path("settings/values/new/", views_settings.value_new, name="value_new"),
    path("settings/values/<int:pk>/change/", views_settings.value_edit, name="value_edit"),
    path("settings/values/<int:pk>/remove/", views_settings.value_remove, name="value_remove"),
    path("settings/values/<int:pk>/move/", views_settings.value_move, name="value_move"),
    path("audit/", views.audit_log, name="audit"),
]
