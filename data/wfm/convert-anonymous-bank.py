#!/usr/bin/env python3
"""Converts the Technion's "Anonymous Bank" call counts (Israel, 1999), as the
R package Rfssa ships them (data/Callcenter.rda: a data frame of calls per six
minutes, columns calls, u, Date, Day, Month, 240 rows a day from 1999-01-01 to
1999-12-31), into guichet's history CSV (interval_start,calls) with 30-minute
intervals, summing the five six-minute counts of each half hour. Row u of a
day is read as the six minutes starting at (u - 1) * 6 minutes after
midnight, on the bank's own clock. Every interval of every day is written,
with no call too. Counts are written as the source holds them (one day,
1999-05-23, has half calls: see README.md).

The file is R's serialization format (XDR, version 2 or 3), compressed with
bzip2, gzip or xz; only what this data frame uses is read, with no R needed.

usage: convert-anonymous-bank.py Callcenter.rda > anonymous-bank-calls-30min.csv
"""
import bz2
import csv
import datetime
import gzip
import lzma
import struct
import sys

NIL, SYMBOL, PAIRLIST, CHARS, INTS, REALS, STRINGS, LIST = 254, 1, 2, 9, 13, 14, 16, 19
REF = 255


class Reader:
    """Reads R's XDR serialization: vectors, symbols, pairlists, attributes."""

    def __init__(self, data):
        self.data, self.pos, self.refs = data, 0, []

    def int(self):
        (value,) = struct.unpack_from(">i", self.data, self.pos)
        self.pos += 4
        return value

    def header(self):
        if self.data[:5] in (b"RDX2\n", b"RDX3\n"):  # save(): a pairlist of named objects
            self.pos = 5
        if self.data[self.pos:self.pos + 2] != b"X\n":
            sys.exit("convert-anonymous-bank: not an XDR R file")
        self.pos += 2
        version = self.int()
        self.pos += 8  # the writer's and the reader's R versions
        if version == 3:
            self.pos += 4 + self.int()  # the native encoding's name

    def item(self):
        flags = self.int()
        kind, has_attr, has_tag = flags & 0xFF, flags & (1 << 9), flags & (1 << 10)
        if kind == NIL:
            return None
        if kind == REF:
            index = flags >> 8 or self.int()
            return self.refs[index - 1]
        if kind == SYMBOL:
            name = self.item()
            self.refs.append(name)
            return name
        if kind == CHARS:
            n = self.int()
            if n < 0:
                return None
            text = self.data[self.pos:self.pos + n].decode("utf-8")
            self.pos += n
            return text
        if kind == PAIRLIST:
            attr = self.item() if has_attr else None
            tag = self.item() if has_tag else None
            head, tail = self.item(), self.item()
            return [(tag, head)] + (tail or [])
        if kind in (INTS, REALS, STRINGS, LIST):
            n = self.int()
            if kind == INTS:
                values = list(struct.unpack_from(">%di" % n, self.data, self.pos))
                self.pos += 4 * n
            elif kind == REALS:
                values = list(struct.unpack_from(">%dd" % n, self.data, self.pos))
                self.pos += 8 * n
            else:
                values = [self.item() for _ in range(n)]
            attrs = dict(self.item()) if has_attr else {}
            return values, attrs
        sys.exit("convert-anonymous-bank: unexpected R type %d" % kind)


def load(path):
    raw = open(path, "rb").read()
    for decompress in (bz2.decompress, gzip.decompress, lzma.decompress):
        try:
            raw = decompress(raw)
            break
        except (OSError, ValueError, lzma.LZMAError):
            continue
    reader = Reader(raw)
    reader.header()
    obj = reader.item()
    if isinstance(obj, list):  # .rda: the first object saved
        obj = obj[0][1]
    columns, attrs = obj
    return dict(zip(attrs["names"][0], (values for values, _ in columns)))


def count(value):
    return str(int(value)) if value == int(value) else "%g" % value


def main():
    frame = load(sys.argv[1])
    calls, u, dates = frame["calls"], frame["u"], frame["Date"]
    halves = {}
    for n, slot, day in zip(calls, u, dates):
        minutes = (slot - 1) * 6
        key = (day, minutes - minutes % 30)
        halves[key] = halves.get(key, 0) + n
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["interval_start", "calls"])
    epoch = datetime.date(1970, 1, 1)
    for (day, minutes), n in sorted(halves.items()):
        date = epoch + datetime.timedelta(days=day)
        out.writerow([f"{date.isoformat()}T{minutes // 60:02d}:{minutes % 60:02d}", count(n)])


if __name__ == "__main__":
    main()
