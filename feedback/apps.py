from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Feedback"

    def ready(self):
        from feedback import certificates, receivers, services  # noqa: F401 - connects them
        from registration import manage_sections, privacy

        # The certificate of attendance on the delegate's manage page.
        manage_sections.add(certificates.manage_section)
        # Their survey answers in a delegate's copy of their data.
        privacy.DATA_SECTIONS["feedback_survey"] = services.delegate_data
