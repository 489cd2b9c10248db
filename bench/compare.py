"""Checks that two NDJSON outputs hold the same records in the same order, up to key order
and whitespace. Prints 'same N' or the first difference. Usage: compare.py A.ndjson B.ndjson"""
import json
import sys
from itertools import zip_longest

def parsed(line: bytes):
    try:
        return json.loads(line)
    except ValueError:
        return ("not JSON", line)

def main() -> int:
    a_path, b_path = sys.argv[1], sys.argv[2]
    count = 0
    with open(a_path, "rb") as a, open(b_path, "rb") as b:
        for number, (x, y) in enumerate(zip_longest(a, b), start=1):
            if x is None or y is None:
                print(f"different: {'first' if x is None else 'second'} file ends at line {number}")
                return 1
            if x != y and parsed(x) != parsed(y):
                print(f"different at line {number}:\n  {x.decode().strip()}\n  {y.decode().strip()}")
                return 1
            count += 1
    print(f"same {count}")
    return 0

if __name__ == "__main__":
    sys.exit(main())
