"""Durable work on Temporal: one package per feature, plus the shared client, worker and dev server.

Layout (see DESIGN.md): each feature package (`ping/`, later `sop/`, `pools/`, ...) holds
`inputs.py` (dataclass inputs), `workflows.py` (deterministic, no I/O, no ORM) and
`activities.py` (thin: call services). `registry.py` lists every workflow and activity the worker
runs; `client.py` is what services use to start workflows; `worker.py` runs the worker;
`devserver.py` is the embedded Temporal dev server of `scrm up`; `health.py` is the /healthz probe.

Keep this file and every feature package's `__init__.py` free of imports: the workflow sandbox
re-imports a workflow's parent packages, so anything imported here would run inside it.
"""
