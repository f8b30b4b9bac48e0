#!/usr/bin/env python3
"""Converts the North American bank's five-minute call counts (Rdatasets'
csv/fpp3/bank_calls.csv: rownames,DateTime,Calls) into guichet's history CSV
(interval_start,calls) with 30-minute intervals, summing the six five-minute
counts of each half hour. Times are kept as written (the bank's own clock; the
trailing Z of the source is dropped). Days absent from the source stay absent.

usage: convert-bank-calls.py bank_calls.csv > bank-calls-30min.csv
"""
import collections
import csv
import sys

counts = collections.OrderedDict()
with open(sys.argv[1], newline="") as f:
    for row in csv.DictReader(f):
        stamp = row["DateTime"]  # 2003-03-03T07:05:00Z
        minute = int(stamp[14:16])
        key = f"{stamp[:13]}:{minute - minute % 30:02d}"
        counts[key] = counts.get(key, 0) + int(row["Calls"])
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["interval_start", "calls"])
for key, calls in counts.items():
    out.writerow([key, calls])
