from django.apps import AppConfig


class BreakoutsConfig(AppConfig):
    name = "breakouts"

    def ready(self):
        from breakouts.models import BreakoutChoice, BreakoutSession, Theme
        from symposium import receivers

        # A breakout place taken or freed changes the pages that show places left; the
        # themes and sessions are published content (symposium.page_cache).
        receivers.watch(live=[BreakoutChoice], published=[Theme, BreakoutSession])
