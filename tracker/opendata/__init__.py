"""The open-data package (`/data/`, docs/data-package.md): every public table as a CSV file, the
Frictionless Tabular Data Package descriptor that types and joins them, a zip of them all, and the
dataset's descriptions for catalogues (schema.org `Dataset`, DCAT).

Domain level (docs/architecture.md): it reads the models and imports nothing from the pages, the
API or the plumbing; `tracker.views.data` serves what it builds.

- `schema`: Table Schema field descriptors, the `Table` of each resource, absolute `Urls`;
- `selects`: each table's one query and the cells of its rows;
- `tables`: the tables (`TABLES`, `BY_NAME`), their fields, keys and foreign keys;
- `descriptor`: the facts read from the database, the licence and citation, datapackage.json, the
  schema.org and DCAT descriptions;
- `writers`: CSV and zip streams in flat memory;
- `countries`: ISO 3166-1 alpha-3 and UN M49 codes of states (also used by the API and the pages).
"""
