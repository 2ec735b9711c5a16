"""The admin site organisers use: branded from settings, its index a card per event."""

from django.conf import settings
from django.contrib import admin
from django.urls import path

from console import dashboard


class ConsoleAdminSite(admin.AdminSite):
    index_template = "admin/console/index.html"

    @property
    def site_header(self):
        return settings.ADMIN_SITE_HEADER

    @property
    def site_title(self):
        return settings.ADMIN_SITE_TITLE

    index_title = "Events"

    def index(self, request, extra_context=None):
        cards = dashboard.event_cards(user=request.user) if request.user.is_active else []
        return super().index(request, {"event_cards": cards, **(extra_context or {})})

    def get_urls(self):
        from console import build, views

        console = [
            path(
                "console/events/<int:pk>/copy/",
                self.admin_view(views.CopyEventView.as_view(admin_site=self)),
                name="console-copy-event",
            ),
            path(
                "console/events/<int:pk>/move/",
                self.admin_view(views.MoveDelegatesView.as_view(admin_site=self)),
                name="console-move-delegates",
            ),
            path(
                "console/events/<int:pk>/go-live/",
                self.admin_view(build.GoLiveView.as_view(admin_site=self)),
                name="console-event-go-live",
            ),
            path(
                "console/events/<int:pk>/sessions/",
                self.admin_view(build.SessionGridView.as_view(admin_site=self)),
                name="console-event-sessions",
            ),
            path(
                "console/events/<int:pk>/speakers/",
                self.admin_view(build.SpeakersView.as_view(admin_site=self)),
                name="console-event-speakers",
            ),
        ]
        return console + super().get_urls()
