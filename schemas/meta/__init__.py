"""Meta-schema JSON files, one per definition kind (a package so they ship as package data)."""
