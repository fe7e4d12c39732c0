#!/usr/bin/env python3
"""Fail on an #include that crosses a forbidden layer boundary.

Reads the matrix mk/layers.txt, then every C file of every layer
(src/LAYER/*.[ch] and include/LAYER/*.h) and checks each quoted include:
  - "OTHER/x.h" must name a layer the matrix allows LAYER (or LAYER itself),
    and be one of OTHER's public headers (include/OTHER/x.h); "LAYER/x.h"
    may also be one of LAYER's own private headers (src/LAYER/x.h): the
    CLI spells its headers so, since the unit tests include them too;
  - "x.h" (a private header) must exist in src/LAYER/, the including
    file's own layer;
  - no "../" paths.
A directory under src/ or include/ that the matrix does not know is an error
too, so a new layer is added to the matrix first.
Usage: check-layers.py [TOP]   (TOP: the source tree, default: two up)
"""
import os
import re
import sys

INC = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def read_matrix(path):
    allowed = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if ":" not in line:
                sys.exit(f"{path}:{n}: expected 'layer: deps...'")
            name, deps = line.split(":", 1)
            allowed[name.strip()] = set(deps.split())
    for name, deps in allowed.items():
        for d in deps - set(allowed):
            sys.exit(f"{path}: {name} may include '{d}', which is no layer")
    return allowed


def files_of(top, layer):
    for base in ("src", "include"):
        d = os.path.join(top, base, layer)
        if os.path.isdir(d):
            for name in sorted(os.listdir(d)):
                if name.endswith((".c", ".h")):
                    yield os.path.join(base, layer, name)


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
    allowed = read_matrix(os.path.join(top, "mk", "layers.txt"))
    errors = []
    for base in ("src", "include"):
        for d in sorted(os.listdir(os.path.join(top, base))):
            if os.path.isdir(os.path.join(top, base, d)) and d not in allowed:
                errors.append(f"{base}/{d}/: a layer that mk/layers.txt does not list")
    checked = 0
    for layer in allowed:
        for rel in files_of(top, layer):
            with open(os.path.join(top, rel), encoding="utf-8", errors="replace") as f:
                text = f.read()
            for m in INC.finditer(text):
                inc = m.group(1)
                line = text.count("\n", 0, m.start()) + 1
                checked += 1
                if ".." in inc.split("/"):
                    errors.append(f"{rel}:{line}: \"{inc}\": no relative paths across directories")
                elif "/" in inc:
                    dep = inc.split("/", 1)[0]
                    if dep != layer and dep not in allowed[layer]:
                        why = "is no layer" if dep not in allowed else \
                            f"is not below {layer} (mk/layers.txt: {layer}: {' '.join(sorted(allowed[layer])) or '-'})"
                        errors.append(f"{rel}:{line}: {layer} includes \"{inc}\", but {dep} {why}")
                    elif not os.path.exists(os.path.join(top, "include", inc)) and \
                            (dep != layer or not os.path.exists(os.path.join(top, "src", inc))):
                        errors.append(f"{rel}:{line}: \"{inc}\" is no public header of {dep}"
                                      f" (include/{inc}){'' if dep == layer else ' (a private one is for ' + dep + '/ only)'}")
                elif inc != "config.h" and not os.path.exists(os.path.join(top, "src", layer, inc)):
                    errors.append(f"{rel}:{line}: \"{inc}\" is not a private header of src/{layer}/")
    for e in errors:  # config.h above: autoconf's, generated at the top
        print(e)
    print(f"check-layers: {checked} includes in {len(allowed)} layers, {len(errors)} crossing a boundary")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
