#!/usr/bin/env python3
"""Deterministic order-lines CSV (semicolon-separated, one row per item, an order's rows
consecutive) for the grouped Netcore purchases benchmark, in the columns of
mappings/netcore/purchases.yaml. Usage: gen_orders.py ROWS > orders.csv"""
import random
import sys

def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rng = random.Random(20261125)
    products = [("L'Oreal Paris Revitalift Crystal Micro-Essence", "Skin"), ("Kajal \"Eyeconic\" Black", "Makeup"),
                ("Nivea Soft Light Moisturiser", "Skin"), ("Lakme 9to5 Primer; Matte", "Makeup"),
                ("Dove Intense Repair Shampoo", "Hair"), ("Gillette Mach3 Razor", "Men")]
    currencies = ["INR", "USD", "EUR"]
    out = sys.stdout
    out.write("order_id;ordered_at;customer_email;currency;product_name;l1_category;price;quantity\n")
    written = 0
    order = 0
    buf = []
    while written < rows:
        order += 1
        n = min(rng.randrange(1, 6), rows - written)
        email = "customer%d@example.com" % rng.randrange(1, 200_000)
        stamp = "2024-%02d-%02dT%02d:%02d:%02d+05:30" % (rng.randrange(1, 13), rng.randrange(1, 29),
                                                      rng.randrange(24), rng.randrange(60), rng.randrange(60))
        currency = rng.choice(currencies)
        for _ in range(n):
            name, category = rng.choice(products)
            if ";" in name or '"' in name:
                name = '"' + name.replace('"', '""') + '"'
            buf.append("ORD-%07d;%s;%s;%s;%s;%s;%.2f;%d\n" % (order, stamp, email, currency, name, category,
                                                            rng.random() * 900 + 10, rng.randrange(1, 4)))
        written += n
        if len(buf) >= 10000:
            out.write("".join(buf))
            buf.clear()
    out.write("".join(buf))

if __name__ == "__main__":
    main()
