"""The ping feature: a one-activity workflow that proves server + worker are alive end to end.

Import from the submodules (`workflows.ping.workflows`, `.activities`, `.inputs`); this file stays
empty because the workflow sandbox imports it.
"""
