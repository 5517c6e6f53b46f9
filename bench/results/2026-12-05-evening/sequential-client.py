"""Sequential approved echo calls against a running `tollgate dev` (docs/benchmarks.md, 2026-12-05 evening).

Usage: TOLLGATE_ADMIN_KEY=... python3 sequential-client.py CALLS [INTAKE_URL]
"""
import json, os, sys, time, urllib.request
A = os.environ["TOLLGATE_ADMIN_KEY"]
n = int(sys.argv[1])
I = sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:8080"
def post(path,key,body):
    req=urllib.request.Request(I+path,data=json.dumps(body).encode(),headers={"Authorization":"Bearer "+key,"Content-Type":"application/json"})
    with urllib.request.urlopen(req,timeout=30) as r: return r.status, json.loads(r.read())
key=post("/v1/identities",A,{"name":"seq","kind":"agent","tenant":"seqt","roles":[]})[1]["apiKey"]
time.sleep(3)
runs=[post("/v1/runs",key,{"workflow":"support-triage","environment":"staging","classification":"Internal","input":{"t":r}})[1]["runId"] for r in range(n//15+1)]
time.sleep(3)
lat=[]; bad=0
for i in range(n):
    t0=time.perf_counter()
    st,b=post("/v1/runs/%s/tool-calls?waitMs=5000"%runs[i//15],key,{"tool":"echo","args":{"msg":"x"},"callId":"s%d"%i})
    dt=(time.perf_counter()-t0)*1000
    if st!=200 or b.get("status")!="SUCCEEDED": bad+=1
    if i>=20: lat.append(dt)
    time.sleep(0.02)
lat.sort()
print("n %d bad %d p50 %.1f p90 %.1f p99 %.1f max %.1f"%(len(lat),bad,lat[len(lat)//2],lat[int(len(lat)*.9)],lat[int(len(lat)*.99)],lat[-1]))
