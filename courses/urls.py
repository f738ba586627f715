from courses.views import assignments, authoring, learning

app_name = "courses"

urlpatterns = learning.urlpatterns + assignments.urlpatterns + authoring.urlpatterns
