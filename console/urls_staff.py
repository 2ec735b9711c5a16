from django.urls import path

from console import staff as views
from console.report import views as report

app_name = "staff"

urlpatterns = [
    path("", views.StaffEventList.as_view(), name="event-list"),
    path("events/<slug:slug>/", views.StaffEvent.as_view(), name="event"),
    path("events/<slug:slug>/attendees/", views.AttendeeExport.as_view(), name="attendee-export"),
    path(
        "events/<slug:slug>/attendees/<int:export>/",
        views.PreparedExportPage.as_view(),
        name="prepared-export",
    ),
    path(
        "events/<slug:slug>/attendees/<int:export>/status/",
        views.PreparedExportStatus.as_view(),
        name="prepared-export-status",
    ),
    path(
        "events/<slug:slug>/attendees/<int:export>/file/",
        views.PreparedExportFile.as_view(),
        name="prepared-export-file",
    ),
    path(
        "events/<slug:slug>/attendees/<int:export>/retry/",
        views.PreparedExportRetry.as_view(),
        name="prepared-export-retry",
    ),
    path(
        "events/<slug:slug>/sign-in/desk/",
        views.RegistrationDeskSheet.as_view(),
        name="sign-in-desk",
    ),
    path(
        "events/<slug:slug>/sign-in/breakouts/",
        views.BreakoutSignInSheets.as_view(),
        name="sign-in-breakouts",
    ),
    path(
        "events/<slug:slug>/sign-in/breakouts/<int:session_id>/",
        views.BreakoutSignInSheets.as_view(),
        name="sign-in-session",
    ),
    path("events/<slug:slug>/catering/", views.CateringSummary.as_view(), name="catering"),
    path("events/<slug:slug>/overview/", views.Overview.as_view(), name="overview"),
    path("events/<slug:slug>/report/", report.ReportPage.as_view(), name="report"),
    path("events/<slug:slug>/report/status/", report.ReportStatus.as_view(), name="report-status"),
    path("events/<slug:slug>/report/pdf/", report.ReportPdf.as_view(), name="report-pdf"),
    path("events/<slug:slug>/report/quotes/", report.ReportQuotes.as_view(), name="report-quotes"),
]
