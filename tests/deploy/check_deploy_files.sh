#!/usr/bin/env bash
# Checks the deployment files as their own tools read them:
#   - the systemd unit with `systemd-analyze verify`, and its sandbox with
#     `systemd-analyze security`, failing above an exposure of 2.0 (of 10);
#   - the Kubernetes manifests with yamllint and against the Kubernetes API's
#     models (deploy/kubernetes/validate.py, on Debian's python3-kubernetes),
#     after showing that the validator refuses a planted unknown field.
#
#   tests/deploy/check_deploy_files.sh CRENEAUD_PATH
set -euo pipefail
creneaud=${1:?usage: check_deploy_files.sh CRENEAUD_PATH}
root="$(cd "$(dirname "$0")/../.." && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The unit names the installed binary; verify checks that ExecStart exists,
# so point it at the one just built.
sed "s#/usr/local/bin/creneaud#${creneaud}#" \
  "$root/deploy/systemd/creneaud.service" > "$work/creneaud.service"
echo "== systemd-analyze verify"
systemd-analyze verify "$work/creneaud.service"
echo "== systemd-analyze security (offline), threshold 2.0"
systemd-analyze security --offline=yes --threshold=20 "$work/creneaud.service" \
  > "$work/security.txt" || { cat "$work/security.txt"; exit 1; }
grep "Overall exposure level" "$work/security.txt"

echo "== yamllint"
yamllint -s -c "$root/deploy/kubernetes/.yamllint" "$root"/deploy/kubernetes/*.yaml
echo "== Kubernetes API models: a planted unknown field must be refused"
validate="/usr/bin/python3 $root/deploy/kubernetes/validate.py"
mkdir "$work/planted"
cp "$root"/deploy/kubernetes/*.yaml "$work/planted/"
sed -i 's/^  replicas: 1$/  replicas: 1\n  replica: 1/' "$work/planted/statefulset.yaml"
if $validate "$work/planted" > "$work/planted.txt" 2>&1; then
  echo "the validator accepted spec.replica:"; cat "$work/planted.txt"; exit 1
fi
tail -1 "$work/planted.txt"
echo "== Kubernetes API models"
$validate "$root/deploy/kubernetes"
echo "deploy files: all checks passed"
