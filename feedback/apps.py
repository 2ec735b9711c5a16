from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Feedback"

    def ready(self):
        from feedback import certificates, receivers  # noqa: F401 - connects them
        from registration import manage_sections

        # The certificate of attendance on the delegate's manage page.
        manage_sections.add(certificates.manage_section)
