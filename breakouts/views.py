"""Public page: the breakout themes, their sessions and how many places are left."""

from django.views.generic import TemplateView

from symposium.selectors import breakout_themes, session_places
from symposium.views.public import CachedPageMixin, EventPageMixin


class BreakoutList(CachedPageMixin, EventPageMixin, TemplateView):
    template_name = "breakouts/breakout_list.html"
    nav = "breakouts"

    def live_state(self):
        places = session_places(event=self.event)
        return sorted((pk, max(capacity - taken, 0)) for pk, (capacity, taken) in places.items())

    def get_context_data(self, **kwargs):
        return super().get_context_data(themes=breakout_themes(event=self.event), **kwargs)
