"""Background jobs in the admin, for organisers: what ran, what failed and why, and a
retry. procrastinate's own admin is replaced: it is for its superusers, with inline
styles our Content-Security-Policy blocks."""

import json

from django.contrib import admin, messages
from django.db.models import OuterRef, Subquery
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.timezone import localtime
from procrastinate.contrib.django import app
from procrastinate.contrib.django.admin import ProcrastinateJobAdmin
from procrastinate.contrib.django.models import ProcrastinateJob
from procrastinate.utils import utcnow

from symposium import teams
from symposium.background.models import BackgroundJob, JobFailure

admin.site.unregister(ProcrastinateJob)


@admin.register(BackgroundJob)
class BackgroundJobAdmin(ProcrastinateJobAdmin):
    list_display = ["pk", "task_name", "status", "attempts", "last_error", "last_event"]
    list_filter = ["status", "task_name"]
    list_display_links = ["pk", "task_name"]
    fields = ["pk", "task_name", "arguments", "status", "attempts", "last_error", "history"]
    ordering = ["-pk"]
    inlines = []
    actions = ["retry_jobs", ProcrastinateJobAdmin.cancel]

    def has_view_permission(self, request, obj=None):
        # Whoever runs events (Organisers) watches the work done for them. Jobs are no
        # event's, and their errors may name anyone's delegates: only for whoever sees
        # every event (symposium.teams).
        user = request.user
        return user.has_perm("symposium.change_event") and teams.sees_all_events(user)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def get_queryset(self, request):
        errors = JobFailure.objects.filter(job_id=OuterRef("pk")).values("error")[:1]
        return super().get_queryset(request).annotate(last_error=Subquery(errors))

    @admin.display(description="last error")
    def last_error(self, job):
        return job.last_error or ""

    @admin.display(description="arguments")
    def arguments(self, job):
        return format_html("<pre>{}</pre>", json.dumps(job.args, indent=2))

    @admin.display(description="last event")
    def last_event(self, job):
        event = next(iter(job.procrastinateevent_set.all()), None)  # newest first
        return f"{event.get_type_display()}, {timesince(event.at)} ago" if event else ""

    @admin.display(description="history")
    def history(self, job):
        events = reversed(job.procrastinateevent_set.all())
        return "; ".join(f"{event.type} {localtime(event.at):%d %b %H:%M:%S}" for event in events)

    @admin.action(description="Retry the selected failed jobs")
    def retry_jobs(self, request, queryset):
        """Side effects: each failed job back in the queue, to run now. (A job left
        "doing" by a dead worker is retried by the workers themselves.)"""
        failed = list(queryset.filter(status="failed"))
        for job in failed:
            app.job_manager.retry_job_by_id(
                job.id, utcnow(), job.priority, job.queue_name, job.lock
            )
        self.message_user(request, f"{len(failed)} job(s) put back in the queue.", messages.SUCCESS)
