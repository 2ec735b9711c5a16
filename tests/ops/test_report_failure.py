"""A failed job (systemd OnFailure= → symposium-failed@) emails ADMINS and logs an error."""

import logging

from django.core.management import call_command


def test_a_failed_job_is_emailed_to_the_admins_and_logged(db, settings, mailoutbox, caplog):
    settings.ADMINS = [("Ops", "ops@example.org")]

    with caplog.at_level(logging.ERROR, logger="symposium.ops"):
        call_command("report_failure", "symposium-backup")

    [email] = mailoutbox
    assert email.to == ["ops@example.org"]
    assert "symposium-backup failed on" in email.subject
    assert "journalctl -u symposium-backup" in email.body
    assert "Scheduled job failed: symposium-backup failed on" in caplog.text
