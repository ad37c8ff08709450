#!/usr/bin/env python3
"""What users write today, in Python (standard library only): follow lastId
and write the same CSV as `druid-bulk results -f csv`.

usage: loop.py ENDPOINT BULK_ID TOKEN PAGE_SIZE > out.csv
"""
import csv
import json
import sys
import urllib.parse
import urllib.request

endpoint, bulk, token, limit = sys.argv[1:5]
out = csv.writer(sys.stdout, lineterminator="\n")
columns = ["id", "userIdentifierType", "objectId", "pulseId", "error"]
out.writerow(columns)
last = None
while True:
    query = {"limit": limit}
    if last:
        query["last"] = last
    url = f"{endpoint}/activityid/v1/user/bulk/{urllib.parse.quote(bulk, safe='')}/results?" + urllib.parse.urlencode(query)
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
    with urllib.request.urlopen(request) as response:
        page = json.load(response)
    content = page.get("content") or {}
    for row in content.get("results") or []:
        out.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    last = content.get("lastId")
    if not last:
        break
