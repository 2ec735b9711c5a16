from django.urls import path

from registration import event_pages as views

app_name = "symposium"

urlpatterns = [
    path("", views.EventList.as_view(), name="event-list"),
    path("events/<slug:slug>/", views.EventDetail.as_view(), name="event-detail"),
    path("events/<slug:slug>/agenda/", views.Agenda.as_view(), name="agenda"),
    path("events/<slug:slug>/agenda.ics", views.AgendaCalendar.as_view(), name="agenda-ics"),
    path("events/<slug:slug>/privacy/", views.Privacy.as_view(), name="privacy"),
    path("events/<slug:slug>/accessibility/", views.Accessibility.as_view(), name="accessibility"),
]
