from django.db import models
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob


class JobFailure(models.Model):
    """The last error of a background job, which procrastinate does not keep: the
    admin shows it beside the job. Written by the worker (failures.py)."""

    # procrastinate_jobs.id, without a foreign key: procrastinate deletes its jobs in
    # SQL of its own. Rows go with the jobs, a week after (tasks.remove_old_jobs).
    job_id = models.BigIntegerField(unique=True)
    task_name = models.CharField(max_length=128)
    error = models.TextField()
    failed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "job failure"

    def __str__(self):
        return f"{self.task_name}[{self.job_id}]: {self.error}"


class BackgroundJob(ProcrastinateJob):
    """procrastinate's job, as organisers see it in the admin (admin.py)."""

    class Meta:
        proxy = True
        verbose_name = "background job"
