#!/usr/bin/env python3
"""The managed methods a callgrind run executed, as a native AOT order file (one symbol name per line).

    method-order.py CALLGRIND_OUT BINARY BINARY.dbg > src/AdmissionGuard/Aot/method-order.txt

callgrind (run with --dump-instr=yes) records the address of every instruction that ran. Those inside the binary's
__managedcode section are mapped to the method symbols of the debug file (nm), and the methods are written in the
order they have in the binary now, which keeps callers near their callees as the compiler placed them. The compiler
(IlcOrderFile, --method-layout:explicit) then places these methods first, together, and all others after them.
"""
import bisect
import re
import subprocess
import sys

callgrind_out, binary, debug_file = sys.argv[1:4]

sections = subprocess.run(["readelf", "-SW", binary], capture_output=True, text=True, check=True).stdout
managed = re.search(r"__managedcode\s+PROGBITS\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)", sections)
if not managed:
    sys.exit(f"{binary}: no __managedcode section; give a native AOT binary")
low = int(managed.group(1), 16)
high = low + int(managed.group(2), 16)

symbols = []
for line in subprocess.run(["nm", "-n", "--defined-only", debug_file], capture_output=True, text=True, check=True).stdout.splitlines():
    fields = line.split()
    # __start___managedcode and __stop___managedcode mark the section's bounds; they are not methods.
    if len(fields) == 3 and fields[1] in "tT" and low <= int(fields[0], 16) < high and not fields[2].startswith(("__start_", "__stop_")):
        symbols.append((int(fields[0], 16), fields[2]))
starts = [address for address, _ in symbols]

# callgrind's compressed format: "ob=" names the object of the cost lines that follow ("???" where valgrind could
# not tell; the binary's code segment shows as that), a cost line starts with an absolute address (0x...), a
# relative one (+N, -N) or "*" (the same), and the line after "calls=" gives the call site, which also ran.
names = {}
current = None
address = 0
executed = set()
for line in open(callgrind_out, encoding="utf-8", errors="replace"):
    if line.startswith(("ob=", "cob=")):
        match = re.match(r"c?ob=\((\d+)\)\s*(.*)", line)
        if match.group(2).strip():
            names[match.group(1)] = match.group(2).strip()
        if line.startswith("ob="):
            current = names.get(match.group(1))
        continue
    first = line[:1]
    if first not in "0123456789+-*" or line.startswith("--"):
        continue
    token = line.split()[0]
    if token.startswith("0x"):
        address = int(token, 16)
    elif token[0] in "+-":
        address += int(token)
    if current in (binary, "???") and low <= address < high:
        executed.add(address)

methods = set()
for a in executed:
    i = bisect.bisect_right(starts, a) - 1
    if i >= 0:
        methods.add(symbols[i])
for _, name in sorted(methods):
    print(name)
print(f"method-order: {len(methods)} of {len(symbols)} managed methods ran", file=sys.stderr)
