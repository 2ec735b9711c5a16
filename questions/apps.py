from django.apps import AppConfig


class QuestionsConfig(AppConfig):
    name = "questions"
    verbose_name = "Registration questions"

    def ready(self):
        from questions.models import Question, QuestionOption
        from symposium import receivers

        # The register and manage forms ask them: published content (symposium.page_cache).
        receivers.watch(published=[Question, QuestionOption])
