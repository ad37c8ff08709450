#!/usr/bin/env bash
# What users write today: a bash loop of curl + jq that follows lastId and
# writes the same CSV as `druid-bulk results -f csv`.
# usage: loop.sh ENDPOINT BULK_ID TOKEN PAGE_SIZE > out.csv
set -euo pipefail
endpoint=$1 bulk=$2 token=$3 limit=$4
echo "id,userIdentifierType,objectId,pulseId,error"
last=""
while :; do
  url="$endpoint/activityid/v1/user/bulk/$bulk/results?limit=$limit"
  [ -n "$last" ] && url="$url&last=$last"
  page=$(curl -sSf -H "Authorization: Bearer $token" -H "Accept: application/json" "$url")
  jq -r '.content.results[] | [.id, .userIdentifierType, .objectId, .pulseId, .error] | @csv' <<<"$page"
  last=$(jq -r '.content.lastId // empty' <<<"$page")
  [ -z "$last" ] && break
done
