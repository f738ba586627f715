from surveys.views import answering, editing, running

app_name = "surveys"

urlpatterns = answering.urlpatterns + running.urlpatterns + editing.urlpatterns
