"""Public page: the breakout themes, their sessions and how many places are left."""

from django.views.generic import TemplateView

from breakouts.selectors import breakout_themes
from symposium.pages import CachedPageMixin, EventPageMixin


class BreakoutList(CachedPageMixin, EventPageMixin, TemplateView):
    template_name = "breakouts/breakout_list.html"
    nav = "breakouts"

    shows_places = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(themes=breakout_themes(event=self.event), **kwargs)
