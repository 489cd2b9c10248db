"""Job 1 with DuckDB: events CSV.gz -> Toplyne user-event NDJSON (epoch-second timestamps,
an eventProperties object), what mappings/toplyne/user_events.yaml does.
Usage: duckdb_events.py INPUT.csv.gz OUTPUT.ndjson"""
import sys
import duckdb

source, target = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute(f"""
COPY (
  SELECT user_id AS "userId",
         event AS "eventName",
         CAST(epoch(CAST(occurred_at AS TIMESTAMPTZ)) AS BIGINT) AS "timestamp",
         struct_pack(plan := plan, seats := CAST(seats AS INTEGER), country := upper(country),
                     note := note, "userAgent" := user_agent) AS "eventProperties"
  FROM read_csv('{source}', header = true, all_varchar = true)
) TO '{target}' (FORMAT JSON)
""")
