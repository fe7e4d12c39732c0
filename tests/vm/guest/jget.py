#!/usr/bin/env python3
"""jget.py [-w KEY=VALUE] FILE KEY [addr|hex|int]: print KEY from the first JSON
object in FILE that has it (and, with -w, whose KEY equals VALUE, compared
as lowercase text without dashes or colons, so UUIDs match in any form).
FILE holds one JSON document or JSON lines (non-JSON lines are skipped).
KEY is a dotted path ("netKeys.0.key"). The optional form makes values from
different tools comparable:
  addr  a unicast address as 4 lowercase hex digits (from 256, "0x0100", "0100")
  hex   a key as lowercase hex without separators
  int   a decimal integer (from 5, "5", "0x5")
Exit 1 when no object has KEY."""
import json
import sys


def objects(text):
    try:
        yield json.loads(text)
        return
    except ValueError:
        pass
    for line in text.splitlines():
        line = line.strip()
        if line.startswith('{'):
            try:
                yield json.loads(line)
            except ValueError:
                continue


def lookup(obj, path):
    for part in path.split('.'):
        if isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        elif isinstance(obj, dict) and part in obj:
            obj = obj[part]
        else:
            raise KeyError(path)
    return obj


def to_int(v, base):
    if isinstance(v, int):
        return v
    v = str(v).strip().lower()
    return int(v, 16) if v.startswith('0x') else int(v, base)


def canonical(v, form):
    if form == 'addr':
        return '%04x' % to_int(v, 16)
    if form == 'hex':
        return str(v).lower().replace(':', '').replace('-', '').replace(' ', '')
    if form == 'int':
        return str(to_int(v, 10))
    return v if isinstance(v, str) else json.dumps(v)


def loose(v):
    return str(v).lower().replace('-', '').replace(':', '')


def main():
    args = sys.argv[1:]
    where = None
    if len(args) >= 2 and args[0] == '-w':
        where = args[1].split('=', 1)
        args = args[2:]
    if len(args) not in (2, 3) or (where and len(where) != 2):
        sys.exit(__doc__)
    form = args[2] if len(args) == 3 else None
    with open(args[0]) as f:
        text = f.read()
    for obj in objects(text):
        try:
            if where and loose(lookup(obj, where[0])) != loose(where[1]):
                continue
            print(canonical(lookup(obj, args[1]), form))
            return
        except (KeyError, ValueError):
            continue
    sys.exit(1)


main()
