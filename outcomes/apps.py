from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Breakout outcomes"

    def ready(self):
        from outcomes import receivers
        from registration import hooks

        hooks.add_event_links(receivers.outcomes_link)
        hooks.add_lead_links(receivers.lead_actions_link)
