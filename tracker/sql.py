"""Hand-written SQL around querysets the ORM builds, for pages that must take a fixed, small number
of queries whatever the amount of data (issue 6: at most four per request, the response cache's
data version read included). Written for SQLite and PostgreSQL.

The ORM issues one statement per list and cannot write some statements that answer several
questions at once:
- `OrderedRows` folds a correlated list (what a prefetch would fetch with a query of its own) into
  each outer row as a JSON array, and `rebuilt` turns its items back into instances (the API's
  nested lists, the forum page);
- `compiled` gives a queryset's SQL to embed in a hand-written statement (the dashboard's counts
  read one common table expression from several GROUP BYs);
- `json_rows`, `select_scalars` and `instances` fetch several small lists in one statement, each
  folded into a JSON array by a scalar subquery, and turn the arrays back into model instances,
  so templates and code that expect instances keep working (the dashboard's lists).
"""

import json

from django.db import NotSupportedError, connections
from django.db.models import F, Func, IntegerField, JSONField, Subquery, Window
from django.db.models.functions import RowNumber

# Folds the rows of the derived table `listed` into one JSON array of arrays. PostgreSQL's jsonb
# (not json) because Django hands jsonb to Python as text, as SQLite hands its JSON.
_JSON_ARRAY_OF_ROWS = {
    "sqlite": "SELECT json_group_array(json_array({items})) FROM ({rows}) AS listed",
    "postgresql": "SELECT COALESCE(jsonb_agg(jsonb_build_array({items})), '[]') FROM ({rows}) AS listed",
}


def compiled(queryset):
    """The SQL and parameters of `queryset`, to embed in a hand-written statement."""
    return queryset.query.get_compiler(using=queryset.db).as_sql()


def json_rows(queryset):
    """A scalar subquery (SQL and parameters): every row of `queryset` as one JSON array holding,
    per row, its position in the queryset's ordering (its order_by(), else its model's
    Meta.ordering) and then the values of its model's concrete fields. `instances()` reads it.

    The position is ROW_NUMBER() over that ordering, so the database decides the order with its
    own collation and NULLS LAST, as the queryset would have; an aggregate's input order, which
    SQLite before 3.44 cannot set, does not matter.
    """
    fields = queryset.model._meta.concrete_fields
    ordering = queryset.query.order_by or queryset.model._meta.ordering
    # Aliases, not field names: an annotation may not take the name of a field.
    columns = {"c0": Window(RowNumber(), order_by=list(ordering))}
    columns.update({f"c{n}": F(field.attname) for n, field in enumerate(fields, start=1)})
    rows, params = compiled(queryset.order_by().values(**columns))
    connection = connections[queryset.db]
    if connection.vendor not in _JSON_ARRAY_OF_ROWS:
        raise NotSupportedError("json_rows() is written for SQLite and PostgreSQL.")
    items = ", ".join(map(connection.ops.quote_name, columns))
    return _JSON_ARRAY_OF_ROWS[connection.vendor].format(items=items, rows=rows), params


def row_count(queryset):
    """A scalar subquery (SQL and parameters): the number of rows of `queryset`.

    COUNT as a plain function, not an aggregate, so Django adds no GROUP BY: one row. COUNT(*), not
    of a column, so SQLite need not read the column from the index it counts.
    """
    return compiled(queryset.order_by().values(n=Func(template="COUNT(*)", output_field=IntegerField())))


def select_scalars(using, **subqueries):
    """{name: value} of scalar subqueries, each (SQL, parameters), run as one SELECT."""
    sql = "SELECT " + ", ".join(f"({subquery})" for subquery, _params in subqueries.values())
    params = [param for _subquery, subquery_params in subqueries.values() for param in subquery_params]
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return dict(zip(subqueries, cursor.fetchone(), strict=True))


def instances(model, array, using):
    """Instances of `model` from a `json_rows()` array, in its order, as if the queryset had
    fetched them (not new, bound to `using`): JSON carries dates as ISO strings, which each
    field's to_python() reads back."""
    names = [field.attname for field in model._meta.concrete_fields]
    return [
        rebuilt(model, using, dict(zip(names, row[1:], strict=True)))
        for row in sorted(json.loads(array), key=lambda row: row[0])
    ]


class OrderedRows(Subquery):
    """`fields` of the rows of `queryset` (correlated with the outer row through OuterRef), as one
    JSON array of arrays in the order `ordering` (what order_by takes) puts the rows in.

    Folds what a prefetch would fetch in a query of its own into the outer row (the API's nested
    themes, actors and objectives; the forum page's documents, roundtables and follow-ups). A
    window numbers the rows in `ordering`, so any order a queryset can take works, also one through
    a relation (follow-ups by their recommendation's ordering, which Django expands in an ORDER BY
    but not in an expression), and the aggregate takes them in that order: PostgreSQL sorts inside
    the aggregate, SQLite (no ORDER BY in an aggregate before 3.44) aggregates the derived table
    ordered by that number, whose rows it feeds the aggregate in that order.
    """

    output_field = JSONField()

    def __init__(self, queryset, fields, ordering):
        self.items = [f"c{position}" for position in range(len(fields))]
        numbered = queryset.values(
            **{item: F(name) for item, name in zip(self.items, fields, strict=True)},
            position=Window(RowNumber(), order_by=list(ordering)),
        )
        super().__init__(numbered.order_by("position"))

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError("OrderedRows is written for SQLite and PostgreSQL.")

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="(SELECT json_group_array(json_array(%(items)s)) FROM (%(subquery)s) AS nested)",
            items=self._items(connection),
            **extra_context,
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="(SELECT COALESCE(jsonb_agg(jsonb_build_array(%(items)s) ORDER BY %(position)s), '[]') "
            "FROM (%(subquery)s) AS nested)",
            items=self._items(connection),
            position=connection.ops.quote_name("position"),
            **extra_context,
        )

    def _items(self, connection):
        return ", ".join(map(connection.ops.quote_name, self.items))


def rebuilt(model, db, values, prefix=""):
    """An instance of `model` as if loaded from the database `db`, with the fields whose attname
    (after `prefix`) `values` holds and no other: one the page does not read stays deferred.

    Each field converts its value from JSON as it converts a form's, which turns a date, that JSON
    gives back as text, into a `datetime.date`.
    """
    fields = [field for field in model._meta.concrete_fields if prefix + field.attname in values]
    return model.from_db(
        db, [field.attname for field in fields], [field.to_python(values[prefix + field.attname]) for field in fields]
    )
