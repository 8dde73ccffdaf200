"""Row triggers written once for SQLite and PostgreSQL from one description: the maintained status
counts (tracker.models.aggregate_triggers) and the cache scopes (tracker.models.scope_triggers) are
both described as {name: (table, event, condition or None, [statements])}."""


def create_statements(vendor, name, spec, deferred=False):
    """The statements that create the trigger `name` of `spec` on `vendor` ("sqlite" or
    "postgresql"). On PostgreSQL the statements become a plpgsql function `<name>_fn` and the
    trigger runs it for each row (a constraint trigger deferred to commit if `deferred`); a
    condition holding a subquery, which PostgreSQL refuses in a trigger's WHEN, is tested in the
    function instead. On SQLite the statements are the trigger's body (SQLite has no deferred
    triggers: `deferred` changes nothing)."""
    table, event, condition, statements = spec
    body = "; ".join(statements)
    if vendor == "postgresql":
        if condition and "SELECT" in condition:
            body, condition = f"IF {condition} THEN {body}; END IF", None
        when = f"WHEN ({condition}) " if condition else ""
        kind = "CONSTRAINT TRIGGER" if deferred else "TRIGGER"
        timing = " DEFERRABLE INITIALLY DEFERRED" if deferred else ""
        return [
            f'CREATE OR REPLACE FUNCTION "{name}_fn"() RETURNS trigger LANGUAGE plpgsql AS $$ '
            f"BEGIN {body}; RETURN NULL; END $$",
            f'CREATE {kind} "{name}" AFTER {event} ON "{table}"{timing} '
            f'FOR EACH ROW {when}EXECUTE FUNCTION "{name}_fn"()',
        ]
    when = f"WHEN {condition} " if condition else ""
    return [f'CREATE TRIGGER IF NOT EXISTS "{name}" AFTER {event} ON "{table}" FOR EACH ROW {when}BEGIN {body}; END']
