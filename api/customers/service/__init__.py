"""The customers domain's services, split by noun: records, dedup, tags, follow-ups and
timeline, lifecycle stages, merge."""
