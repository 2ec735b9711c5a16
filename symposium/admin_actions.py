"""Admin actions on delegate registrations, kept apart so exports can add theirs."""

DELEGATE_ACTIONS = []
