"""Job 3 with Polars: order lines CSV.gz -> one Netcore Purchase activity per order with an
items array, what mappings/netcore/purchases.yaml does. Usage: polars_orders.py IN OUT"""
import sys
import polars as pl

source, target = sys.argv[1], sys.argv[2]
frame = pl.read_csv(source, separator=";", infer_schema=False)
(frame.group_by("order_id", maintain_order=True)
 .agg(pl.col("ordered_at").first(), pl.col("customer_email").first(), pl.col("currency").first(),
      pl.col("quantity").cast(pl.Int64).sum().alias("total_item_qty"), pl.len().alias("item_count"),
      pl.struct(pl.col("product_name"), pl.col("l1_category"), pl.col("price").cast(pl.Float64),
                pl.col("quantity").cast(pl.Int64)).alias("items"))
 .select(pl.lit("sdbsjdh623jhmsndbkfs").alias("asset_id"), pl.lit("Purchase").alias("activity_name"),
         pl.col("ordered_at").alias("timestamp"), pl.col("customer_email").alias("identity"),
         pl.lit("web").alias("activity_source"),
         pl.struct(pl.col("order_id"), pl.col("currency"), pl.col("total_item_qty"), pl.col("item_count"),
                   pl.col("items")).alias("activity_params"))
 .write_ndjson(target))
