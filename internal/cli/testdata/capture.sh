#!/usr/bin/env bash
# Captures the golden files of skeleton/ and aws/ from the real aws CLI v2
# (Debian: apt-get update && apt-get install -y awscli). Run from this folder.
# model.json is written by genmodel.py (python3 genmodel.py ../model.json).
set -u
AWS=${AWS:-/usr/bin/aws}
export AWS_DEFAULT_REGION=us-east-1 AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=x AWS_PAGER= TZ=UTC
declare -A REQ=(
  [create-secret]="--name n" [put-secret-value]="--secret-id x" [get-secret-value]="--secret-id x"
  [update-secret]="--secret-id x" [update-secret-version-stage]="--secret-id x --version-stage s"
  [rotate-secret]="--secret-id x" [cancel-rotate-secret]="--secret-id x" [describe-secret]="--secret-id x"
  [list-secret-version-ids]="--secret-id x" [list-secrets]="" [delete-secret]="--secret-id x"
  [restore-secret]="--secret-id x" [get-random-password]="" [tag-resource]="--secret-id x --tags Key=a,Value=b"
  [untag-resource]="--secret-id x --tag-keys a" [get-resource-policy]="--secret-id x"
  [put-resource-policy]="--secret-id x --resource-policy p" [delete-resource-policy]="--secret-id x"
  [validate-resource-policy]="--resource-policy p")
for op in "${!REQ[@]}"; do
  "$AWS" secretsmanager "$op" --generate-cli-skeleton > "skeleton/$op.input.json"
  "$AWS" secretsmanager "$op" --generate-cli-skeleton yaml-input > "skeleton/$op.yaml-input.yaml"
  # shellcheck disable=SC2086
  if "$AWS" secretsmanager "$op" ${REQ[$op]} --generate-cli-skeleton output > "/tmp/$op.out" 2> "/tmp/$op.err"; then
    cp "/tmp/$op.out" "skeleton/$op.output.json"
  else
    cp "/tmp/$op.err" "skeleton/$op.output.stderr"
  fi
done
# batch-get-secret-value is not in awscli 2.9.19: skeleton/batch-get-secret-value.input.json
# is written by hand from a newer model (see skeleton_test.go).

python3 aws/stub.py & stub=$!
sleep 1
A=("$AWS" --endpoint-url http://127.0.0.1:8911 secretsmanager)
for o in json yaml text; do
  "${A[@]}" describe-secret --secret-id n --output $o > aws/describe-secret.$o
  "${A[@]}" get-secret-value --secret-id n --output $o > aws/get-secret-value.$o
done
"${A[@]}" describe-secret --secret-id n --query '{N: Name, T: Tags, D: CreatedDate}' > aws/describe-secret.query.json
"${A[@]}" rotate-secret --secret-id n 2> aws/rotate-secret.stderr
kill "$stub"
