import json, struct, gzip, sys, os
out = sys.argv[1]
# geojson: small outlines
def fc(features): return json.dumps({"type": "FeatureCollection", "features": features}).encode()
sq = [[[2.0, 46.0], [3.0, 46.0], [3.0, 47.0], [2.0, 47.0], [2.0, 46.0]]]
feats = [
 {"type": "Feature", "properties": {"code": "01", "nom": "Ain"}, "geometry": {"type": "Polygon", "coordinates": sq}},
 {"type": "Feature", "properties": {"code": "2A", "nom": "Corse-du-Sud"}, "geometry": {"type": "MultiPolygon", "coordinates": [sq, [[[8.5, 41.5], [9.0, 41.5], [9.0, 42.0], [8.5, 41.5]]]]}},
 {"type": "Feature", "properties": {"code": "971", "nom": "Guadeloupe"}, "geometry": {"type": "Polygon", "coordinates": [[[-61.5, 16.0], [-61.0, 16.0], [-61.0, 16.5], [-61.5, 16.0]]]}},
]
os.makedirs(f"{out}/geojson", exist_ok=True)
open(f"{out}/geojson/three.geojson", "wb").write(fc(feats))
open(f"{out}/geojson/empty.geojson", "wb").write(fc([]))
open(f"{out}/geojson/escapes.geojson", "wb").write(b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"75","nom":"Paris \\u00e9\\"x\\""},"geometry":{"type":"Polygon","coordinates":[[[2.2,48.8],[2.4,48.8],[2.4,48.9],[2.2,48.8]]]}}],"bbox":[1e0,-2.5E+1,3,4]}')
# copy-binary: byte0 = (columns-1) | split<<3, then type bytes, then the stream
# types index: 0 bool 1 int2 2 int4 3 int8 4 float4 5 float8 6 numeric int 7 numeric 8 text 9 bpchar 10 date 11 timestamp
SIG = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
def field(b): return struct.pack(">i", len(b)) + b if b is not None else struct.pack(">i", -1)
def numeric(digits, weight, sign, dscale): return struct.pack(">hhHh", len(digits), weight, sign, dscale) + b"".join(struct.pack(">h", d) for d in digits)
def stream(rows): return SIG + b"".join(struct.pack(">h", len(r)) + b"".join(field(f) for f in r) for r in rows) + struct.pack(">h", -1)
os.makedirs(f"{out}/copy-binary", exist_ok=True)
def seed(name, types, rows, split=0):
    open(f"{out}/copy-binary/{name}", "wb").write(bytes([(len(types) - 1) | (split << 3)]) + bytes(types) + stream(rows))
seed("ints", [1, 2, 3], [[struct.pack(">h", -5), struct.pack(">i", 7), struct.pack(">q", 2**62)], [None, None, None]])
seed("floats-split", [4, 5], [[struct.pack(">f", 1.5), struct.pack(">d", -0.0)], [struct.pack(">f", float("nan")), None]], split=3)
seed("text", [8, 9, 0], [[b"Saint-\xc3\x89tienne", b"ab   ", b"\x01"], [b"", None, b"\x00"]])
seed("numeric", [6, 7], [[numeric([1234, 5678], 1, 0, 0), numeric([3, 1415], 0, 0x4000, 4)], [numeric([], 0, 0xC000, 0), None]])
seed("dates", [10, 11], [[struct.pack(">i", -10957), struct.pack(">q", 86400 * 10**6 + 5)], [struct.pack(">i", 0x7FFFFFFF), struct.pack(">q", -2**63)]], split=1)
