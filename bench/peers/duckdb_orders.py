"""Job 3 with DuckDB: order lines CSV.gz -> one Netcore Purchase activity per order with an
items array, what mappings/netcore/purchases.yaml does. Usage: duckdb_orders.py IN OUT"""
import sys
import duckdb

source, target = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute(f"""
COPY (
  SELECT 'sdbsjdh623jhmsndbkfs' AS asset_id, 'Purchase' AS activity_name,
         first(ordered_at ORDER BY rn) AS "timestamp", first(customer_email ORDER BY rn) AS identity,
         'web' AS activity_source,
         struct_pack(order_id := order_id, currency := first(currency ORDER BY rn),
                     total_item_qty := sum(CAST(quantity AS BIGINT)), item_count := count(*),
                     items := list(struct_pack(product_name := product_name, l1_category := l1_category,
                                               price := CAST(price AS DOUBLE), quantity := CAST(quantity AS BIGINT))
                                   ORDER BY rn)) AS activity_params
  FROM (SELECT *, row_number() OVER () AS rn
        FROM read_csv('{source}', header = true, delim = ';', quote = '"', escape = '"', all_varchar = true))
  GROUP BY order_id
  ORDER BY min(rn)
) TO '{target}' (FORMAT JSON)
""")
