"""The report's sentences are true English for one as for many."""

from console.report import presentation


def outcomes(sessions, actions, pledges):
    return {
        "sessions": [{"actions": [{}] * actions}] + [{"actions": []}] * (sessions - 1),
        "action_status": [{"count": actions, "label": "Not started"}] if actions else [],
        "pledges": pledges,
    }


def test_one_session_one_action_one_pledge():
    assert presentation.outcomes_summary(outcomes(1, 1, 1)) == (
        "1 breakout session published its outcomes: 1 action (1 not started) and 1 pledge."
    )


def test_many_of_each():
    assert presentation.outcomes_summary(outcomes(3, 2, 4)) == (
        "3 breakout sessions published their outcomes: 2 actions (2 not started) and 4 pledges."
    )
