from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from adoption import views as adoption_views
from config import views
from organisation import views as organisation_views

# The Django admin signs in through allauth (and so through MFA), never its own form.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Tandem administration"
admin.site.site_title = "Tandem"

urlpatterns = [
    path("", adoption_views.home, name="home"),
    # Work emails come from the HR system, so people do not add or change them here.
    path("accounts/email/", views.not_here),
    path("accounts/", include("allauth.urls")),
    path("sign-in/code/", organisation_views.sign_in_code, name="sign_in_code"),
    path("sign-in/code/password/", organisation_views.sign_in_code_password, name="sign_in_code_password"),
    path("sign-in/authenticator/", organisation_views.sign_in_authenticator, name="sign_in_authenticator"),
    path("organisation/", include("organisation.urls")),
    path("", include("adoption.urls")),
    path("", include("courses.urls")),
    path("", include("surveys.urls")),
    path("branding/logo", organisation_views.council_logo, name="council_logo"),
    path("branding/theme.css", views.theme_css, name="theme_css"),
    path("privacy/", views.privacy, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("transparency/", views.transparency, name="transparency"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path(settings.ADMIN_PATH, admin.site.urls),
]

handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
