"""Background work of the breakouts app (symposium.background)."""

from symposium.background import task


@task(retry=False)
def preview_allocation(*, run_id: int) -> None:
    """Compute an allocation run's preview (breakouts.allocation_services). Not retried:
    a preview that fails says why on its page, and the organiser runs it again."""
    from breakouts import allocation_services

    allocation_services.compute_preview(run_id=run_id)
