"""The metadata engine: meta-schemas, checking and compiling admins' definitions,
validating records, diffing versions and migrating records. Pure Python: stdlib,
jsonschema and `schemas.*` only.

Entry points: `schemas.definitions.check_definition`, `schemas.compiler.compile_fields`,
`schemas.diff.diff`, `schemas.migration` (`check_migration`, `uncovered`,
`apply_migration`), `schemas.stages.compile_stages`; errors are `schemas.errors.Issue`.
"""
