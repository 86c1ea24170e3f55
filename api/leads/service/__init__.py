"""Services of the leads domain, split by noun: records, pools, holding (claims and
assignments), recycling, conversion, funnel."""
