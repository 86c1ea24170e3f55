"""Auto-assignment of a pool's waiting leads, durably: one workflow per pool that assigns
automatically (`pool-assign:<tenant>:<pool>`)."""
