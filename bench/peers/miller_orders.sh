#!/bin/sh
# Job 3 with Miller (mlr 6): order lines CSV.gz (semicolons, an order's rows consecutive) ->
# one Netcore Purchase activity per order with its items array. Usage: miller_orders.sh IN OUT
exec mlr -S --icsv --ifs ';' --gzin --ojsonl put -q '
  begin { @id = "" }
  if ($order_id != @id) {
    if (is_present(@record)) { print json_stringify(@record) }
    @id = $order_id;
    @record = {
      "asset_id": "sdbsjdh623jhmsndbkfs", "activity_name": "Purchase", "timestamp": $ordered_at,
      "identity": $customer_email, "activity_source": "web",
      "activity_params": {"order_id": $order_id, "currency": $currency, "total_item_qty": 0, "item_count": 0, "items": []}
    };
  }
  @record["activity_params"]["total_item_qty"] += int($quantity);
  @record["activity_params"]["item_count"] += 1;
  @record["activity_params"]["items"] = append(@record["activity_params"]["items"], {
    "product_name": $product_name, "l1_category": $l1_category, "price": float($price), "quantity": int($quantity)
  });
  end { if (is_present(@record)) { print json_stringify(@record) } }
' "$1" > "$2"
