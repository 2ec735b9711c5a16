"""Public pages: who speaks at an event, and what each speaker presents there."""

from django.views.generic import DetailView, ListView

from speakers import selectors
from symposium.pages import CachedPageMixin, EventPageMixin


class SpeakerList(CachedPageMixin, EventPageMixin, ListView):
    template_name = "speakers/speaker_list.html"
    context_object_name = "speakers"
    nav = "speakers"

    def get_queryset(self):
        return selectors.event_speakers(event=self.event)


class SpeakerDetail(CachedPageMixin, EventPageMixin, DetailView):
    """A speaker's page at one event; a speaker who does not present there is not found."""

    template_name = "speakers/speaker_detail.html"
    context_object_name = "speaker"
    nav = "speakers"

    def get_queryset(self):
        return selectors.event_speakers_with_presentations(event=self.event)
