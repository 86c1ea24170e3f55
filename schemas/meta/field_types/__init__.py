"""One JSON file per field type (a package so they ship as package data)."""
