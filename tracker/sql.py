"""Hand-written SQL around querysets the ORM builds, for pages that must take a fixed, small number
of queries whatever the amount of data (issue 6: at most four per request, the response cache's
data version read included).

The ORM issues one statement per list and cannot write some statements that answer several
questions at once. `compiled` gives a queryset's SQL to embed in such a statement (the dashboard's
counts read one common table expression from several GROUP BYs). The other helpers fetch several
small lists in one statement: each list is folded into a JSON array by a scalar subquery
(`json_rows`), the subqueries are selected together (`select_scalars`) and the arrays turned back
into model instances (`instances`), so templates and code that expect instances keep working.
Written for SQLite and PostgreSQL.
"""

import json

from django.db import NotSupportedError, connections
from django.db.models import F, Func, IntegerField, Window
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
    fields = model._meta.concrete_fields
    names = [field.attname for field in fields]
    return [
        model.from_db(using, names, [field.to_python(value) for field, value in zip(fields, row[1:], strict=True)])
        for row in sorted(json.loads(array), key=lambda row: row[0])
    ]
