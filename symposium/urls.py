from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from checkin.urls import sign_out as checkin_sign_out
from symposium import admin_login
from symposium.views.health import healthz

admin.site.login_form = admin_login.AdminLoginForm

urlpatterns = [
    # Before the admin's own URLs, so that every sign-in attempt is counted.
    path("admin/login/", admin_login.login),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("staff/events/<slug:slug>/check-in/", include("checkin.urls")),
    checkin_sign_out,
    path("staff/", include("symposium.urls_staff")),
    path("events/<slug:event_slug>/speakers/", include("speakers.urls")),
    path("events/<slug:event_slug>/breakouts/", include("breakouts.urls")),
    path("events/<slug:event_slug>/", include("symposium.urls_registration")),
    path("", include("symposium.urls_public")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
