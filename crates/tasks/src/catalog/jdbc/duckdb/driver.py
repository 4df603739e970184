# Runs a DuckDB task's SQL for Sluice: argv is the SQL file, the database ("" for an in-memory
# one), the fetch type (FETCH_ONE, FETCH, STORE, NONE), the file STORE writes, and "many" for
# Queries (every statement run, the rows of the last one that returned rows kept).
import datetime, decimal, json, sys, uuid

try:
    import duckdb
except ImportError:
    sys.stderr.write(
        "the DuckDB tasks run DuckDB from Python's `duckdb` package on the worker: "
        "`pip install duckdb`, or point SLUICE_DUCKDB_PYTHON at a Python that has it\n"
    )
    sys.exit(3)

sql_file, database, fetch, store_file, many = sys.argv[1:6]
sql = open(sql_file, encoding="utf-8").read()


def plain(value):
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (datetime.date, datetime.time, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, datetime.timedelta)):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


con = duckdb.connect(database or ":memory:")
statements = [s.query for s in con.extract_statements(sql)] if many == "many" else [sql]
result = None
for statement in statements:
    cursor = con.execute(statement)
    if cursor.description:
        result = cursor
columns = [d[0] for d in result.description] if result is not None and result.description else []
rows = result.fetchall() if columns else []
records = [{c: plain(v) for c, v in zip(columns, row)} for row in rows]
outputs = {}
if fetch == "FETCH_ONE":
    outputs = {"row": records[0] if records else None, "size": min(len(records), 1)}
elif fetch == "FETCH":
    outputs = {"rows": records, "size": len(records)}
elif fetch == "STORE":
    # One JSON object per line: valid Ion text, the records file Kestra's tasks read.
    with open(store_file, "w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, default=str) + "\n")
    outputs = {"size": len(records)}
print("::" + json.dumps({"outputs": outputs}, default=str) + "::")
