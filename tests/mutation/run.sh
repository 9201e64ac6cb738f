#!/usr/bin/env bash
# Mutation testing of AdmissionGuard.Core with Stryker.NET, one Core folder at a time (not run by CI: a full
# run takes well over an hour on two cores). Usage:
#   bash tests/mutation/run.sh                      # every folder
#   bash tests/mutation/run.sh Evaluation Images    # only these
# FILES="A.cs B.cs" mutates only those files of each folder. CONCURRENCY (default 1) sets Stryker's test runners. Each folder's mutants face the tests of the same test
# folder plus the engine's golden cases and oracle (tests/AdmissionGuard.Core.Tests/Evaluation), which judge
# whole workloads; ALL_TESTS=1 runs every Core test against every mutant instead (several times slower: a
# mutant in a static field runs the whole suite). Reports go to artifacts/mutation/<folder>/ (gitignored);
# the score per folder is printed at the end and belongs in docs/testing.md.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

version=5.1.0
export PATH="$PATH:$HOME/.dotnet/tools"
if ! dotnet tool list --global | grep -Eq "^dotnet-stryker +$version "; then
  dotnet tool update --global dotnet-stryker --version "$version" >/dev/null 2>&1 ||
    dotnet tool install --global dotnet-stryker --version "$version"
fi

folders=("$@")
if [ ${#folders[@]} -eq 0 ]; then
  folders=(Evaluation Images Policies Scans Serialization)
fi

out="$root/artifacts/mutation"
mkdir -p "$out"
summary="$out/summary.txt"
: >"$summary"

for folder in "${folders[@]}"; do
  if [ ! -d "src/AdmissionGuard.Core/$folder" ]; then
    echo "no folder src/AdmissionGuard.Core/$folder" >&2
    exit 2
  fi

  filter=()
  if [ "${ALL_TESTS:-0}" != 1 ]; then
    tests="FullyQualifiedName~AdmissionGuard.Tests.$folder.|FullyQualifiedName~AdmissionGuard.Tests.Evaluation."
    # Each rule compiles its own spec (Evaluation/Rules), but the policy compiler's tests (Policies) are what feed it
    # every field error: they belong to Evaluation's mutants as much as the engine's.
    if [ "$folder" = Evaluation ]; then
      tests="$tests|FullyQualifiedName~AdmissionGuard.Tests.Policies."
    fi
    filter=(--test-case-filter "$tests")
  fi

  # FILES="GlobMatcher.cs ImageGlob.cs" limits a run to those files of the folder (a partial figure).
  mutate=()
  for file in ${FILES:-}; do
    mutate+=(--mutate "**/AdmissionGuard.Core/$folder/**/$file")
  done
  if [ ${#mutate[@]} -eq 0 ]; then
    mutate=(--mutate "**/AdmissionGuard.Core/$folder/**/*.cs")
  fi

  echo "== $folder ${FILES:-}"
  rm -rf "${out:?}/$folder"
  # Run from the test project: Stryker finds the project under test from its reference.
  (cd tests/AdmissionGuard.Core.Tests &&
    dotnet-stryker \
      --project AdmissionGuard.Core.csproj \
      "${mutate[@]}" \
      --configuration Release \
      --concurrency "${CONCURRENCY:-1}" \
      --skip-version-check --log-to-file \
      --reporter json --reporter html --reporter cleartext --reporter progress \
      --break-at 0 \
      "${filter[@]}" \
      --output "$out/$folder") | tee "$out/$folder.log"

  report="$(find "$out/$folder" -name 'mutation-report.json' | head -n 1)"
  python3 - "$folder" "$report" >>"$summary" <<'PY'
import json, sys
folder, path = sys.argv[1], sys.argv[2]
counts = {}
for f in json.load(open(path))["files"].values():
    for m in f["mutants"]:
        counts[m["status"]] = counts.get(m["status"], 0) + 1
killed = counts.get("Killed", 0) + counts.get("Timeout", 0)
survived = counts.get("Survived", 0)
nocov = counts.get("NoCoverage", 0)
total = killed + survived + nocov
score = 100.0 * killed / total if total else 100.0
print(f"{folder}\t{score:.1f}%\tkilled {killed}\tsurvived {survived}\tno coverage {nocov}\t"
      f"compile errors {counts.get('CompileError', 0)}\tignored {counts.get('Ignored', 0)}")
# Every mutant that no test killed, for judging by hand (equivalent, or a missing test).
with open(path.rsplit("/reports/", 1)[0] + "/../" + folder + "-survivors.txt", "w") as out:
    for name, f in sorted(json.load(open(path))["files"].items()):
        lines = f["source"].splitlines()
        for m in sorted(f["mutants"], key=lambda m: m["location"]["start"]["line"]):
            if m["status"] in ("Survived", "NoCoverage"):
                line = m["location"]["start"]["line"]
                print(f"{name.split('AdmissionGuard.Core/')[-1]}:{line}\t{m['status']}\t{m['mutatorName']}\t"
                      f"{m.get('replacement', '')!r}\t{lines[line - 1].strip()[:120]}", file=out)
PY
done

echo
cat "$summary"
