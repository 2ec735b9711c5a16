"""The project's addresses. Each app's URLs are included by name, as INSTALLED_APPS
names the apps: the project composes the apps without importing them."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from symposium.web import admin_login
from symposium.web.health import healthz

admin.site.login_form = admin_login.AdminLoginForm

urlpatterns = [
    # Before the admin's own URLs, so that every sign-in attempt is counted.
    path("admin/login/", admin_login.login),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("staff/events/<slug:slug>/check-in/", include("checkin.urls")),
    path("", include("checkin.urls_sign_out")),
    path("staff/", include("console.urls_staff")),
    path("partners/", include("partners.urls")),
    path("events/<slug:event_slug>/speakers/", include("speakers.urls")),
    path("events/<slug:event_slug>/breakouts/", include("breakouts.urls")),
    path("events/<slug:event_slug>/", include("feedback.urls")),
    path("events/<slug:event_slug>/outcomes/", include("outcomes.urls")),
    path(
        "events/<slug:event_slug>/partners/<str:token>/actions/",
        include("outcomes.urls_leads"),
    ),
    path("events/<slug:event_slug>/", include("registration.urls")),
    path("", include("registration.urls_public")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
