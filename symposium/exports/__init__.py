"""Attendee lists for staff (CSV or XLSX), and the read helpers of the staff pages.

`base` writes any list exporter as CSV or XLSX; `attendees` is the attendee list and its
filters; `services` starts an export and writes the audit record; `selectors` reads the
sign-in sheets, the catering and access summary and the overview.
"""
