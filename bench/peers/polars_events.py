"""Job 1 with Polars: events CSV.gz -> Toplyne user-event NDJSON (epoch-second timestamps,
an eventProperties object), what mappings/toplyne/user_events.yaml does.
Usage: polars_events.py INPUT.csv.gz OUTPUT.ndjson"""
import sys
import polars as pl

source, target = sys.argv[1], sys.argv[2]
frame = pl.read_csv(source, infer_schema=False)
frame.select(
    pl.col("user_id").alias("userId"),
    pl.col("event").alias("eventName"),
    pl.col("occurred_at").str.to_datetime("%Y-%m-%dT%H:%M:%SZ", time_zone="UTC").dt.epoch("s").alias("timestamp"),
    pl.struct(
        pl.col("plan"),
        pl.col("seats").cast(pl.Int64),
        pl.col("country").str.to_uppercase(),
        pl.col("note"),
        pl.col("user_agent").alias("userAgent"),
    ).alias("eventProperties"),
).write_ndjson(target)
