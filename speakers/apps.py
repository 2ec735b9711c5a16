from django.apps import AppConfig


class SpeakersConfig(AppConfig):
    name = "speakers"

    def ready(self):
        from speakers.models import (
            Presentation,
            PresentationSpeaker,
            Speaker,
            check_speakers_are_free,
        )
        from symposium import receivers
        from symposium.models import AgendaItem

        receivers.watch(published=[Speaker, Presentation, PresentationSpeaker])
        receivers.watch_m2m(
            Presentation.speakers.through, dispatch_uid="page-cache-presentation-speakers"
        )
        # A speaker cannot be in two agenda items at once (the organiser is told why).
        if check_speakers_are_free not in AgendaItem.clash_checks:
            AgendaItem.clash_checks.append(check_speakers_are_free)
