from django.urls import path

from adoption import views

app_name = "adoption"

urlpatterns = [
    path("readiness/", views.readiness, name="readiness"),
    path("readiness/department/<int:pk>/", views.readiness_department, name="readiness_department"),
    path("settings/readiness-weights/", views.readiness_weights, name="weights"),
    path("staff/<int:pk>/", views.staff_detail, name="staff"),
]
