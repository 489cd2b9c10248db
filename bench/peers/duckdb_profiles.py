"""Job 2 with DuckDB: nested profiles NDJSON.gz -> Pyze user profiles with ISO-8601 UTC
times, what bench/mappings/pyze_profiles.yaml does. Usage: duckdb_profiles.py IN OUT"""
import sys
import duckdb

source, target = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
con.execute(f"""
COPY (
  SELECT user_id AS "userId", name.first AS first_name, name.last AS last_name, email AS email_id,
         strftime(CAST(created_at AS TIMESTAMPTZ), '%Y-%m-%dT%H:%M:%SZ') AS date_of_first_use,
         CASE WHEN last_seen_ms % 1000 = 0
              THEN strftime(make_timestamp(last_seen_ms * 1000), '%Y-%m-%dT%H:%M:%SZ')
              ELSE strftime(make_timestamp(last_seen_ms * 1000), '%Y-%m-%dT%H:%M:%S.%gZ') END AS date_of_last_use,
         plan, seats, active, address.city AS city, address.country AS country, address.zip AS zip, score
  FROM read_json('{source}', format = 'newline_delimited', columns = {{
    'user_id': 'VARCHAR', 'email': 'VARCHAR', 'name': 'STRUCT(first VARCHAR, last VARCHAR)',
    'created_at': 'VARCHAR', 'plan': 'VARCHAR', 'seats': 'BIGINT', 'active': 'BOOLEAN',
    'last_seen_ms': 'BIGINT', 'address': 'STRUCT(city VARCHAR, country VARCHAR, zip VARCHAR)',
    'tags': 'VARCHAR[]', 'score': 'DOUBLE'}})
) TO '{target}' (FORMAT JSON)
""")
