# instructions.py SERVER.callgrind BASELINE.callgrind REQUESTS: instructions per request of the two servers and the
# functions whose own (exclusive) instructions per request differ most, as Markdown. Used by instructions.sh.
import re
import subprocess
import sys

# Frames callgrind charges whole threads to in a native AOT binary (thread start, interface dispatch thunks): their
# "self" figure is the thread's, not the function's.
THREAD_FRAMES = ("clone", "start_thread", "StartThread", "ThreadEntryPoint", "InvokeOpenStaticThunk")


def exclusive(path):
    """Total instructions and {function: exclusive instructions} of one callgrind dump."""
    out = subprocess.run(["callgrind_annotate", "--threshold=100", "--inclusive=no", path],
                         capture_output=True, text=True, check=True).stdout
    total, functions = 0, {}
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$", line)
        if not m:
            continue
        count, where = int(m.group(1).replace(",", "")), m.group(2)
        if "PROGRAM TOTALS" in where:
            total = count
            continue
        name = where.split(" [")[0].split(":", 1)[-1]
        if name.startswith("0x") or any(t in name for t in THREAD_FRAMES):
            continue
        functions[name] = functions.get(name, 0) + count
    return total, functions


server_total, server = exclusive(sys.argv[1])
base_total, base = exclusive(sys.argv[2])
n = int(sys.argv[3])
print(f"| | instructions per request |\n| --- | ---: |")
print(f"| null-read-aot | {base_total / n:,.0f} |")
print(f"| admissionguard (AOT) | {server_total / n:,.0f} |")
print(f"| ratio | **{server_total / base_total:.3f}** |")
print()
print("Functions whose own instructions per request differ most (admissionguard − null-read-aot):")
print()
print("| function | admissionguard | null-read-aot | difference |\n| --- | ---: | ---: | ---: |")
rows = sorted(set(server) | set(base), key=lambda f: -abs(server.get(f, 0) - base.get(f, 0)))
for f in rows[:int(sys.argv[4]) if len(sys.argv) > 4 else 25]:
    a, b = server.get(f, 0) / n, base.get(f, 0) / n
    print(f"| `{f[:110]}` | {a:,.0f} | {b:,.0f} | {a - b:+,.0f} |")
