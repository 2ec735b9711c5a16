"""Shared by the check-in tests: the desk's URLs and a scan as a desk sends it."""

import json
import uuid

from django.urls import reverse

from checkin.codes import check_in_code


def desk_url(event, name="desk", **params):
    url = reverse(f"checkin:{name}", kwargs={"slug": event.slug})
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def scan(delegate, *, at=None, desk="Desk 1", nonce=None, offline=False):
    body = {"nonce": str(nonce or uuid.uuid4()), "code": check_in_code(delegate), "desk": desk}
    if at is not None:
        body["at"] = at.isoformat()
    if offline:
        body["offline"] = True
    return body


def send_scans(client, event, *scans):
    response = client.post(
        desk_url(event, "scans"), json.dumps({"scans": list(scans)}), "application/json"
    )
    return response
