from surveys.views import answering, running

app_name = "surveys"

urlpatterns = answering.urlpatterns + running.urlpatterns
