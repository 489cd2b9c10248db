"""Job 3 as a csv+json script: order lines CSV.gz -> one Netcore Purchase activity per order
(consecutive rows of one order_id) with an items array. Usage: python_orders.py IN OUT"""
import csv
import gzip
import json
import sys
from itertools import groupby

source, target = sys.argv[1], sys.argv[2]
with gzip.open(source, "rt", newline="") as rows, open(target, "w") as out:
    for order_id, lines in groupby(csv.DictReader(rows, delimiter=";"), key=lambda row: row["order_id"]):
        lines = list(lines)
        first = lines[0]
        out.write(json.dumps({
            "asset_id": "sdbsjdh623jhmsndbkfs", "activity_name": "Purchase", "timestamp": first["ordered_at"],
            "identity": first["customer_email"], "activity_source": "web",
            "activity_params": {
                "order_id": order_id, "currency": first["currency"],
                "total_item_qty": sum(int(line["quantity"]) for line in lines), "item_count": len(lines),
                "items": [{"product_name": line["product_name"], "l1_category": line["l1_category"],
                           "price": float(line["price"]), "quantity": int(line["quantity"])} for line in lines],
            },
        }, separators=(",", ":"), ensure_ascii=False))
        out.write("\n")
