from django.urls import path

from checkin import views

app_name = "checkin"

urlpatterns = [
    path("", views.Desk.as_view(), name="desk"),
    # Served from under the desk's address: the worker's scope is the desk.
    path("service-worker.js", views.ServiceWorker.as_view(), name="service-worker"),
    path("list.json", views.DeskList.as_view(), name="list"),
    path("scans/", views.Scans.as_view(), name="scans"),
    path("undo/", views.Undo.as_view(), name="undo"),
    path("walk-in/", views.WalkIn.as_view(), name="walk-in"),
    path("badges.pdf", views.Badges.as_view(), name="badges"),
    path("badges/<int:run>/", views.BadgeRunPage.as_view(), name="badge-run"),
    path("badges/<int:run>/status.json", views.BadgeRunStatus.as_view(), name="badge-run-status"),
    path("badges/<int:run>/badges.pdf", views.BadgeRunPdf.as_view(), name="badge-run-pdf"),
    path("attendance.json", views.Attendance.as_view(), name="attendance"),
    path("attendance/", views.AttendanceExport.as_view(), name="attendance-export"),
    path("no-shows/", views.NoShowExport.as_view(), name="no-shows"),
]
