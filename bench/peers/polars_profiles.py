"""Job 2 with Polars: nested profiles NDJSON.gz -> Pyze user profiles with ISO-8601 UTC
times, what bench/mappings/pyze_profiles.yaml does. Usage: polars_profiles.py IN OUT"""
import gzip
import sys
import polars as pl

source, target = sys.argv[1], sys.argv[2]
with gzip.open(source, "rb") as f:
    frame = pl.read_ndjson(f.read())
last_seen = pl.from_epoch(pl.col("last_seen_ms"), time_unit="ms")
frame.select(
    pl.col("user_id").alias("userId"),
    pl.col("name").struct.field("first").alias("first_name"),
    pl.col("name").struct.field("last").alias("last_name"),
    pl.col("email").alias("email_id"),
    pl.col("created_at").str.to_datetime("%Y-%m-%dT%H:%M:%S%z").dt.convert_time_zone("UTC")
      .dt.strftime("%Y-%m-%dT%H:%M:%SZ").alias("date_of_first_use"),
    pl.when(pl.col("last_seen_ms") % 1000 == 0).then(last_seen.dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
      .otherwise(last_seen.dt.strftime("%Y-%m-%dT%H:%M:%S.%3fZ")).alias("date_of_last_use"),
    pl.col("plan"), pl.col("seats"), pl.col("active"),
    pl.col("address").struct.field("city").alias("city"),
    pl.col("address").struct.field("country").alias("country"),
    pl.col("address").struct.field("zip").alias("zip"),
    pl.col("score").cast(pl.Float64),
).write_ndjson(target)
